"""Industry seminars (R-TRN-3): at most 80 participants, 4 per factory per cycle, and an action plan whose actions
become improvement-plan items with source "seminar"."""

from datetime import timedelta

import pytest

from betterwork.common.exceptions import ApplicationError
from factories.models import ServiceCycle
from factories.services.cycles import cycle_start
from tests.builders import FactoryBuilder, factory_user
from tests.training.conftest import new_session, today
from training.models import Seminar, SeminarAction, SeminarParticipation
from training.selectors import progress_report_1_answers, training_summary
from training.services import action_plan_submit, attendance_record, enrol, seminar_create, seminar_join

pytestmark = pytest.mark.django_db


def _seminar(world, *, on=None, capacity=80, **kwargs):
    on = on or today() + timedelta(days=20)
    return seminar_create(actor=world.manager, title="Wages", on=on, capacity=capacity, today=on - timedelta(days=30),
                          **kwargs)  # fmt: skip


def test_staff_create_seminars_of_at_most_80_participants(api_client, world):
    api_client.force_authenticate(world.manager)
    body = {"title": "Overtime", "date": str(today() + timedelta(days=30)), "length": "half_day", "cluster": "WT"}
    response = api_client.post("/api/v1/seminars/", {**body, "capacity": 81})
    assert response.status_code == 400
    assert "from 1 to 80 participants" in response.json()["capacity"][0]
    assert not Seminar.objects.exists()
    created = api_client.post("/api/v1/seminars/", body)
    assert created.status_code == 201
    assert (created.json()["capacity"], created.json()["country"]) == (80, "KH")
    api_client.force_authenticate(world.user)
    assert api_client.post("/api/v1/seminars/", body).status_code == 403


def test_a_seminar_takes_at_most_its_capacity(api_client, world):
    seminar = _seminar(world, capacity=80)
    other = FactoryBuilder()
    cycle_start(factory_id=other.pk, on=today() - timedelta(days=5))
    api_client.force_authenticate(factory_user(other))
    assert api_client.post("/api/v1/seminar-participations/",
                           {"seminar": seminar.pk, "participants": 75}).status_code == 201  # fmt: skip
    api_client.force_authenticate(world.user)
    response = api_client.post("/api/v1/seminar-participations/", {"seminar": seminar.pk, "participants": 6})
    assert response.status_code == 400
    assert "at most 80 participants: 5 place(s) left" in response.json()["participants"][0]
    assert api_client.post("/api/v1/seminar-participations/",
                           {"seminar": seminar.pk, "participants": 0}).status_code == 400  # fmt: skip
    assert SeminarParticipation.objects.count() == 1


def test_a_fifth_seminar_in_one_cycle_is_refused(api_client, world):
    api_client.force_authenticate(world.user)
    for n in range(4):
        seminar = _seminar(world, on=today() + timedelta(days=10 + n))
        assert api_client.post("/api/v1/seminar-participations/",
                               {"seminar": seminar.pk, "participants": 2}).status_code == 201  # fmt: skip
    fifth = _seminar(world, on=today() + timedelta(days=60))
    response = api_client.post("/api/v1/seminar-participations/", {"seminar": fifth.pk, "participants": 2})
    assert response.status_code == 400
    assert "already takes part in 4 industry seminars this cycle" in response.json()["seminar"][0]
    assert SeminarParticipation.objects.count() == 4
    rows = {r["key"]: r for r in api_client.get(f"/api/v1/cycles/{world.cycle.pk}/allowances/").json()}
    assert (rows["seminars"]["used"], rows["seminars"]["remaining"]) == ("4.0", "0.0")


def test_seminars_are_for_programme_factories(world):
    outsider = FactoryBuilder()
    with pytest.raises(ApplicationError, match="no open service cycle"):
        seminar_join(actor=factory_user(outsider), seminar_id=_seminar(world).pk, factory_id=outsider.pk,
                     participants=3)  # fmt: skip
    assert not ServiceCycle.objects.filter(factory=outsider).exists()


def test_the_action_plan_becomes_improvement_plan_items_with_source_seminar(api_client, world):
    held = today() - timedelta(days=1)
    seminar = _seminar(world, on=held, cluster="WT")
    participation = seminar_join(actor=world.user, seminar_id=seminar.pk, factory_id=world.factory.pk,
                                 participants=3, today=held - timedelta(days=7))  # fmt: skip
    url = f"/api/v1/seminar-participations/{participation.pk}/action-plan/"
    api_client.force_authenticate(world.user)
    bad = api_client.post(url, {"actions": [{"cluster": "NOPE", "text": "x"}]}, format="json")
    assert bad.status_code == 400
    assert not SeminarAction.objects.exists()
    body = {"actions": [{"cluster": "WT", "text": "Overtime above the legal limit", "action": "Plan shifts"},
                        {"cluster": "OSH", "text": "Blocked exits", "action": "Clear them weekly"}]}  # fmt: skip
    assert api_client.post(url, body, format="json").status_code == 201
    plan = api_client.get(f"/api/v1/factories/{world.factory.pk}/improvement-plan/").json()
    seminar_items = [(i["source"], i["cluster"], i["text"], i["action"]) for i in plan["items"]
                     if i["source"] == "seminar"]  # fmt: skip
    assert sorted(seminar_items) == [
        ("seminar", "OSH", "Blocked exits", "Clear them weekly"),
        ("seminar", "WT", "Overtime above the legal limit", "Plan shifts"),
    ]
    participation.refresh_from_db()
    assert participation.action_plan_at is not None


def test_no_action_plan_before_the_seminar_nor_for_someone_else(api_client, world):
    seminar = _seminar(world)
    participation = seminar_join(actor=world.user, seminar_id=seminar.pk, factory_id=world.factory.pk,
                                 participants=3)  # fmt: skip
    with pytest.raises(ApplicationError, match="end of the seminar"):
        action_plan_submit(actor=world.user, participation_id=participation.pk,
                           actions=[{"cluster": "WT", "text": "x"}])  # fmt: skip
    other = FactoryBuilder()
    api_client.force_authenticate(factory_user(other))
    url = f"/api/v1/seminar-participations/{participation.pk}/action-plan/"
    assert api_client.post(url, {"actions": [{"cluster": "WT", "text": "x"}]}, format="json").status_code == 404
    assert not SeminarAction.objects.exists()


def test_the_cycle_s_training_feeds_criterion_9_and_progress_report_1(world):
    """R-TRN-4: figures of the cycle and suggested answers for the "Continuous learning" part of Progress Report 1."""
    session = new_session(world, start=today())
    enrol(actor=world.user, session_id=session.pk, factory_id=world.factory.pk, participants=2, names=["Sok", "Lina"])
    sok = world.factory.training_enrolments.get().people.get(name="Sok")
    attendance_record(actor=world.manager, session_id=session.pk, day=today(), present={sok.pk: True})
    held = today() - timedelta(days=1)
    participation = seminar_join(actor=world.user, seminar_id=_seminar(world, on=held).pk, factory_id=world.factory.pk,
                                 participants=2, today=held - timedelta(days=3))  # fmt: skip
    action_plan_submit(actor=world.user, participation_id=participation.pk,
                       actions=[{"cluster": "WT", "text": "Overtime", "action": "Plan"}])  # fmt: skip
    assert training_summary(world.cycle) == {
        "participant_days_booked": 4, "participant_days_attended": 1, "people_trained": 1, "seminars": 1,
        "seminar_actions": 1,
    }  # fmt: skip
    answers = progress_report_1_answers(world.cycle)
    assert answers["trainings_attended"] == f"Fire safety ({session.start_date}): 2"
    assert answers["actions_from_seminars"] == "WT: Overtime — Plan"
