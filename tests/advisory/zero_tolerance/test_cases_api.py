"""/api/v1/zero-tolerance-cases/ (R-ADV-7): programme staff of the country open a case, the managers are alerted
at once in-app and by email; the case has its log and a closure that needs a note. Nobody else sees a case."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from advisory.models import ZeroToleranceCase
from advisory.services import visit_record
from advisory.services.zero_tolerance import case_open
from betterwork.common.models import Notification, OutboxEmail
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, FactoryBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _rows(response):
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def _open(client, user, factory, **changes):
    client.force_authenticate(user)
    body = {"factory": factory.pk, "category": "child_labour", "description": "A 13-year-old at the cutting line."}
    return client.post("/api/v1/zero-tolerance-cases/", body | changes, format="json")


def test_opening_a_case_alerts_the_countrys_managers_at_once(api_client, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    factory = FactoryBuilder(name="Lotus")
    manager = staff("programme_manager", "KH", username="pm.kh")
    other_country = staff("programme_manager", "VN", username="pm.vn")

    with django_capture_on_commit_callbacks(execute=True):
        response = _open(api_client, staff("advisor", "KH"), factory)

    assert response.status_code == 201, response.json()
    case = ZeroToleranceCase.objects.get()
    assert response.json()["status"] == "open"
    assert [e["text"] for e in response.json()["log"]] == ["Case opened."]
    note = Notification.objects.get(recipient=manager)
    assert note.title == "Zero tolerance: Child labour at Lotus"
    assert note.url == f"/factories/{factory.pk}/zero-tolerance/{case.pk}/"
    assert not Notification.objects.filter(recipient=other_country).exists()
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert mail.outbox[0].subject == "Zero tolerance: Child labour at Lotus"
    assert OutboxEmail.objects.get().sent_at is not None


@pytest.mark.parametrize("role", ["advisor", "assessor", "programme_manager"])
def test_any_programme_staff_of_the_country_opens_a_case(api_client, role):
    response = _open(api_client, staff(role, "KH"), FactoryBuilder())
    assert response.status_code == 201, response.json()
    assert ZeroToleranceCase.objects.count() == 1


def test_factory_users_buyers_and_other_countries_cannot_open_or_see_a_case(api_client):
    factory = FactoryBuilder()
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=factory, buyer=buyer)
    case = case_open(
        factory=factory, actor=staff("advisor", "KH"), category="forced_labour", description="Passports held."
    )
    outsiders = [factory_user(factory), buyer_user(buyer), staff("advisor", "VN")]

    for user in outsiders:
        response = _open(api_client, user, factory)
        assert response.status_code in (400, 404), (user.role, response.status_code)
        assert _rows(api_client.get("/api/v1/zero-tolerance-cases/")) == []
        assert api_client.get(f"/api/v1/zero-tolerance-cases/{case.pk}/").status_code == 404
        assert api_client.post(f"/api/v1/zero-tolerance-cases/{case.pk}/log/", {"text": "x"}).status_code == 404
        assert api_client.post(f"/api/v1/zero-tolerance-cases/{case.pk}/close/", {"note": "x"}).status_code == 404
    assert ZeroToleranceCase.objects.count() == 1
    case.refresh_from_db()
    assert (case.status, case.log.count()) == ("open", 1)


def test_a_case_needs_a_description_and_a_visit_of_the_same_factory(api_client):
    advisor = staff("advisor", "KH")
    factory, other = FactoryBuilder(), FactoryBuilder()
    visit = visit_record(factory_id=other.pk, actor=advisor, on=TODAY - timedelta(days=1), kind="advisory",
                         modality="onsite", days=1)  # fmt: skip

    assert _open(api_client, advisor, factory, description="  ").status_code == 400
    response = _open(api_client, advisor, factory, visit=visit.pk)
    assert response.status_code == 400
    assert "visit" in response.json()
    assert not ZeroToleranceCase.objects.exists()
    assert _open(api_client, advisor, other, visit=visit.pk).json()["visit"] == visit.pk


def test_the_log_and_the_closure(api_client):
    advisor, manager = staff("advisor", "KH"), staff("programme_manager", "KH")
    case = _open(api_client, advisor, FactoryBuilder()).json()
    url = f"/api/v1/zero-tolerance-cases/{case['id']}/"

    assert api_client.post(url + "log/", {"text": "Met the worker's family."}, format="json").status_code == 201
    assert api_client.post(url + "log/", {"text": ""}, format="json").status_code == 400

    api_client.force_authenticate(manager)
    refused = api_client.post(url + "close/", {}, format="json")
    assert refused.status_code == 400
    assert "note" in refused.json()
    assert api_client.post(url + "close/", {"note": "   "}, format="json").status_code == 400
    fresh = ZeroToleranceCase.objects.get(pk=case["id"])
    assert (fresh.status, fresh.closed_at, fresh.log.count()) == ("open", None, 2)

    closed = api_client.post(url + "close/", {"note": "Worker remediated and in school."}, format="json")
    assert closed.status_code == 200, closed.json()
    body = api_client.get(url).json()
    assert (body["status"], body["closure_note"], body["closed_by"]) == ("closed", "Worker remediated and in school.",
                                                                       manager.pk)  # fmt: skip
    assert [e["text"] for e in body["log"]] == [
        "Case opened.", "Met the worker's family.", "Case closed: Worker remediated and in school."
    ]  # fmt: skip


def test_the_list_runs_a_bounded_number_of_queries(api_client, django_assert_max_num_queries):
    advisor = staff("advisor", "KH")
    for factory in [FactoryBuilder() for _ in range(4)]:
        case_open(factory=factory, actor=advisor, category="violence", description="Threats.")
    api_client.force_authenticate(advisor)
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/zero-tolerance-cases/")
    assert response.status_code == 200
    assert len(_rows(response)) == 4
