"""Server-side SVG charts (R-RPT-5: the page and the PDF show the same chart; no JavaScript, nothing fetched).

`bar_chart(rows, title=...)` returns inline SVG markup (a SafeString) for `{{ chart }}` in any template: the
labels are escaped, the numbers are integers, and the drawing uses logical order only through the caller's
rows. The page templates (assessment, progress reports, plan) may include it as the PDFs do.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_AREA, VALUE_WIDTH = 14, 6, 170, 300, 40
ROW = (
    '<g><text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>'
    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
    '<text x="{}" y="{}" font-size="10">{}</text></g>'
)
COLOURS = {"warn": "#c0392b", "ok": "#2e7d32", "info": "#0b5cab", "muted": "#8a94a3"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    tone: str = "info"


def bar_chart(rows: Iterable[Bar | tuple[str, int]], *, title: str, description: str = "") -> SafeString:
    """A horizontal bar chart, one bar per row, scaled to the largest value."""
    bars = [row if isinstance(row, Bar) else Bar(str(row[0]), int(row[1])) for row in rows]
    if not bars:
        return SafeString("")
    top = max(max(bar.value for bar in bars), 1)
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    shapes = format_html_join("", ROW, (_row(i, bar, top) for i, bar in enumerate(bars)))
    return figure(width, height, title, description, shapes)


def figure(width: int, height: int, title: str, description: str, shapes: SafeString) -> SafeString:
    """An accessible SVG chart (its title as the image's name) around already escaped `shapes`."""
    return format_html(
        '<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        ' role="img" aria-label="{title}"><title>{title}</title>{desc}{shapes}</svg></figure>',
        w=width,
        h=height,
        title=title,
        desc=format_html("<desc>{}</desc>", description) if description else SafeString(""),
        shapes=shapes,
    )


def _row(index: int, bar: Bar, top: int) -> tuple:
    y = GAP + index * (BAR_HEIGHT + GAP)
    length = round(BAR_AREA * max(bar.value, 0) / top)
    baseline = y + BAR_HEIGHT - 3
    colour = COLOURS.get(bar.tone, COLOURS["info"])
    return (LABEL_WIDTH - 6, baseline, _clip(bar.label), LABEL_WIDTH, y, length, BAR_HEIGHT, colour,
            LABEL_WIDTH + length + 4, baseline, int(bar.value))  # fmt: skip


def _clip(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
