"""Report PDFs: eager Celery (the "pdf" queue runs inline once the request's transaction commits)."""

import io
import re

import pytest
from pypdf import PdfReader

from tests.assessments.pages.helpers import login


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.ROOT_URLCONF = "tests.reporting.documents.urls"


def pdf_text(content: bytes) -> str:
    """All pages' text, whitespace normalised."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


__all__ = ["body", "login", "pdf_text"]
