"""Every script the programme writes in comes out of the PDF renderer as real, embedded glyphs (issue 10 item 5,
R-RPT-5): Khmer, Bengali, Amharic (Ethiopic), Arabic and Urdu, with the fonts embedded, and the renderer
fetches nothing (RELIABILITY.md §5.2).

Text is compared NFKC-normalised (Arabic shaping may come back as presentation forms) and without whitespace
(pypdf may split an Ethiopic word where glyphs are positioned apart). Urdu is set in Naskh: with Nastaliq,
WeasyPrint 70 loses the text of ligature glyphs (pypdf extracted "ام ی جگہ" for "کام کی جگہ")."""

import io
import shutil
import subprocess
import unicodedata

import pytest
from pypdf import PdfReader

from betterwork.common.pdf import STYLESHEET_URL, html_to_pdf
from tests.reporting.documents.conftest import pdf_text

SAMPLES = {
    "km": "សុវត្ថិភាពការងារ",
    "bn": "কর্মক্ষেত্রে নিরাপত্তা",
    "am": "የሥራ ቦታ ደህንነት",
    "ar": "السلامة في مكان العمل",
    "ur": "کام کی جگہ پر حفاظت",
}
RTL = {"ar", "ur"}
FAMILY = {"km": "Noto-Sans-Khmer", "bn": "Noto-Sans-Bengali", "am": "Noto-Sans-Ethiopic", "ar": "Noto-Naskh-Arabic",
          "ur": "Noto-Naskh-Arabic"}  # fmt: skip


def _fonts_missing() -> list[str]:
    if not shutil.which("fc-list"):
        return list(SAMPLES)
    missing = []
    for language in SAMPLES:
        found = subprocess.run(["fc-list", f":lang={language}", "family"], capture_output=True, text=True, check=False)
        if not found.stdout.strip():
            missing.append(language)
    return missing


pytestmark = pytest.mark.skipif(
    bool(_fonts_missing()),
    reason=f"fonts missing for {_fonts_missing()}: run scripts/install-system-packages.sh (needs apt)",
)


def _html(language: str, text: str) -> str:
    direction = "rtl" if language in RTL else "ltr"
    return (
        f'<!DOCTYPE html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{STYLESHEET_URL}"></head><body><p>{text}</p></body></html>'
    )


def _squeezed(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def rendered():
    return {language: html_to_pdf(_html(language, text)) for language, text in SAMPLES.items()}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_the_text_round_trips(rendered, language):
    text = pdf_text(rendered[language].content)
    assert _squeezed(SAMPLES[language]) in _squeezed(text), (language, text)
    assert rendered[language].refused == []  # the stylesheet was read from disk; nothing else asked for


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_the_fonts_are_embedded_noto_fonts(rendered, language):
    reader = PdfReader(io.BytesIO(rendered[language].content))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names, embedded = [], []
    for ref in fonts.values():
        font = ref.get_object()
        names.append(str(font["/BaseFont"]))
        descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        descriptor = descriptor.get_object()
        embedded.append(any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert names
    assert all(embedded), names
    assert any(FAMILY[language] in name for name in names), names  # the script's own font, not a fallback
