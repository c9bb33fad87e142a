"""GET /api/v1/cycles/{id}/: milestones with computed states; the assessment's date is never shown to
factory or buyer users (R-ASM-3)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from factories.models import BuyerAuthorisation, Milestone
from factories.services.cycles import cycle_start
from tests.builders import BuyerBuilder, FactoryBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return cycle_start(factory_id=FactoryBuilder().pk, on=timezone.localdate() - timedelta(days=120))


def _milestones(client, user, cycle):
    client.force_authenticate(user)
    response = client.get(f"/api/v1/cycles/{cycle.pk}/")
    assert response.status_code == 200
    return {m["kind"]: m for m in response.json()["milestones"]}


def test_staff_see_every_date_and_computed_states(api_client, cycle):
    milestones = _milestones(api_client, staff("programme_manager", "KH"), cycle)
    today = timezone.localdate()
    assert milestones["assessment"]["due_date"] == str(cycle.start_date + timedelta(days=130))
    assert milestones["assessment"]["state"] == "due"  # due in 10 days
    assert milestones["initial_advisory_end"]["state"] == "overdue"  # day 100 passed, the sweep has not run
    assert milestones["progress_report_2"]["state"] == "planned"
    assert date.fromisoformat(milestones["cycle_end"]["due_date"]) > today


def test_factory_and_buyer_users_get_no_assessment_date(api_client, cycle):
    grant = BuyerAuthorisation.objects.create(factory=cycle.factory, buyer=BuyerBuilder(), granted_at=timezone.now())
    for user in (factory_user(cycle.factory), buyer_user(grant.buyer)):
        milestones = _milestones(api_client, user, cycle)
        assert milestones["assessment"]["due_date"] is None
        assert milestones["progress_report_1"]["due_date"] is not None


def test_moving_the_assessment_changes_nothing_a_factory_user_receives(api_client, cycle):
    """Noninterference (RELIABILITY §2.5.4), on this endpoint: assessment planned on D1 vs D2."""
    user = factory_user(cycle.factory)
    api_client.force_authenticate(user)
    urls = [f"/api/v1/cycles/{cycle.pk}/", "/api/v1/cycles/", f"/api/v1/cycles/?factory={cycle.factory_id}"]
    assessment = Milestone.objects.get(cycle=cycle, kind="assessment")
    bodies = []
    for due in (assessment.due_date - timedelta(days=25), assessment.due_date + timedelta(days=3)):
        Milestone.objects.filter(pk=assessment.pk).update(due_date=due)
        bodies.append([api_client.get(url).content for url in urls])
    assert bodies[0] == bodies[1]


def test_other_factories_cycles_are_hidden(api_client, cycle):
    other = FactoryBuilder()
    for user in (factory_user(other), staff("advisor", "VN")):
        api_client.force_authenticate(user)
        assert api_client.get(f"/api/v1/cycles/{cycle.pk}/").status_code == 404
        assert api_client.get("/api/v1/cycles/").json()["count"] == 0


def test_the_cycle_list_query_count_does_not_grow(api_client, django_assert_max_num_queries):
    manager = staff("programme_manager", "KH")
    api_client.force_authenticate(manager)
    cycle_start(factory_id=FactoryBuilder().pk, on=date(2026, 1, 5))
    api_client.get("/api/v1/cycles/")
    for n in range(8):
        cycle_start(factory_id=FactoryBuilder().pk, on=date(2026, 2, 1 + n))
    with django_assert_max_num_queries(6):
        assert api_client.get("/api/v1/cycles/").json()["count"] == 9


def test_the_assessment_state_seen_by_the_factory_is_never_computed_from_its_date(api_client, cycle):
    milestones = _milestones(api_client, factory_user(cycle.factory), cycle)
    assert milestones["assessment"]["state"] == "planned"
    assert milestones["initial_advisory_end"]["state"] == "overdue"  # other milestones keep their computed state


def test_a_manager_moves_fv1_and_the_plan_follows(api_client, cycle):
    manager = staff("programme_manager", "KH")
    api_client.force_authenticate(staff("advisor", "KH"))
    body = {"start_date": str(cycle.start_date + timedelta(days=7)), "reason": "FV1 was entered a week early"}
    assert api_client.post(f"/api/v1/cycles/{cycle.pk}/replan/", body, format="json").status_code == 403
    api_client.force_authenticate(manager)
    response = api_client.post(f"/api/v1/cycles/{cycle.pk}/replan/", body, format="json")
    assert response.status_code == 200
    assert response.json()["start_date"] == body["start_date"]
    milestones = {m["kind"]: m for m in response.json()["milestones"]}
    assert milestones["progress_report_1"]["due_date"] > str(cycle.start_date)
    assert Milestone.objects.get(cycle=cycle, kind="assessment").history.first().history_user == manager


def test_the_advisory_allowance_is_shown_to_staff_and_the_factory_not_buyers(api_client, cycle):
    url = f"/api/v1/cycles/{cycle.pk}/advisory-allowance/"
    api_client.force_authenticate(factory_user(cycle.factory))
    assert api_client.get(url).json() == {
        "included": 8, "used": "0.0", "remaining": "8.0", "initial_visits_planned": 3, "visits": 0
    }  # fmt: skip
    grant = BuyerAuthorisation.objects.create(factory=cycle.factory, buyer=BuyerBuilder(), granted_at=timezone.now())
    api_client.force_authenticate(buyer_user(grant.buyer))
    assert api_client.get(url).status_code == 404
    api_client.force_authenticate(factory_user(FactoryBuilder()))
    assert api_client.get(url).status_code == 404


def test_the_service_package_lists_every_allowance_and_counts_only_what_happened(api_client, cycle):
    """R-CYC-7: advisory days, assessments (and the training app's rows); a planned assessment uses nothing."""
    url = f"/api/v1/cycles/{cycle.pk}/allowances/"
    api_client.force_authenticate(factory_user(cycle.factory))
    rows = {row["key"]: row for row in api_client.get(url).json()}
    assert rows["advisory_days"]["included"] == "8.0"
    assert rows["assessments"] == {
        "key": "assessments", "label": "Assessments", "unit": "assessments",
        "included": "1.0", "purchased": "0.0", "used": "0.0", "remaining": "1.0",
    }  # fmt: skip
    grant = BuyerAuthorisation.objects.create(factory=cycle.factory, buyer=BuyerBuilder(), granted_at=timezone.now())
    api_client.force_authenticate(buyer_user(grant.buyer))
    assert api_client.get(url).status_code == 404


def test_only_the_manager_records_an_onsite_exception_with_a_reason(api_client, cycle):
    body = {"factory": cycle.factory_id, "valid_from": "2026-12-01", "valid_until": "2026-12-05", "reason": "Fire"}
    api_client.force_authenticate(staff("advisor", "KH"))
    assert api_client.post("/api/v1/onsite-exceptions/", body, format="json").status_code == 403
    api_client.force_authenticate(staff("programme_manager", "KH"))
    assert api_client.post("/api/v1/onsite-exceptions/", {**body, "reason": " "}, format="json").status_code == 400
    backwards = {**body, "valid_until": "2026-11-30"}
    assert "valid_until" in api_client.post("/api/v1/onsite-exceptions/", backwards, format="json").json()
    assert api_client.post("/api/v1/onsite-exceptions/", body, format="json").status_code == 201
    api_client.force_authenticate(staff("programme_manager", "VN"))
    assert api_client.post("/api/v1/onsite-exceptions/", body, format="json").status_code == 400  # no such factory
