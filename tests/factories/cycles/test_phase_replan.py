"""R-CTY-2: in phase 1 no assessment takes place. A phase change, or a factory's production stopping,
replans the open cycles: the assessment and its report are cancelled, and come back afterwards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories.services.cycles import cycle_start
from tests.builders import FactoryBuilder, factory_user, staff

pytestmark = pytest.mark.django_db


def _states(cycle):
    return dict(cycle.milestones.filter(kind__startswith="assessment").values_list("kind", "state"))


@pytest.fixture
def cycle():
    return cycle_start(factory_id=FactoryBuilder().pk, on=timezone.localdate() - timedelta(days=30))


def test_the_countrys_move_to_phase_1_cancels_the_assessment_and_back_restores_it(api_client, cycle):
    manager = staff("programme_manager", "KH")
    api_client.force_authenticate(manager)

    assert api_client.patch("/api/v1/countries/KH/", {"phase": 1}, format="json").status_code == 200
    assert _states(cycle) == {"assessment": "cancelled", "assessment_report_release": "cancelled"}
    change = cycle.milestones.get(kind="assessment").history.first()
    assert (change.history_user, change.history_change_reason) == (manager, "service phase 3 → 1")

    api_client.patch("/api/v1/countries/KH/", {"phase": 2}, format="json")
    assert _states(cycle) == {"assessment": "planned", "assessment_report_release": "planned"}


def test_a_factory_whose_production_stops_is_not_assessed_this_cycle(api_client, cycle):
    api_client.force_authenticate(factory_user(cycle.factory))
    response = api_client.patch(
        f"/api/v1/factories/{cycle.factory_id}/", {"production_status": "suspended"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert _states(cycle) == {"assessment": "cancelled", "assessment_report_release": "cancelled"}


def test_a_new_cycle_in_phase_1_plans_no_assessment():
    factory = FactoryBuilder(production_status="suspended")
    cycle = cycle_start(factory_id=factory.pk, on=timezone.localdate())
    assert _states(cycle) == {"assessment": "cancelled", "assessment_report_release": "cancelled"}


def test_done_milestones_are_never_touched_by_a_replan(api_client, cycle):
    from factories.services.cycles import milestone_complete

    milestone_complete(cycle_id=cycle.pk, kind="assessment")
    api_client.force_authenticate(staff("programme_manager", "KH"))
    api_client.patch("/api/v1/countries/KH/", {"phase": 1}, format="json")
    assert _states(cycle) == {"assessment": "done", "assessment_report_release": "cancelled"}


def test_moving_to_stage_2_after_an_assessed_cycle_cancels_this_cycles_assessment():
    from factories.models import Milestone
    from factories.services.cycles import cycles_replan_open
    from factories.services.lifecycle import factory_set_stage
    from factories.services.sweep import run_milestones

    factory = FactoryBuilder()
    first = cycle_start(factory_id=factory.pk, on=timezone.localdate() - timedelta(days=400))
    Milestone.objects.filter(cycle=first, kind="assessment").update(state="done", done_at=timezone.now())
    run_milestones(as_of=timezone.localdate())  # cycle 1 ends
    second = cycle_start(factory_id=factory.pk, on=timezone.localdate() - timedelta(days=10))
    manager = staff("programme_manager", "KH")

    factory_set_stage(factory_id=factory.pk, actor=manager, stage=2, reason="All nine criteria met")

    assert _states(second) == {"assessment": "cancelled", "assessment_report_release": "cancelled"}
    factory.refresh_from_db()
    assert factory.history.first().history_change_reason == "All nine criteria met"
    assert cycles_replan_open(factory_ids=[factory.pk], actor=manager, reason="again") == 1
    assert _states(second) == {"assessment": "cancelled", "assessment_report_release": "cancelled"}
