"""HTML → PDF with WeasyPrint, for every report the programme prints (R-RPT-5).

General on purpose: `render_pdf(template, context, language=...)` renders any template in the reader's language
and returns the PDF bytes with its page count. Training's certificates (training/certificates.py) could call
it too.

Security (RELIABILITY.md §5.2): the templates are ours but user text flows into them. Django escapes it, and
nothing is fetched while rendering: `base_url=None` (relative URLs resolve to nothing) and `RefusingFetcher`
refuses every URL — network, `file://`, `data:` — except the one PDF stylesheet, which it reads from disk
itself. Refused URLs are recorded on the fetcher (`refused`) so tests can prove nothing was fetched.

Fonts (issue 10 item 5): Debian's fonts-noto-core covers Latin, Khmer, Bengali, Ethiopic (Amharic), Arabic
(Naskh) and Urdu (Nastaliq); `scripts/install-system-packages.sh` installs it. The stylesheet lists the
families per script; `dir="rtl"` is set on <html> for right-to-left languages.

Loading WeasyPrint (Pango) takes ~0.5 s: web processes never import this module; reporting.documents imports it
inside the worker's render only.

No dates in the PDF's metadata (only the title is set): R-ASM-3 and §5.4 "avoid dates in metadata".
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "pdf.css"
STYLESHEET_URL = STYLESHEET.as_uri()


class FetchRefused(ValueError):
    """A URL the PDF may not load (WeasyPrint logs it and carries on without the resource)."""


class RefusingFetcher(URLFetcher):
    """A WeasyPrint url_fetcher (the class API of WeasyPrint >= 68) that serves the PDF stylesheet and nothing
    else. It never opens a connection or a file itself: `fetch` is the only way in, and it is overridden."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=set(), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url == STYLESHEET_URL:
            return URLFetcherResponse(url, STYLESHEET.read_bytes(), {"Content-Type": "text/css; charset=utf-8"})
        self.refused.append(url)
        raise FetchRefused(f"PDFs fetch nothing ({url[:200]}).")


@dataclass
class RenderedPdf:
    content: bytes
    pages: int
    refused: list[str]


def is_rtl(language: str) -> bool:
    return translation.get_language_info(language).get("bidi", False) if language else False


def render_pdf(template: str, context: dict[str, Any], *, language: str, title: str = "") -> RenderedPdf:
    """Render `template` in `language` (gettext, `dir`, `lang`) and lay it out as a PDF."""
    with translation.override(language):
        html = render_to_string(
            template,
            {
                **context,
                "pdf_language": language,
                "pdf_direction": "rtl" if is_rtl(language) else "ltr",
                "pdf_stylesheet": STYLESHEET_URL,
                "pdf_title": title,
            },
        )
    return html_to_pdf(html, title=title)


def html_to_pdf(html: str, *, title: str = "") -> RenderedPdf:
    """Lay out trusted HTML (escaped user text inside) as a PDF, fetching nothing but the PDF stylesheet."""
    fetcher = RefusingFetcher()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render()
    # Title only: WeasyPrint would also copy <meta name="dcterms.created"> etc., which the templates never set.
    document.metadata.title = title or document.metadata.title
    document.metadata.created = document.metadata.modified = None
    content = document.write_pdf()
    return RenderedPdf(content=content, pages=len(document.pages), refused=fetcher.refused)
