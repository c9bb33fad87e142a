"""Evidence (private, checked by content and size), access denied (R-ASM-7, PI-1) and submission (R-ASM-6)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Assessment, Evidence, Finding
from assessments.services.fieldwork import findings_save
from assessments.services.questions import questions_of
from betterwork.accounts.models import Role
from tests.assessments.builders import answer_all, manager_of
from tests.assessments.fieldwork.helpers import question, url
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    buyer_user,
    factory_user,
    png_bytes,
    staff,
    with_totp,
)

pytestmark = pytest.mark.django_db
PNG = png_bytes()


def _answer(assessment, assessor, code="OSH.2.01"):
    q = question(assessment, code)
    findings_save(assessment_id=assessment.pk, actor=assessor, answers=[{"question": q.code, "result": "compliant"}])
    return q


def _upload(client, assessment, q, name, content):
    return client.post(url(assessment, "evidence/"), {
        "question": q.code, "anchor": q.pk, "file": SimpleUploadedFile(name, content)}, follow=True)  # fmt: skip


def test_wrong_type_or_too_big_evidence_is_refused_and_nothing_is_stored(assessor_client, assessment, assessor,
                                                                          settings):  # fmt: skip
    q = _answer(assessment, assessor)
    page = _upload(assessor_client, assessment, q, "notes.txt", b"just text").content.decode()
    assert "“notes.txt” is not a JPEG or PNG photo or a PDF document." in page
    page = _upload(assessor_client, assessment, q, "fake.png", b"GIF89a" + b"\x00" * 10).content.decode()
    assert "“fake.png” is not a JPEG" in page
    settings.BETTERWORK = {**settings.BETTERWORK, "EVIDENCE_MAX_BYTES": 1_048_576}
    page = _upload(assessor_client, assessment, q, "huge.png", PNG + b"\x00" * 1_048_576).content.decode()
    assert "a file may be at most 1 MB" in page
    assert "at most 1 MB)" in page  # the limit is shown next to the input
    page = assessor_client.post(url(assessment, "evidence/"), {"question": q.code}, follow=True).content.decode()
    assert "Choose a file to upload" in page
    assert not Evidence.objects.exists()


def test_evidence_needs_an_answer_first(assessor_client, assessment):
    q = question(assessment, "OSH.2.01")
    page = _upload(assessor_client, assessment, q, "exit.png", PNG).content.decode()
    assert f"Answer question {q.code} before adding evidence." in page
    assert not Evidence.objects.exists()


def test_a_png_is_stored_and_only_the_countrys_staff_download_it(client, assessor_client, assessment, assessor):
    q = _answer(assessment, assessor)
    response = _upload(assessor_client, assessment, q, "exit.png", PNG)
    assert "“exit.png” is attached to" in response.content.decode()
    evidence = Evidence.objects.get()
    assert (evidence.finding.question_id, evidence.content_type, evidence.size) == (q.pk, "image/png", len(PNG))
    link = url(assessment, f"evidence/{evidence.pk}/")
    assert f'href="{link}"' in response.content.decode()
    download = assessor_client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    manager = manager_of(assessment)
    with_totp(manager)
    client.force_login(manager)
    assert client.get(link).status_code == 200
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=assessment.factory, buyer=buyer)
    for outsider in (factory_user(assessment.factory), buyer_user(buyer), staff(Role.ASSESSOR, "BD")):
        if outsider.is_programme_staff:
            with_totp(outsider)
        client.force_login(outsider)
        assert client.get(link).status_code == 404, outsider.role
    client.force_login(assessor)
    assert client.get(url(assessment, f"evidence/{evidence.pk + 1}/")).status_code == 404


def test_access_denied_needs_notes_records_pi1_and_allows_submission(assessor_client, assessment):
    """R-ASM-7: refused access is critical issue PI-1 whatever else was answered; the findings may be
    submitted as they stand."""
    page = assessor_client.get(url(assessment)).content.decode()
    assert "critical issue PI-1" in page
    page = assessor_client.post(url(assessment, "access-denied/"), {"notes": "  "}, follow=True).content.decode()
    assert "Describe what access was refused" in page
    assert not Finding.objects.exists()
    page = assessor_client.post(url(assessment, "access-denied/"), {"notes": "Payroll refused by the HR manager"},
                                follow=True).content.decode()  # fmt: skip
    assert "Access denied is recorded as critical issue PI-1" in page
    assert "Access denied is recorded: Payroll refused by the HR manager" in page
    finding = Finding.objects.get()
    assert (finding.question.critical_issue_id, finding.result) == ("PI-1", "non_compliant")
    assessor_client.post(url(assessment, "submit/"))
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.FEEDBACK


def test_submit_with_unanswered_questions_lists_them(assessor_client, assessment, assessor):
    questions = list(questions_of(assessment))
    findings_save(assessment_id=assessment.pk, actor=assessor,
                  answers=[{"question": q.code, "result": "compliant"} for q in questions[:3]])  # fmt: skip
    missing = len(questions) - 3
    response = assessor_client.post(url(assessment, "submit/"), follow=True)
    page = response.content.decode()
    assert f"{missing} questions are not answered yet: answer them (or mark them not applicable)" in page
    assert response.redirect_chain[-1][0].endswith("#submit")
    assert f'<a href="#q-{questions[3].pk}">{questions[3].code}</a>' in page
    assert f'href="#q-{questions[2].pk}"' not in page
    assert page.count('<li><a href="#q-') == 20
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.IN_PROGRESS


def test_submit_when_complete_starts_the_feedback_period(assessor_client, assessment):
    answer_all(assessment, non_compliant=("OSH.2.01",))
    page = assessor_client.get(url(assessment)).content.decode()
    assert "Every question is answered." in page
    page = assessor_client.post(url(assessment, "submit/"), follow=True).content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.FEEDBACK
    assert "The findings are submitted: the factory is informed and may respond until" in page
    assert "Feedback period" in page
