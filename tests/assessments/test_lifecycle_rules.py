"""The assessment lifecycle through its services (R-ASM, R-CYC-2): the happy path and what each step refuses."""

from datetime import date

import pytest

from advisory.models import ImprovementPlanItem
from assessments.models import Assessment
from assessments.services.feedback import assessment_finalise, feedback_periods_ended, finding_respond
from assessments.services.schedule import assessment_plan
from betterwork.common.exceptions import ApplicationError, InvalidTransition, NotPermitted
from betterwork.common.models import Notification
from factories.models import Milestone
from tests.assessments.builders import (
    assessable_factory,
    finalised,
    in_feedback,
    manager_of,
    published,
    team,
)
from tests.builders import factory_user

pytestmark = pytest.mark.django_db


def test_finalised_non_compliances_become_plan_items_once():
    """R-ADV-2: every non-compliance of a finalised assessment joins the improvement plan (source assessment)."""
    assessment = finalised(non_compliant=("OSH.2.01", "COMP.5.01"))
    items = ImprovementPlanItem.objects.filter(plan__factory=assessment.factory, source="assessment")
    assert sorted(items.values_list("question_code", flat=True)) == ["COMP.5.01", "OSH.2.01"]
    assert items.get(question_code="OSH.2.01").critical_issue_id == "OSH-2"


def test_publish_completes_the_report_milestone():
    assessment = published()
    milestones = dict(assessment.cycle.milestones.values_list("kind", "state"))
    assert milestones["assessment"] == Milestone.State.DONE
    assert milestones["assessment_report_release"] == Milestone.State.DONE
    assert assessment.status == Assessment.Status.PUBLISHED


def test_planning_inside_the_initial_advisory_phase_is_refused():
    """R-CYC-2: no assessment before the initial advisory phase is over, whoever asks."""
    factory, _ = assessable_factory()
    manager, first, second = team()
    with pytest.raises(ApplicationError, match="inside the initial advisory phase"):
        assessment_plan(factory=factory, actor=manager, planned_date=date(2026, 3, 2), modality="onsite",
                        assessors=[first, second])  # fmt: skip
    assert not Assessment.objects.exists()


def test_an_assessor_cannot_be_booked_twice():
    manager, first, second = team()
    factory_a, _ = assessable_factory()
    factory_b, _ = assessable_factory()
    assessment_plan(factory=factory_a, actor=manager, planned_date=date(2026, 4, 20), modality="onsite",
                    assessors=[first, second])  # fmt: skip
    with pytest.raises(ApplicationError, match="already assess"):
        assessment_plan(factory=factory_b, actor=manager, planned_date=date(2026, 4, 21), modality="onsite",
                        assessors=[first, second])  # fmt: skip


def test_finalise_waits_for_the_feedback_period(time_machine):
    time_machine.move_to("2026-04-22 10:00Z")
    assessment = in_feedback(submitted_on=date(2026, 4, 21))
    with pytest.raises(InvalidTransition, match="may respond until"):
        assessment_finalise(assessment_id=assessment.pk, actor=manager_of(assessment))


def test_a_factory_user_of_another_factory_cannot_respond(time_machine):
    time_machine.move_to("2026-04-22 10:00Z")
    assessment = in_feedback(submitted_on=date(2026, 4, 21))
    other, _ = assessable_factory()
    with pytest.raises(NotPermitted):
        finding_respond(assessment_id=assessment.pk, actor=factory_user(other), question="OSH.2.01", text="Fixed.")


def test_managers_hear_once_that_a_feedback_period_ended(time_machine):
    """R-CYC-8 automatic step: after the deadline the manager is told to finalise; a second run adds nothing."""
    time_machine.move_to("2026-04-22 10:00Z")
    assessment = in_feedback(submitted_on=date(2026, 4, 21))
    assert feedback_periods_ended() == 0
    time_machine.move_to("2026-05-05 10:00Z")
    assert feedback_periods_ended() == 1
    feedback_periods_ended()
    notes = Notification.objects.filter(key__startswith=f"assessment:{assessment.pk}:feedback-over")
    assert [n.recipient for n in notes] == [manager_of(assessment)]
