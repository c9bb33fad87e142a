"""The renderer fetches nothing (RELIABILITY.md §5.2): no network, no local file, no attachment — only the PDF
stylesheet, read from disk. And the worker's claim: one render per document however many messages arrive."""

import io
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from betterwork.common.pdf import STYLESHEET_URL, RefusingFetcher, RenderedPdf, html_to_pdf
from betterwork.common.pdf import render_pdf as real_render_pdf
from reporting.documents import CLAIM_TTL, RETRY_FAILED_AFTER, document_render, document_request
from reporting.models.documents import RenderedDocument
from tests.assessments.builders import manager_of, published
from tests.reporting.documents.conftest import pdf_text

HOSTILE = f"""<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{STYLESHEET_URL}">
<style>@import url("http://127.0.0.1:6379/evil.css");</style>
<link rel="attachment" href="file:///etc/passwd">
</head><body><h1>Visible heading</h1>
<img src="file:///etc/passwd" alt="">
<img src="http://127.0.0.1:6379/">
<img src="/etc/hostname">
<object data="file:///etc/shadow"></object>
<iframe src="http://169.254.169.254/latest/meta-data/"></iframe>
</body></html>"""


def test_the_fetcher_refuses_everything_but_the_stylesheet():
    rendered = html_to_pdf(HOSTILE)
    assert "file:///etc/passwd" in rendered.refused
    assert "http://127.0.0.1:6379/" in rendered.refused
    assert "http://127.0.0.1:6379/evil.css" in rendered.refused
    assert STYLESHEET_URL not in rendered.refused
    assert not any("hostname" in url for url in rendered.refused)  # relative: base_url=None resolves nothing
    text = pdf_text(rendered.content)
    assert "Visible heading" in text
    assert "root:" not in text
    assert PdfReader(io.BytesIO(rendered.content)).attachments == {}  # no attachment made it in


def test_the_fetcher_never_opens_anything_itself():
    fetcher = RefusingFetcher()
    with mock.patch("urllib.request.OpenerDirector.open") as opened:
        for url in ("file:///etc/passwd", "http://example.org/", "data:text/css,body{}", STYLESHEET_URL + "/../x"):
            with pytest.raises(ValueError, match="fetch nothing"):
                fetcher.fetch(url)
    assert not opened.called
    assert fetcher.fetch(STYLESHEET_URL).read().startswith(b"/*")


@pytest.mark.django_db
def test_two_workers_render_a_document_once():
    assessment = published()
    document = document_request(kind="assessment_report", obj=assessment, language="en", user=manager_of(assessment))
    calls = []

    def slow(*args, **kwargs):
        calls.append(1)
        assert document_render(document.pk) is False  # a second worker meanwhile: the row is claimed
        return RenderedPdf(b"%PDF-1.7\n%%EOF\n", 1, [])

    with mock.patch("betterwork.common.pdf.render_pdf", side_effect=slow):
        assert document_render(document.pk) is True
    assert len(calls) == 1
    assert RenderedDocument.objects.get().status == "ready"


@pytest.mark.django_db
def test_a_stale_claim_is_taken_over_and_a_failure_is_retried_later(django_capture_on_commit_callbacks):
    assessment = published()
    manager = manager_of(assessment)
    document = document_request(kind="assessment_report", obj=assessment, language="en", user=manager)
    RenderedDocument.objects.filter(pk=document.pk).update(finished_at=timezone.now())  # a worker claimed, then died
    assert document_render(document.pk) is False
    with time_machine.travel(timezone.now() + CLAIM_TTL * 2), \
            mock.patch("betterwork.common.pdf.render_pdf", side_effect=RuntimeError("boom")):  # fmt: skip
        assert document_render(document.pk) is False
    assert RenderedDocument.objects.get().status == "failed"
    with mock.patch("betterwork.common.pdf.render_pdf", wraps=real_render_pdf) as renders:
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                document_request(kind="assessment_report", obj=assessment, language="en", user=manager).status
                == "failed"
            )  # fmt: skip  (too soon to retry)
        assert renders.call_count == 0
        with time_machine.travel(timezone.now() + CLAIM_TTL * 2 + RETRY_FAILED_AFTER * 2), \
                django_capture_on_commit_callbacks(execute=True):  # fmt: skip
            document_request(kind="assessment_report", obj=assessment, language="en", user=manager)
        assert renders.call_count == 1
    document = RenderedDocument.objects.get()
    assert (document.status, document.error) == ("ready", "")
    assert document.pages > 1


@pytest.mark.django_db
def test_with_the_broker_down_the_request_succeeds_and_the_next_one_sends_again(django_capture_on_commit_callbacks):
    from reporting.tasks import render_document

    assessment = published()
    manager = manager_of(assessment)
    with mock.patch.object(render_document, "apply_async", side_effect=OSError("connection refused")) as down:
        with django_capture_on_commit_callbacks(execute=True):
            document = document_request(kind="assessment_report", obj=assessment, language="en", user=manager)
        assert down.call_count == 1
    assert document.status == "pending"
    with mock.patch.object(render_document, "apply_async") as up:
        with django_capture_on_commit_callbacks(execute=True):
            assert document_request(kind="assessment_report", obj=assessment, language="en", user=manager) == document
        up.assert_called_once_with((document.pk,), queue="pdf")
