"""Progress reports and the improvement plan as PDFs (R-RPT-2/3/4/5, R-ACC-1/2):
`GET /api/v1/cycles/{id}/progress-reports/{n}/report.pdf` and `GET /api/v1/factories/{id}/improvement-plan.pdf`.
Buyers get a progress report only once released, and either document only while authorised."""

from datetime import date
from unittest import mock

import pytest

from advisory.services.plan import items_from_sources
from advisory.services.reports import questions, report_get, report_release, report_save_draft, report_submit
from betterwork.common.pdf import RenderedPdf
from factories.models import BuyerRead
from factories.services.buyers import authorisation_revoke
from factories.services.cycles import cycle_start
from reporting.models.documents import RenderedDocument
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, FactoryBuilder, buyer_user, factory_user, staff
from tests.reporting.documents.conftest import body, pdf_text

pytestmark = pytest.mark.django_db
VALUES = {"yes_no": True, "date": "2026-02-01", "text": "Written by the factory.", "multi_choice": []}
FAKE = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def cycle():
    cycle = cycle_start(factory_id=FactoryBuilder().pk, on=date(2026, 1, 5))
    items_from_sources(factory=cycle.factory, source="assessment", entries=[
        {"cluster": "OSH", "text": "Fire extinguishers missing", "reference": "finding:1"}])  # fmt: skip
    return cycle


def released_report_1(cycle):
    user = factory_user(cycle.factory)
    report = report_get(cycle=cycle, number=1)
    answers = {q["key"]: VALUES[q["type"]] for q in questions(report) if q.get("required")}
    report_save_draft(report_id=report.pk, actor=user, answers=answers)
    report_submit(report_id=report.pk, actor=user)
    report_release(report_id=report.pk, actor=user)
    return report


def get(client, user, path, capture):
    client.force_authenticate(user)
    with capture(execute=True):
        first = client.get(path)
    if first.status_code != 202:
        return first
    with capture(execute=True):
        return client.get(path)


def report_url(cycle, number=1):
    return f"/api/v1/cycles/{cycle.pk}/progress-reports/{number}/report.pdf"


def plan_url(factory):
    return f"/api/v1/factories/{factory.pk}/improvement-plan.pdf"


def test_a_released_progress_report_with_its_plan(api_client, cycle, django_capture_on_commit_callbacks):
    released_report_1(cycle)
    response = get(api_client, factory_user(cycle.factory), report_url(cycle), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="progress-report-{cycle.pk}-1.pdf"'
    text = pdf_text(body(response))
    assert "Progress Report 1, cycle 1" in text
    assert "Written by the factory." in text
    assert "Current improvement plan" in text
    assert "Fire extinguishers missing" in text


def test_the_plan_in_french(api_client, cycle, django_capture_on_commit_callbacks):
    user = factory_user(cycle.factory, language="fr")
    response = get(api_client, user, plan_url(cycle.factory), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="improvement-plan-{cycle.factory_id}.pdf"'
    text = pdf_text(body(response))
    assert "Plan d'amélioration" in text
    assert "Fire extinguishers missing" in text


@pytest.fixture
def fake():
    with mock.patch("betterwork.common.pdf.render_pdf", return_value=RenderedPdf(FAKE, 1, [])) as renders:
        yield renders


@pytest.mark.parametrize(
    ("who", "released", "status"),
    [
        ("staff", False, 200),  # a draft: the programme and the factory read it as it stands
        ("factory_own", False, 200),
        ("factory_other", True, 404),
        ("buyer_authorised", True, 200),
        ("buyer_authorised", False, 404),  # not released: it does not exist for buyers
        ("buyer_not_authorised", True, 404),
        ("staff_other_country", True, 404),
    ],
)
def test_who_gets_a_progress_report(api_client, cycle, fake, django_capture_on_commit_callbacks, who, released, status):
    if released:
        released_report_1(cycle)
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=cycle.factory, buyer=buyer)
    users = {
        "staff": lambda: staff("advisor", "KH"),
        "factory_own": lambda: factory_user(cycle.factory),
        "factory_other": lambda: factory_user(FactoryBuilder()),
        "buyer_authorised": lambda: buyer_user(buyer),
        "buyer_not_authorised": lambda: buyer_user(BuyerBuilder()),
        "staff_other_country": lambda: staff("advisor", "BD"),
    }
    assert get(api_client, users[who](), report_url(cycle), django_capture_on_commit_callbacks).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 200), ("factory_own", 200), ("factory_other", 404), ("buyer_authorised", 200),
     ("buyer_not_authorised", 404)],
)  # fmt: skip
def test_who_gets_the_plan(api_client, cycle, fake, django_capture_on_commit_callbacks, who, status):
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=cycle.factory, buyer=buyer)
    users = {
        "staff": lambda: staff("advisor", "KH"),
        "factory_own": lambda: factory_user(cycle.factory),
        "factory_other": lambda: factory_user(FactoryBuilder()),
        "buyer_authorised": lambda: buyer_user(buyer),
        "buyer_not_authorised": lambda: buyer_user(BuyerBuilder()),
    }
    path = plan_url(cycle.factory)
    assert get(api_client, users[who](), path, django_capture_on_commit_callbacks).status_code == status


def test_revocation_stops_both_documents_at_once(api_client, cycle, fake, django_capture_on_commit_callbacks):
    released_report_1(cycle)
    buyer = BuyerBuilder()
    grant = BuyerAuthorisationBuilder(factory=cycle.factory, buyer=buyer)
    user = buyer_user(buyer)
    for path in (report_url(cycle), plan_url(cycle.factory)):
        assert get(api_client, user, path, django_capture_on_commit_callbacks).status_code == 200
    assert sorted(BuyerRead.objects.values_list("kind", "channel")) == [
        ("improvement_plan", "api"), ("progress_report", "api")]  # fmt: skip
    authorisation_revoke(authorisation_id=grant.pk, actor=factory_user(cycle.factory))
    for path in (report_url(cycle), plan_url(cycle.factory)):
        assert get(api_client, user, path, django_capture_on_commit_callbacks).status_code == 404
    assert RenderedDocument.objects.filter(status="ready").count() == 2
    assert fake.call_count == 2


def test_a_plan_change_makes_a_new_plan_pdf(api_client, cycle, fake, django_capture_on_commit_callbacks):
    user = factory_user(cycle.factory)
    assert get(api_client, user, plan_url(cycle.factory), django_capture_on_commit_callbacks).status_code == 200
    first = RenderedDocument.objects.get()
    items_from_sources(factory=cycle.factory, source="assessment", entries=[
        {"cluster": "OSH", "text": "Blocked aisle", "reference": "finding:2"}])  # fmt: skip
    assert get(api_client, user, plan_url(cycle.factory), django_capture_on_commit_callbacks).status_code == 200
    assert RenderedDocument.objects.get().fingerprint != first.fingerprint
    assert fake.call_count == 2
