"""Server-side SVG charts for the dashboards: horizontal bars of percentages and a line over periods.

Like `betterwork.common.charts.bar_chart` (counts), each returns inline SVG markup with `role="img"`, a `<title>` and a
`<desc>`; every label is escaped by `format_html`. The page always shows the same numbers in a table beside the
chart (the accessible fallback); nothing needs JavaScript.
"""

from collections.abc import Sequence
from fractions import Fraction

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from betterwork.common.charts import COLOURS, figure
from reporting.dashboards import percent

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_AREA, VALUE_WIDTH = 14, 6, 220, 300, 50
BAR = (
    '<g><text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>'
    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
    '<text x="{}" y="{}" font-size="10">{}</text></g>'
)


def _clip(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def percent_bars(
    rows: Sequence[tuple[str, Fraction | None]], *, title: str, description: str = "", tone: str = "warn"
) -> SafeString:
    """One bar per (label, share); the scale is 0–100%, so charts compare. Rows with no share are skipped."""
    bars = [(label, value) for label, value in rows if value is not None]
    if not bars:
        return SafeString("")
    colour = COLOURS.get(tone, COLOURS["info"])

    def row(index: int, label: str, value: Fraction) -> tuple:
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = round(BAR_AREA * float(value))
        baseline = y + BAR_HEIGHT - 3
        return (LABEL_WIDTH - 6, baseline, _clip(label), LABEL_WIDTH, y, length, BAR_HEIGHT, colour,
                LABEL_WIDTH + length + 4, baseline, percent(value))  # fmt: skip

    shapes = format_html_join("", BAR, (row(i, label, value) for i, (label, value) in enumerate(bars)))
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    return figure(LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, height, title, description, shapes)


PLOT_W, PLOT_H, LEFT, TOP, BOTTOM = 480, 160, 50, 12, 30


def line_chart(points: Sequence[tuple[str, Fraction | None]], *, title: str, description: str = "") -> SafeString:
    """A line of shares over periods (x: the periods in order; y: 0 to the largest share rounded up to 10%)."""
    shown = [(label, value) for label, value in points if value is not None]
    if not shown:
        return SafeString("")
    top = max(float(value) for _, value in shown)
    ceiling = max(0.1, -(-round(top * 1000) // 100) / 10)  # next 10% step above the largest value
    step = PLOT_W / max(len(shown) - 1, 1)

    def xy(index: int, value: Fraction) -> tuple[int, int]:
        x = LEFT + round(index * step) if len(shown) > 1 else LEFT + PLOT_W // 2
        return x, TOP + PLOT_H - round(PLOT_H * float(value) / ceiling)

    coords = [xy(i, value) for i, (_, value) in enumerate(shown)]
    axis = format_html(
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{c}"></line>'
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="{c}"></line>'
        '<text x="{lx}" y="{ty}" font-size="10" text-anchor="end">{top}</text>'
        '<text x="{lx}" y="{b}" font-size="10" text-anchor="end">0%</text>',
        l=LEFT, r=LEFT + PLOT_W, t=TOP, b=TOP + PLOT_H, c=COLOURS["muted"], lx=LEFT - 4, ty=TOP + 8,
        top=f"{round(ceiling * 100)}%",
    )  # fmt: skip
    line = format_html(
        '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"></polyline>',
        COLOURS["info"],
        " ".join(f"{x},{y}" for x, y in coords),
    )
    marks = format_html_join(
        "",
        '<g><circle cx="{}" cy="{}" r="3" fill="{}"></circle><text x="{}" y="{}" font-size="10"'
        ' text-anchor="middle">{}</text><text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text></g>',
        (
            (x, y, COLOURS["info"], x, y - 6, percent(value), x, TOP + PLOT_H + 14, label)
            for (x, y), (label, value) in zip(coords, shown, strict=True)
        ),
    )
    return figure(LEFT + PLOT_W + 30, TOP + PLOT_H + BOTTOM, title, description, axis + line + marks)
