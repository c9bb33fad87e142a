"""Service differentiation (R-DIF): the computed criteria 1, 6 and 7, the judged ones, the stage and its effects."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from advisory.services.plan import item_add_self_diagnosis
from assessments.models import Question
from betterwork.common.exceptions import ApplicationError, NotPermitted
from betterwork.common.models import Notification
from factories.models import Factory, Milestone
from reporting import rules_differentiation  # noqa: F401  (registered by reporting/rules.py once wired)
from reporting.models import CriterionJudgement, Evaluation
from reporting.services.differentiation import evaluation_run, progress, stage_change, suggestions
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    CommitteeBuilder,
    CommitteeMeetingBuilder,
    MeetingOutcomeBuilder,
    buyer_user,
    factory_user,
    staff,
)
from tests.reporting.differentiation.helpers import ALL_MET, assessed, next_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=UTC), tick=False):
        yield


def _met(evaluation: Evaluation) -> dict[int, bool]:
    return dict(evaluation.judgements.values_list("criterion_id", "met"))


def test_evaluation_is_refused_before_two_closed_assessments():
    """R-DIF-1: none, then one closed assessment: 400 that says why; nothing is written."""
    advisor = staff("advisor", "KH")
    for count in (0, 1):
        factory = assessed(count)
        with pytest.raises(ApplicationError, match="only after two closed assessments") as refused:
            evaluation_run(factory=factory, actor=advisor, judgements=ALL_MET, feedback="")
        assert refused.value.field is None
        assert progress(factory).provisional
    assert not Evaluation.objects.exists()


def test_all_nine_met_moves_to_stage_2_with_history_replan_and_acknowledgement(django_capture_on_commit_callbacks):
    """R-DIF-3: stage 2 saved with history; the next cycle (following an assessed one) loses its assessment
    (R-CYC-2); the factory and its authorised buyers are told, not an unauthorised or revoked buyer."""
    factory = assessed()
    cycle = next_cycle(factory, date(2026, 11, 2))  # cycle 3 follows the assessed cycle 2
    assessment = cycle.milestones.get(kind=Milestone.Kind.ASSESSMENT)
    assert assessment.state == Milestone.State.PLANNED
    own = factory_user(factory)
    authorised = buyer_user(BuyerAuthorisationBuilder(factory=factory).buyer)
    outsider = buyer_user(BuyerBuilder())
    revoked = BuyerAuthorisationBuilder(factory=factory, revoked_at=datetime(2026, 11, 1, tzinfo=UTC),
                                        granted_at=datetime(2026, 10, 1, tzinfo=UTC))  # fmt: skip
    former = buyer_user(revoked.buyer)
    advisor = staff("advisor", "KH")

    with django_capture_on_commit_callbacks(execute=True):
        evaluation = evaluation_run(factory=factory, actor=advisor, judgements=ALL_MET, feedback="Well done.")

    factory.refresh_from_db()
    assert (evaluation.all_met, evaluation.stage_before, evaluation.stage_after) == (True, 1, 2)
    assert evaluation.assessments_counted == 2
    assert factory.stage == Factory.Stage.TWO
    assert set(_met(evaluation).values()) == {True}
    assert set(evaluation.judgements.filter(computed=True).values_list("criterion_id", flat=True)) == {1, 6, 7}
    record = factory.history.order_by("-history_date", "-history_id").first()
    assert (record.stage, record.history_user, record.history_change_reason) == (
        2, advisor, "All nine differentiation criteria met.")  # fmt: skip
    assessment.refresh_from_db()
    assert assessment.state == Milestone.State.CANCELLED
    assert assessment.history.order_by("-history_id").first().history_change_reason == (
        "All nine differentiation criteria met.")  # fmt: skip
    told = set(Notification.objects.filter(key__startswith=f"differentiation:{factory.pk}:").values_list(
        "recipient", flat=True))  # fmt: skip
    assert told == {own.pk, authorised.pk}
    assert outsider.pk not in told
    assert former.pk not in told
    assert Notification.objects.get(recipient=own, key__startswith="differentiation:").url == (
        f"/factories/{factory.pk}/differentiation/")  # fmt: skip


def test_a_critical_non_compliance_in_either_recent_assessment_keeps_stage_1():
    """R-DIF-3: criterion 1 is computed from the two most recent assessments and cannot be overridden."""
    factory = assessed(first=("OSH.2.01",))
    advisor = staff("advisor", "KH")
    evaluation = evaluation_run(factory=factory, actor=advisor, judgements=ALL_MET, feedback="")
    factory.refresh_from_db()
    assert _met(evaluation)[1] is False
    assert "OSH-2" in evaluation.judgements.get(criterion_id=1).rationale
    assert (evaluation.all_met, evaluation.stage_after, factory.stage) == (False, 1, 1)
    assert not Notification.objects.filter(key__startswith="differentiation:").exists()  # no stage change
    with pytest.raises(ApplicationError, match="computed by the platform") as refused:
        evaluation_run(factory=factory, actor=advisor, judgements={**ALL_MET, 1: {"met": True, "rationale": "x"}})
    assert refused.value.field == "criterion_1"


def test_one_management_system_question_non_compliant_fails_criterion_7():
    """Criterion 7: all 14 HR/OSH management-system questions compliant in the most recent assessment."""
    assert Question.objects.filter(global_code="CHR.5.01").exclude(management_system="").exists()
    failing = assessed(second=("CHR.5.01",))
    assert progress(failing).computed[7].met is False
    assert "CHR.5.01" in progress(failing).computed[7].rationale
    passing = assessed(first=("OSH.4.02",))  # only the most recent assessment counts
    assert progress(passing).computed[7].met is True
    assert progress(passing).computed[1].met is True


def test_a_cluster_with_non_compliance_but_no_self_diagnosed_item_fails_criterion_6():
    """Criterion 6: assessment items in the plan do not count; a self-diagnosed item of the cluster does."""
    factory = assessed(second=("COMP.5.01",))
    assert factory.improvement_plan.items.filter(source="assessment").exists()
    live = progress(factory)
    assert live.computed[6].met is False
    cluster = Question.objects.filter(global_code="COMP.5.01").first().cluster
    assert str(cluster.name) in live.computed[6].rationale
    item_add_self_diagnosis(factory=factory, actor=factory_user(factory), cluster=cluster, text="Late wages")
    assert progress(factory).computed[6].met is True


def test_judged_criteria_each_need_met_and_a_rationale():
    factory = assessed()
    advisor = staff("advisor", "KH")
    cases = [
        ({**ALL_MET, 3: {"met": True, "rationale": "  "}}, "criterion_3_rationale", "Criterion 3"),
        ({**ALL_MET, 8: {"rationale": "Seen."}}, "criterion_8_met", "Criterion 8"),
        ({n: v for n, v in ALL_MET.items() if n != 9}, "criterion_9_met", "Criterion 9"),
        ({**ALL_MET, 12: {"met": True, "rationale": "x"}}, "judgements", "no criterion 12"),
    ]
    for judgements, field, message in cases:
        with pytest.raises(ApplicationError, match=message) as refused:
            evaluation_run(factory=factory, actor=advisor, judgements=judgements)
        assert refused.value.field == field
    assert not Evaluation.objects.exists()
    assert not CriterionJudgement.objects.exists()


def test_a_stage_2_factory_whose_new_evaluation_fails_goes_back_to_stage_1():
    factory = assessed()
    manager = staff("programme_manager", "KH")
    evaluation_run(factory=factory, actor=manager, judgements=ALL_MET)
    second = evaluation_run(
        factory=factory, actor=manager, judgements={**ALL_MET, 8: {"met": False, "rationale": "No anonymous box."}}
    )
    factory.refresh_from_db()
    assert (second.stage_before, second.stage_after, factory.stage) == (2, 1, 1)
    assert Evaluation.objects.filter(factory=factory).count() == 2  # history kept
    assert factory.history.order_by("-history_date", "-history_id").first().history_change_reason == (
        "Differentiation criteria not met: 8.")  # fmt: skip


def test_only_the_factorys_advisor_or_the_countrys_manager_evaluates():
    factory = assessed()
    mine = staff("advisor", "KH")
    Factory.objects.filter(pk=factory.pk).update(advisor=mine)
    factory.refresh_from_db()
    for outsider in (staff("advisor", "KH"), staff("assessor", "KH"), staff("programme_manager", "VN"),
                     factory_user(factory)):  # fmt: skip
        with pytest.raises(NotPermitted):
            evaluation_run(factory=factory, actor=outsider, judgements=ALL_MET)
    assert evaluation_run(factory=factory, actor=mine, judgements=ALL_MET).stage_after == 2


def test_stage_2_only_through_an_evaluation_with_all_criteria_met():
    factory = assessed()
    manager = staff("programme_manager", "KH")
    with pytest.raises(ApplicationError, match="only through an evaluation"):
        stage_change(factory=factory, actor=manager, stage=2, reason="Because.")
    factory.refresh_from_db()
    assert factory.stage == 1


def test_criterion_2_is_suggested_from_the_committees_meetings_of_the_past_year():
    factory = assessed(0)
    committee = CommitteeBuilder(factory=factory)
    for days_ago in range(6):
        meeting = CommitteeMeetingBuilder(committee=committee, held_on=date(2026, 11, 1 + days_ago))
        if days_ago:
            MeetingOutcomeBuilder(meeting=meeting)
    CommitteeMeetingBuilder(committee=committee, held_on=date(2025, 6, 1))  # more than a year ago
    hint = suggestions(factory)[2]
    assert hint.met is False
    assert "5 of 6" in hint.note
    MeetingOutcomeBuilder(meeting=committee.meetings.filter(outcomes__isnull=True, held_on__year=2026).get())
    assert suggestions(factory)[2].met is True


def test_stage_2_cancels_an_assessment_already_planned_in_the_cycle_that_loses_it():
    """R-DIF-3 with R-CYC-2: the replan cancels the assessment milestone and the planned assessment with it (the
    schedule would otherwise send assessors to a factory that is not due one); the reason is kept in its history."""
    from assessments.models import Assessment
    from tests.assessments.builders import planned_assessment

    factory = assessed()
    cycle = next_cycle(factory, date(2026, 11, 2))
    planned = planned_assessment(factory=factory, on=date(2027, 3, 1))
    assert planned.cycle_id == cycle.pk
    evaluation_run(factory=factory, actor=staff("advisor", "KH"), judgements=ALL_MET, feedback="")
    planned.refresh_from_db()
    assert planned.status == Assessment.Status.CANCELLED
    assert planned.history.order_by("-history_id").first().history_change_reason == (
        "cancelled: All nine differentiation criteria met.")  # fmt: skip
    earlier = Assessment.objects.filter(factory=factory).exclude(pk=planned.pk)
    assert set(earlier.values_list("status", flat=True)) == {"published"}
