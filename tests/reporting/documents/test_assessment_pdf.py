"""`GET /api/v1/assessments/{id}/report.pdf` (API.md; R-RPT-5, R-ACC-1/2, R-ASM-3): who gets it, the 202 → 200
flow through the "pdf" queue (eager here), reuse of the cached file, a new document when the data changes, and
what the PDF says (never the planned date; the reader's language; buyers without the feedback thread)."""

import io
from datetime import date
from unittest import mock

import pytest
from django.utils import timezone
from pypdf import PdfReader

from assessments.models import FindingMessage
from assessments.services.feedback import finding_revise
from assessments.services.fieldwork import assessment_start, assessment_submit
from betterwork.common.pdf import RenderedPdf
from factories.models import BuyerRead
from factories.services.buyers import authorisation_revoke
from reporting.models.documents import RenderedDocument
from tests.assessments.builders import (
    answer_all,
    assessor_of,
    in_feedback,
    in_progress,
    manager_of,
    planned_assessment,
    published,
)
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, FactoryBuilder, buyer_user, factory_user, staff
from tests.reporting.documents.conftest import body, pdf_text

pytestmark = pytest.mark.django_db
FAKE = b"%PDF-1.7\n% a stand-in: the role tests need a file, not a layout\n%%EOF\n"


def url(assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/report.pdf"


@pytest.fixture
def renders():
    """Count renders and skip WeasyPrint where only the flow matters."""
    with mock.patch("betterwork.common.pdf.render_pdf", return_value=RenderedPdf(FAKE, 1, [])) as fake:
        yield fake


def fetch(client, user, assessment, capture):
    """One request as `user`, running what it sends to the queue once its transaction commits."""
    client.force_authenticate(user)
    with capture(execute=True):
        return client.get(url(assessment))


def download(client, user, assessment, capture):
    first = fetch(client, user, assessment, capture)
    if first.status_code != 202:
        return first
    return fetch(client, user, assessment, capture)


def authorised_buyer(factory):
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=factory, buyer=buyer)
    return buyer_user(buyer)


def test_202_with_a_status_url_then_200_with_the_pdf(api_client, renders, django_capture_on_commit_callbacks):
    assessment = published()
    user = factory_user(assessment.factory)
    first = fetch(api_client, user, assessment, django_capture_on_commit_callbacks)
    assert first.status_code == 202
    assert first.json() == {"status": "pending", "url": f"http://testserver{url(assessment)}"}
    assert int(first["Retry-After"]) > 0
    second = fetch(api_client, user, assessment, django_capture_on_commit_callbacks)
    assert second.status_code == 200
    assert second["Content-Type"] == "application/pdf"
    assert second["Content-Disposition"] == f'attachment; filename="assessment-{assessment.pk}.pdf"'
    assert body(second) == FAKE
    document = RenderedDocument.objects.get()
    assert (document.status, document.pages, document.size) == ("ready", 1, len(FAKE))
    assert renders.call_count == 1


def test_the_cached_file_is_reused_until_the_data_changes(api_client, renders, django_capture_on_commit_callbacks):
    assessment = published()
    manager = manager_of(assessment)
    assert download(api_client, manager, assessment, django_capture_on_commit_callbacks).status_code == 200
    first = RenderedDocument.objects.get()
    again = fetch(api_client, manager, assessment, django_capture_on_commit_callbacks)
    assert again.status_code == 200  # no 202: straight from the cache
    assert renders.call_count == 1
    assert RenderedDocument.objects.get().finished_at == first.finished_at

    finding_revise(assessment_id=assessment.pk, actor=manager, question="OSH.2.01", result="compliant",
                   notes="Exits unlocked since.", reason="Re-checked on a visit")  # fmt: skip
    assert fetch(api_client, manager, assessment, django_capture_on_commit_callbacks).status_code == 202
    assert renders.call_count == 2
    current = RenderedDocument.objects.get(status="ready")
    assert current.fingerprint != first.fingerprint
    assert not RenderedDocument.objects.filter(pk=first.pk).exists()  # the superseded file is dropped


def test_a_ready_document_is_never_rendered_again(renders):
    from reporting.documents import document_render, document_request

    assessment = published()
    document = document_request(kind="assessment_report", obj=assessment, language="en", user=manager_of(assessment))
    assert document_render(document.pk) is True
    assert document_render(document.pk) is False  # a second message for the same row (late ack, retry)
    assert renders.call_count == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("factory_own", 200),
        ("factory_other", 404),
        ("buyer_authorised", 200),
        ("buyer_not_authorised", 404),
        ("staff_other_country", 404),
    ],
)
def test_who_gets_the_published_report(api_client, renders, django_capture_on_commit_callbacks, who, status):
    assessment = published()
    users = {
        "staff": lambda: staff("advisor", "KH"),
        "factory_own": lambda: factory_user(assessment.factory),
        "factory_other": lambda: factory_user(FactoryBuilder()),
        "buyer_authorised": lambda: authorised_buyer(assessment.factory),
        "buyer_not_authorised": lambda: buyer_user(BuyerBuilder()),
        "staff_other_country": lambda: staff("advisor", "BD"),
    }
    response = download(api_client, users[who](), assessment, django_capture_on_commit_callbacks)
    assert response.status_code == status
    if status == 404:
        assert not RenderedDocument.objects.exists()  # nothing is even queued for a hidden report


def test_anonymous_is_refused(api_client, renders):
    response = api_client.get(url(published()))
    assert response.status_code in (401, 403)
    assert not RenderedDocument.objects.exists()


def test_a_revoked_buyer_gets_404_although_the_pdf_is_cached(api_client, renders, django_capture_on_commit_callbacks):
    assessment = published()
    buyer = BuyerBuilder()
    grant = BuyerAuthorisationBuilder(factory=assessment.factory, buyer=buyer)
    user = buyer_user(buyer)
    assert download(api_client, user, assessment, django_capture_on_commit_callbacks).status_code == 200
    assert BuyerRead.objects.filter(buyer=buyer, kind="assessment_report", object_id=assessment.pk).count() == 1
    authorisation_revoke(authorisation_id=grant.pk, actor=factory_user(assessment.factory))
    assert fetch(api_client, user, assessment, django_capture_on_commit_callbacks).status_code == 404
    assert RenderedDocument.objects.filter(status="ready").exists()  # cached, and still not served
    assert BuyerRead.objects.count() == 1


def test_buyers_never_see_an_unpublished_report(api_client, renders, django_capture_on_commit_callbacks):
    assessment = in_feedback()
    user = authorised_buyer(assessment.factory)
    assert fetch(api_client, user, assessment, django_capture_on_commit_callbacks).status_code == 404


def test_r_asm_3_no_pdf_before_the_factory_sees_findings(api_client, renders, django_capture_on_commit_callbacks):
    """Planned: 404 for everyone, staff included (the PDF is only for started assessments); in progress: the
    factory sees no findings yet → 404."""
    planned = planned_assessment()
    assert fetch(api_client, manager_of(planned), planned, django_capture_on_commit_callbacks).status_code == 404
    assert fetch(api_client, factory_user(planned.factory), planned,
                 django_capture_on_commit_callbacks).status_code == 404  # fmt: skip
    started = in_progress()
    answer_all(started)
    user = factory_user(started.factory)
    assert fetch(api_client, user, started, django_capture_on_commit_callbacks).status_code == 404
    assert fetch(api_client, manager_of(started), started, django_capture_on_commit_callbacks).status_code == 202
    assert renders.call_count == 1


def test_buyer_downloads_are_logged_but_polls_are_not(api_client, renders, django_capture_on_commit_callbacks):
    assessment = published()
    user = authorised_buyer(assessment.factory)
    assert fetch(api_client, user, assessment, django_capture_on_commit_callbacks).status_code == 202
    assert not BuyerRead.objects.exists()
    assert fetch(api_client, user, assessment, django_capture_on_commit_callbacks).status_code == 200
    read = BuyerRead.objects.get()
    assert (read.kind, read.object_id, read.channel) == ("assessment_report", assessment.pk, "api")


def test_the_pdf_never_shows_the_planned_date(api_client, django_capture_on_commit_callbacks):
    """R-ASM-3: planned for 20 April, started on the 22nd: the factory's PDF (the same for staff) shows the
    start and the submission, never the planned date, the word "planned" or the assessors."""
    assessment = planned_assessment(on=date(2026, 4, 20))
    assessor = assessor_of(assessment)
    assessment_start(assessment_id=assessment.pk, actor=assessor, started_on=date(2026, 4, 22))
    answer_all(assessment, non_compliant=("OSH.2.01",))
    assessment_submit(assessment_id=assessment.pk, actor=assessor, submitted_on=date(2026, 4, 23))
    response = download(api_client, factory_user(assessment.factory), assessment, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    content = body(response)
    metadata = dict(PdfReader(io.BytesIO(content)).metadata)
    assert metadata["/Title"] == f"Assessment report · {assessment.factory.name}"
    assert not {"/CreationDate", "/ModDate"} & set(metadata)  # no dates in the metadata (RELIABILITY.md §5.4)
    text = pdf_text(content)
    assert "Assessment report" in text
    assert "OSH.2.01" in text
    assert "2026-04-22" in text  # started on: the dates the factory knows are there
    for forbidden in ("2026-04-20", "20/04/2026", "April 20", "20 April", "Planned", "planned", "Assessors"):
        assert forbidden not in text, forbidden
    for person in assessment.assessors.all():
        assert person.get_full_name() not in text or not person.get_full_name()
        assert person.get_username() not in text


def test_the_pdf_is_in_the_readers_language_and_buyers_get_no_thread(api_client, django_capture_on_commit_callbacks):
    assessment = published()
    finding = assessment.findings.get(question__global_code="OSH.2.01")
    FindingMessage.objects.create(finding=finding, author=factory_user(assessment.factory), from_factory=True,
                                  text="Exits were unlocked the same afternoon", created_at=timezone.now())  # fmt: skip
    french = factory_user(assessment.factory, language="fr")
    text = pdf_text(body(download(api_client, french, assessment, django_capture_on_commit_callbacks)))
    assert "Rapport d'évaluation" in text
    assert "Exits were unlocked the same afternoon" in text
    buyer = authorised_buyer(assessment.factory)
    text = pdf_text(body(download(api_client, buyer, assessment, django_capture_on_commit_callbacks)))
    assert "Assessment report" in text
    assert "OSH.2.01" in text
    assert "Exits were unlocked" not in text  # buyers read the report without the feedback thread
    assert set(RenderedDocument.objects.values_list("language", flat=True)) == {"fr", "en"}
