"""Progress reports through the API (API.md "Progress reports", R-RPT-2/3/4, R-ACC-1/2)."""

from datetime import date

import pytest
from django.utils import timezone

from advisory.models import ProgressReport
from advisory.services.plan import items_from_sources
from advisory.services.reports import CRITICAL_RECTIFIED
from factories.models import BuyerAuthorisation, BuyerRead, Milestone
from factories.services.cycles import cycle_start
from tests.builders import BuyerBuilder, FactoryBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db
VALUES = {"yes_no": True, "date": "2026-02-01", "text": "Written.", "multi_choice": []}


@pytest.fixture
def cycle():
    return cycle_start(factory_id=FactoryBuilder().pk, on=date(2026, 1, 5))


def _url(cycle, number=1, what=""):
    return f"/api/v1/cycles/{cycle.pk}/progress-reports/{number}/" + (f"{what}/" if what else "")


def _get(client, user, cycle, number=1):
    client.force_authenticate(user)
    return client.get(_url(cycle, number))


def _complete(body):
    return {q["key"]: VALUES[q["type"]] for q in body["questions"] if q.get("required")}


def _critical_item(cycle):
    items_from_sources(factory=cycle.factory, source="assessment", entries=[
        {"cluster": "OSH", "text": "Exit locked", "critical_issue": "OSH-2", "reference": "finding:1"}])  # fmt: skip
    return cycle.factory.improvement_plan.items.get()


def test_pr1_goes_from_draft_to_released_through_the_api(api_client, cycle):
    user, advisor = factory_user(cycle.factory), staff("advisor", "KH")
    item = _critical_item(cycle)
    body = _get(api_client, user, cycle).json()
    assert body["status"] == "draft"
    assert body["computed"] == {}
    assert body["live_counts"]["issues_open"] == 1
    assert [i["id"] for i in body["critical_items"]] == [item.pk]
    assert not {"planned_date", "assessment_date", "milestones"} & set(body)  # R-ASM-3: no assessment date
    answers = _complete(body)
    first = next(iter(answers))
    response = api_client.put(_url(cycle), {"answers": {first: answers[first]}}, format="json")
    assert response.status_code == 200
    assert response.json()["answers"] == {first: answers[first]}
    response = api_client.put(_url(cycle), {"answers": {**answers, CRITICAL_RECTIFIED: [item.pk]}}, format="json")
    assert response.status_code == 200
    response = api_client.post(_url(cycle, what="submit"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["computed"]["issues_open"] == 1
    assert "live_counts" not in body
    assert Milestone.objects.get(cycle=cycle, kind="progress_report_1").state == "done"

    response = api_client.post(_url(cycle, what="release"))
    assert response.status_code == 400
    assert response.json()["waiting"] == [item.pk]
    assert api_client.post(_url(cycle, what="sign-off"), {"item": item.pk}, format="json").status_code == 403
    api_client.force_authenticate(advisor)
    response = api_client.post(_url(cycle, what="sign-off"), {"item": item.pk, "note": "Exits open"}, format="json")
    assert response.status_code == 200
    assert response.json()["sign_offs"][0]["item"] == item.pk
    assert api_client.post(_url(cycle, what="release")).status_code == 403  # PR1 is the factory's to release
    api_client.force_authenticate(user)
    response = api_client.post(_url(cycle, what="release"))
    assert response.status_code == 200
    assert response.json()["status"] == "released"
    assert response.json()["improvement_plan"][0]["id"] == item.pk


def test_submission_lists_exactly_the_missing_mandatory_keys(api_client, cycle):
    user = factory_user(cycle.factory)
    body = _get(api_client, user, cycle).json()
    required = sorted(q["key"] for q in body["questions"] if q.get("required"))
    api_client.put(_url(cycle), {"answers": {required[0]: _complete(body)[required[0]]}}, format="json")
    response = api_client.post(_url(cycle, what="submit"))
    assert response.status_code == 400
    assert sorted(response.json()["missing"]) == required[1:]
    assert response.json()["detail"]
    assert ProgressReport.objects.get().status == "draft"


def test_a_submitted_report_is_not_edited(api_client, cycle):
    user = factory_user(cycle.factory)
    answers = _complete(_get(api_client, user, cycle).json())
    api_client.put(_url(cycle), {"answers": answers}, format="json")
    assert api_client.post(_url(cycle, what="submit")).status_code == 200
    key = next(iter(answers))
    response = api_client.put(_url(cycle), {"answers": {key: "Changed"}}, format="json")
    assert response.status_code == 400
    assert "can no longer be edited" in response.json()["detail"]
    assert ProgressReport.objects.get().answers == answers


@pytest.mark.parametrize(
    "answers",
    [
        {"no_such_question": "x"},
        {"self_diagnosed_before_assessment": "maybe"},
        {"issues_completed": 4},  # counts are computed, never typed
        {"committee_established_on": "last spring"},
    ],
)
def test_bad_answers_are_refused(api_client, cycle, answers):
    _get(api_client, factory_user(cycle.factory), cycle)
    response = api_client.put(_url(cycle), {"answers": answers}, format="json")
    assert response.status_code == 400
    assert ProgressReport.objects.get().answers == {}


def test_the_factory_reports_only_its_own_critical_items_fixed(api_client, cycle):
    _get(api_client, factory_user(cycle.factory), cycle)
    response = api_client.put(_url(cycle), {"answers": {CRITICAL_RECTIFIED: [999999]}}, format="json")
    assert response.status_code == 400
    assert ProgressReport.objects.get().answers == {}


def test_pr2_is_written_by_the_advisor_and_released_by_the_manager(api_client, cycle):
    advisor, manager = staff("advisor", "KH"), staff("programme_manager", "KH")
    assert _get(api_client, factory_user(cycle.factory), cycle, 2).status_code == 200
    assert api_client.put(_url(cycle, 2), {"answers": {"comments": "x"}}, format="json").status_code == 403
    body = _get(api_client, advisor, cycle, 2).json()
    assert {q["key"] for q in body["questions"]} >= {"social_dialogue", "management_systems", "recommendations"}
    response = api_client.post(_url(cycle, 2, "submit"))
    assert response.status_code == 400
    assert response.json()["missing"] == ["social_dialogue", "management_systems", "recommendations"]
    assert api_client.put(_url(cycle, 2), {"answers": _complete(body)}, format="json").status_code == 200
    assert api_client.post(_url(cycle, 2, "submit")).json()["status"] == "submitted"
    assert Milestone.objects.get(cycle=cycle, kind="progress_report_2").state == "done"
    assert api_client.post(_url(cycle, 2, "release")).status_code == 403
    api_client.force_authenticate(manager)
    assert api_client.post(_url(cycle, 2, "release")).json()["status"] == "released"


def test_an_authorised_buyer_reads_a_released_report_only(api_client, cycle):
    grant = BuyerAuthorisation.objects.create(factory=cycle.factory, buyer=BuyerBuilder(), granted_at=timezone.now())
    buyer, user = buyer_user(grant.buyer), factory_user(cycle.factory)
    assert _get(api_client, buyer, cycle).status_code == 404  # no report yet
    answers = _complete(_get(api_client, user, cycle).json())
    api_client.put(_url(cycle), {"answers": answers}, format="json")
    assert _get(api_client, buyer, cycle).status_code == 404  # a draft
    api_client.force_authenticate(user)
    api_client.post(_url(cycle, what="submit"))
    assert _get(api_client, buyer, cycle).status_code == 404  # submitted, not released
    api_client.force_authenticate(user)
    assert api_client.post(_url(cycle, what="release")).status_code == 200
    response = _get(api_client, buyer, cycle)
    assert response.status_code == 200
    assert response.json()["status"] == "released"
    assert "critical_items" not in response.json()
    read = BuyerRead.objects.get()
    assert (read.kind, read.object_id, read.channel, read.user) == (
        "progress_report",
        response.json()["id"],
        "api",
        buyer,
    )
    assert api_client.put(_url(cycle), {"answers": {}}, format="json").status_code == 404
    assert api_client.post(_url(cycle, what="release")).status_code == 404

    BuyerAuthorisation.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
    assert _get(api_client, buyer, cycle).status_code == 404
    assert BuyerRead.objects.count() == 1


def test_another_factory_and_another_country_get_404(api_client, cycle):
    other = FactoryBuilder()
    assert _get(api_client, factory_user(other), cycle).status_code == 404
    assert _get(api_client, staff("advisor", "VN"), cycle).status_code == 404
    assert _get(api_client, buyer_user(BuyerBuilder()), cycle).status_code == 404
    api_client.force_authenticate(factory_user(other))
    assert api_client.post(_url(cycle, what="submit")).status_code == 404
    assert ProgressReport.objects.count() == 0


def test_the_report_endpoint_runs_a_bounded_number_of_queries(api_client, cycle, django_assert_max_num_queries):
    user = factory_user(cycle.factory)
    _critical_item(cycle)
    _get(api_client, user, cycle)
    with django_assert_max_num_queries(20):  # includes the training suggestions of R-TRN-4 (fixed cost)
        assert _get(api_client, user, cycle).status_code == 200
    items_from_sources(factory=cycle.factory, source="assessment", entries=[
        {"cluster": "OSH", "text": f"Issue {n}", "critical_issue": "OSH-2", "reference": f"finding:{n + 2}"}
        for n in range(5)])  # fmt: skip
    with django_assert_max_num_queries(20):
        assert _get(api_client, user, cycle).status_code == 200
