"""The improvement plan's rules, without HTTP (R-ADV-1..4, R-CYC-9)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from advisory.models import ImprovementPlanItem
from advisory.services.plan import (
    item_add_self_diagnosis,
    item_transition,
    item_update,
    items_from_sources,
    plan_for,
    self_diagnosis_completed,
)
from assessments.models import Cluster
from betterwork.common.exceptions import ApplicationError, InvalidTransition, NotPermitted
from factories.models import Milestone
from factories.services.cycles import cycle_start
from factories.services.sweep import run_milestones
from tests.builders import FactoryBuilder, factory_user, staff

pytestmark = pytest.mark.django_db
S = ImprovementPlanItem.Status
CHECKS = {"parties_agree": True, "communicated_to_staff": True, "evidence_reviewed": True}
ILLEGAL = [(s, t) for s in S.values for t in S.values if s != t and t not in ImprovementPlanItem.TRANSITIONS[s]]


@pytest.fixture
def world():
    factory = FactoryBuilder()
    return factory, factory_user(factory), staff("advisor", "KH")


def _item(world, **kwargs):
    factory, user, _advisor = world
    return item_add_self_diagnosis(factory=factory, actor=user, cluster=Cluster.objects.get(code="OSH"), option=1,
                                   **kwargs)  # fmt: skip


def test_a_standard_option_must_exist_in_its_cluster(world):
    factory, user, _ = world
    with pytest.raises(ApplicationError) as error:
        item_add_self_diagnosis(factory=factory, actor=user, cluster=Cluster.objects.get(code="COMP"), option=6)
    assert error.value.field == "option"
    assert "1, 2, 3, 4, 5" in error.value.message
    assert not ImprovementPlanItem.objects.exists()


def test_an_item_needs_an_option_or_words_and_a_target_not_before_it_was_raised(world):
    factory, user, _ = world
    cluster = Cluster.objects.get(code="WT")
    with pytest.raises(ApplicationError):
        item_add_self_diagnosis(factory=factory, actor=user, cluster=cluster, text="  ")
    with pytest.raises(ApplicationError) as error:
        item_add_self_diagnosis(factory=factory, actor=user, cluster=cluster, text="Overtime records",
                                target_date=timezone.localdate() - timedelta(days=1))  # fmt: skip
    assert error.value.field == "target_date"


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_illegal_moves_are_refused(world, source, target):
    item = _item(world)
    ImprovementPlanItem.objects.filter(pk=item.pk).update(
        status=source, **(CHECKS | {"completed_at": timezone.now(), "completed_by": world[2]} if source == "completed"
                          else {})
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        item_transition(item_id=item.pk, actor=world[2], target=target, **CHECKS)


def test_only_the_advisor_completes_and_only_with_all_three_checks(world):
    _, user, advisor = world
    item = _item(world)
    with pytest.raises(NotPermitted):
        item_transition(item_id=item.pk, actor=user, target="completed", **CHECKS)
    with pytest.raises(NotPermitted):
        item_transition(item_id=item.pk, actor=staff("programme_manager", "KH"), target="completed", **CHECKS)
    for missing in CHECKS:
        with pytest.raises(ApplicationError) as error:
            item_transition(item_id=item.pk, actor=advisor, target="completed", **(CHECKS | {missing: False}))
        assert missing in error.value.extra
    done = item_transition(item_id=item.pk, actor=advisor, target="completed", note="Exits unlocked", **CHECKS)
    assert (done.status, done.completed_by, done.completion_note) == ("completed", advisor, "Exits unlocked")
    with pytest.raises(ApplicationError, match="completed item is closed"):
        item_update(item_id=item.pk, actor=user, action="Changed after completion")


def test_the_factory_moves_its_item_in_progress_but_cannot_defer_it(world):
    _, user, advisor = world
    item = _item(world)
    assert item_transition(item_id=item.pk, actor=user, target="in_progress").status == "in_progress"
    with pytest.raises(NotPermitted):
        item_transition(item_id=item.pk, actor=user, target="verify_next_assessment")
    assert item_transition(item_id=item.pk, actor=advisor, target="verify_next_assessment").status == (
        "verify_next_assessment"
    )


def test_items_from_sources_arrive_once(world):
    factory = world[0]
    entries = [{"cluster": "OSH", "text": "Emergency exits locked", "critical_issue": "OSH-2", "question": "OSH.1.3",
                "reference": "finding:17"}]  # fmt: skip
    assert items_from_sources(factory=factory, source="assessment", entries=entries) == 1
    assert items_from_sources(factory=factory, source="assessment", entries=entries) == 0
    item = ImprovementPlanItem.objects.get()
    assert (item.source, item.critical_issue_id, item.question_code) == ("assessment", "OSH-2", "OSH.1.3")


def test_self_diagnosis_counts_only_before_the_first_assessment(world):
    factory = world[0]
    cycle = cycle_start(factory_id=factory.pk, on=date(2026, 1, 5))
    plan = plan_for(factory)
    assert not self_diagnosis_completed(plan)
    Milestone.objects.filter(cycle=cycle, kind="assessment").update(state="done", done_at=timezone.now())
    _item(world)  # written after the assessment took place
    assert not self_diagnosis_completed(plan)
    ImprovementPlanItem.objects.update(raised_on=timezone.localdate() - timedelta(days=30))
    assert self_diagnosis_completed(plan)


def test_open_items_carry_over_into_the_next_cycle(world, api_client, django_capture_on_commit_callbacks):
    factory, _user, advisor = world
    cycle_start(factory_id=factory.pk, on=date(2025, 6, 2))
    open_item, done_item = _item(world), _item(world)
    item_transition(item_id=done_item.pk, actor=advisor, target="completed", **CHECKS)
    with django_capture_on_commit_callbacks(execute=True):
        run_milestones(as_of=date(2026, 6, 3))  # cycle 1 ends; the signal is sent once the batch commits
    open_item.refresh_from_db()
    assert open_item.cycle is None
    assert open_item.history.first().history_change_reason == "carried over: the cycle closed"

    api_client.force_authenticate(advisor)
    response = api_client.post("/api/v1/visits/", {"factory": factory.pk, "date": str(timezone.localdate()),
                                                   "modality": "onsite", "days": "1"}, format="json")  # fmt: skip
    assert response.status_code == 201
    open_item.refresh_from_db()
    done_item.refresh_from_db()
    assert open_item.cycle.number == 2
    assert done_item.cycle.number == 1
