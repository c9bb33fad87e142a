"""The improvement plan API (R-ADV-1..4, R-ACC-1/2)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from advisory.models import ImprovementPlanItem
from advisory.services.plan import item_add_self_diagnosis, items_from_sources
from assessments.models import Cluster
from factories.models import BuyerRead, Milestone
from factories.services.buyers import authorisation_revoke
from factories.services.cycles import cycle_start
from tests.builders import BuyerAuthorisationBuilder, FactoryBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CHECKS = {"parties_agree": True, "communicated_to_staff": True, "evidence_reviewed": True}
ITEMS = "/api/v1/improvement-plan-items/"


@pytest.fixture
def world():
    factory = FactoryBuilder()
    return factory, factory_user(factory), staff("advisor", "KH")


def _plan(client, user, factory):
    client.force_authenticate(user)
    return client.get(f"/api/v1/factories/{factory.pk}/improvement-plan/")


def _add(client, user, factory, **changes):
    client.force_authenticate(user)
    body = {"factory": factory.pk, "cluster": "OSH", "option": 1, "action": "Unlock the exits",
            "responsible": "HR manager", "target_date": str(TODAY + timedelta(days=30))} | changes  # fmt: skip
    return client.post(ITEMS, body, format="json")


def _item(world, **kwargs):
    factory, user, _ = world
    return item_add_self_diagnosis(factory=factory, actor=user, cluster=Cluster.objects.get(code="OSH"), option=1,
                                   **kwargs)  # fmt: skip


def test_a_factory_builds_its_self_diagnosis(api_client, world):
    factory, user, advisor = world
    response = _add(api_client, user, factory)
    assert response.status_code == 201, response.json()
    assert (response.json()["source"], response.json()["cluster"], response.json()["option"]) == (
        "self_diagnosis", "OSH", 1)  # fmt: skip
    assert _add(api_client, advisor, factory, option=None, text="No fire drills").status_code == 201

    body = _plan(api_client, user, factory).json()
    assert body["self_diagnosis_completed"] is True
    assert body["notice"] is None
    assert [(i["source"], i["option"], i["text"], i["status"]) for i in body["items"]] == [
        ("self_diagnosis", 1, "", "open"), ("self_diagnosis", None, "No fire drills", "open")]  # fmt: skip
    assert set(body["items"][0]) >= {"id", "source", "cluster", "option", "text", "action", "status", "critical_issue"}


def test_assessment_items_arrive_once_with_their_critical_issue(api_client, world):
    factory, user, _ = world
    entries = [{"cluster": "OSH", "text": "Emergency exits locked", "critical_issue": "OSH-2", "question": "OSH.1.3",
                "reference": "finding:17"}]  # fmt: skip
    items_from_sources(factory=factory, source="assessment", entries=entries)
    items_from_sources(factory=factory, source="assessment", entries=entries)
    items = _plan(api_client, user, factory).json()["items"]
    assert [(i["source"], i["critical_issue"], i["text"]) for i in items] == [
        ("assessment", "OSH-2", "Emergency exits locked")]  # fmt: skip
    api_client.force_authenticate(user)
    assert [i["id"] for i in api_client.get(ITEMS, {"critical": "true"}).json()["results"]] == [items[0]["id"]]
    assert api_client.get(ITEMS, {"source": "self_diagnosis"}).json()["results"] == []


def test_an_option_outside_the_cluster_and_a_past_target_are_refused(api_client, world):
    factory, user, _ = world
    response = _add(api_client, user, factory, cluster="COMP", option=6)
    assert response.status_code == 400
    assert "option" in response.json()
    response = _add(api_client, user, factory, target_date=str(TODAY - timedelta(days=1)))
    assert response.status_code == 400
    assert "target_date" in response.json()
    assert not ImprovementPlanItem.objects.exists()


def test_another_factorys_id_is_refused_like_an_unknown_one(api_client, world):
    factory, _, _ = world
    other_user = factory_user(FactoryBuilder())
    assert _add(api_client, other_user, factory).status_code == 400
    assert "factory" in _add(api_client, other_user, factory).json()
    assert _add(api_client, staff("advisor", "VN"), factory).status_code == 400
    assert not ImprovementPlanItem.objects.exists()


def test_the_advisor_completes_with_the_three_checks(api_client, world):
    _, _, advisor = world
    item = _item(world)
    api_client.force_authenticate(advisor)
    response = api_client.post(f"{ITEMS}{item.pk}/complete/", CHECKS | {"note": "Seen the doors"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    item.refresh_from_db()
    assert (item.status, item.completed_by, item.completion_note) == ("completed", advisor, "Seen the doors")


def test_a_factory_user_cannot_complete(api_client, world):
    _, user, _ = world
    item = _item(world)
    api_client.force_authenticate(user)
    assert api_client.post(f"{ITEMS}{item.pk}/complete/", CHECKS, format="json").status_code == 403
    item.refresh_from_db()
    assert (item.status, item.parties_agree, item.completed_at) == ("open", False, None)


def test_a_missing_check_is_named(api_client, world):
    item = _item(world)
    api_client.force_authenticate(world[2])
    response = api_client.post(f"{ITEMS}{item.pk}/complete/", {"parties_agree": True, "evidence_reviewed": False},
                               format="json")  # fmt: skip
    assert response.status_code == 400
    assert {"communicated_to_staff", "evidence_reviewed"} <= set(response.json())
    item.refresh_from_db()
    assert item.status == "open"


def test_other_transitions_edit_and_history(api_client, world):
    _factory, user, advisor = world
    item = _item(world)
    api_client.force_authenticate(user)
    assert api_client.post(f"{ITEMS}{item.pk}/transition/", {"target": "in_progress"}).json()["status"] == "in_progress"
    response = api_client.patch(f"{ITEMS}{item.pk}/", {"action": "New locks", "responsible": "Ms Dara"}, format="json")
    assert response.status_code == 200
    assert response.json()["action"] == "New locks"
    assert api_client.patch(f"{ITEMS}{item.pk}/", {"target_date": "2000-01-01"}, format="json").status_code == 400
    assert api_client.post(f"{ITEMS}{item.pk}/verify-next-assessment/").status_code == 403
    api_client.force_authenticate(advisor)
    response = api_client.post(f"{ITEMS}{item.pk}/verify-next-assessment/")
    assert response.json()["status"] == "verify_next_assessment"

    history = api_client.get(f"{ITEMS}{item.pk}/history/").json()
    assert [(h["who"], h["status"]) for h in history] == [
        (user.username, "open"), (user.username, "in_progress"), (user.username, "in_progress"),
        (advisor.username, "verify_next_assessment")]  # fmt: skip
    assert history[2]["changed"] == ["action", "responsible"]


def test_others_do_not_see_the_plan(api_client, world):
    factory, _, _ = world
    item = _item(world)
    for outsider in (factory_user(FactoryBuilder()), staff("advisor", "VN")):
        assert _plan(api_client, outsider, factory).status_code == 404
        assert api_client.get(f"{ITEMS}{item.pk}/").status_code == 404
        assert api_client.get(f"{ITEMS}{item.pk}/history/").status_code == 404
        assert api_client.post(f"{ITEMS}{item.pk}/complete/", CHECKS, format="json").status_code == 404


def test_an_authorised_buyer_reads_the_plan_until_revoked(api_client, world):
    factory, user, _ = world
    _item(world)
    grant = BuyerAuthorisationBuilder(factory=factory)
    reader = buyer_user(grant.buyer)
    response = _plan(api_client, reader, factory)
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1
    assert BuyerRead.objects.filter(factory=factory, user=reader, kind="improvement_plan", channel="api").count() == 1
    assert _plan(api_client, user, factory).status_code == 200
    assert BuyerRead.objects.count() == 1  # the factory's own reads are not buyer reads
    authorisation_revoke(authorisation_id=grant.pk, actor=user)
    assert _plan(api_client, reader, factory).status_code == 404


def test_the_plan_says_when_the_factory_did_not_self_diagnose(api_client, world):
    factory, user, _ = world
    cycle = cycle_start(factory_id=factory.pk, on=date(2026, 1, 5))
    assert _plan(api_client, user, factory).json()["notice"] is None  # not assessed yet
    Milestone.objects.filter(cycle=cycle, kind="assessment").update(state="done", done_at=timezone.now())
    body = _plan(api_client, user, factory).json()
    assert body["self_diagnosis_completed"] is False
    assert body["notice"] == "The factory did not complete its self-diagnosis."


def test_the_plan_endpoint_costs_the_same_queries_as_it_grows(api_client, world, django_assert_max_num_queries):
    factory, user, _ = world
    api_client.force_authenticate(user)
    url = f"/api/v1/factories/{factory.pk}/improvement-plan/"
    _item(world)
    with django_assert_max_num_queries(12) as captured:
        api_client.get(url)
    baseline = len(captured)
    for n in range(8):
        items_from_sources(factory=factory, source="assessment",
                           entries=[{"cluster": "WT", "text": f"Issue {n}", "critical_issue": "OSH-2",
                                     "reference": f"finding:{n}"}])  # fmt: skip
        _item(world, text="x")
    with django_assert_max_num_queries(baseline):
        assert len(api_client.get(url).json()["items"]) == 17


def test_patch_refuses_fields_it_cannot_change_and_changes_nothing(api_client):
    from advisory.models import ImprovementPlanItem
    from advisory.services.plan import item_add_self_diagnosis
    from assessments.models import Cluster
    from tests.builders import FactoryBuilder, factory_user

    factory = FactoryBuilder()
    user = factory_user(factory)
    item = item_add_self_diagnosis(factory=factory, actor=user, cluster=Cluster.objects.get(code="WT"), text="Overtime")
    api_client.force_authenticate(user)

    response = api_client.patch(
        f"/api/v1/improvement-plan-items/{item.pk}/", {"status": "completed", "action": "x"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert ImprovementPlanItem.objects.get().status == "open"
    assert ImprovementPlanItem.objects.get().action == ""
