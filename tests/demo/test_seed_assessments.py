"""seed_demo's assessments (R-ASM): one per cycle whose assessment milestone is done, at the point of the
lifecycle the cycle has reached, consistent with the services and idempotent."""

from collections import Counter
from datetime import date, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from advisory.models import ImprovementPlanItem
from assessments.models import Assessment, Finding, FindingMessage
from assessments.services.fieldwork import FEEDBACK_WORKING_DAYS
from assessments.services.questions import questions_of
from assessments.services.schedule import initial_advisory_end
from betterwork.accounts.models import Role, User
from betterwork.accounts.policy import visible
from betterwork.demo.seed import seed_demo
from factories.calendars import add_working_days
from factories.models import Milestone

TODAY = date(2026, 11, 24)
SIZE, SEED = 40, 1  # small, yet every status of the lifecycle appears
S = Assessment.Status


def _statuses() -> Counter:
    return Counter(Assessment.objects.values_list("status", flat=True))


def _milestone(assessment: Assessment, kind: str) -> Milestone:
    return Milestone.objects.get(cycle=assessment.cycle, kind=kind)


@pytest.mark.django_db
def test_every_assessed_cycle_has_one_started_assessment_and_a_second_run_adds_none():
    first = seed_demo(size=SIZE, seed=SEED, today=TODAY)
    statuses = _statuses()
    findings = Finding.objects.count()
    second = seed_demo(size=SIZE, seed=SEED, today=TODAY)

    assert set(statuses) == {S.PLANNED, S.IN_PROGRESS, S.FEEDBACK, S.FINALISED, S.PUBLISHED}
    assert first.created["published assessments"] == statuses[S.PUBLISHED]
    assert not any(second.created.values())
    assert _statuses() == statuses
    assert Finding.objects.count() == findings
    done = Milestone.objects.filter(kind=Milestone.Kind.ASSESSMENT, state=Milestone.State.DONE)
    assert done.exists()
    for milestone in done:
        assert Assessment.objects.filter(cycle=milestone.cycle_id, status__in=Assessment.STARTED).count() == 1
    started = Assessment.objects.filter(status__in=Assessment.STARTED)
    assert started.count() == done.count()


@pytest.mark.django_db
def test_submitted_assessments_answer_every_question_mostly_compliant_with_notes():
    seed_demo(size=SIZE, seed=SEED, today=TODAY)

    submitted = Assessment.objects.filter(status__in=(S.FEEDBACK, *Assessment.CLOSED)).select_related("factory")
    assert submitted.exists()
    for assessment in submitted:
        questions = set(questions_of(assessment).values_list("pk", flat=True))
        findings = assessment.findings.select_related("question")
        assert {f.question_id for f in findings} == questions, assessment.pk
        non_compliant = [f for f in findings if f.result == Finding.Result.NON_COMPLIANT]
        assert 1 <= len(non_compliant) <= round(0.12 * len(questions)) + 1
        assert sum(f.is_critical for f in non_compliant) <= 3
        assert all(f.notes for f in findings if f.result != Finding.Result.COMPLIANT)
        code = assessment.factory.country_id.lower()
        assert {a.username for a in assessment.assessors.all()} == {f"assessor.{code}", f"assessor2.{code}"}
        assessment_done = _milestone(assessment, Milestone.Kind.ASSESSMENT)
        assert assessment.started_on == timezone.localdate(assessment_done.done_at)
        assert assessment.submitted_on == assessment.started_on + timedelta(days=1)
        assert assessment.feedback_deadline == add_working_days(
            assessment.factory.country_id, assessment.submitted_on, FEEDBACK_WORKING_DAYS
        )
        assert assessment.schedule.planned_date == assessment.started_on


@pytest.mark.django_db
def test_what_follows_the_submission_depends_on_the_cycle():
    seed_demo(size=SIZE, seed=SEED, today=TODAY)

    for assessment in Assessment.objects.filter(status__in=(S.FEEDBACK, *Assessment.CLOSED)):
        report = _milestone(assessment, Milestone.Kind.ASSESSMENT_REPORT_RELEASE)
        assert (assessment.status == S.PUBLISHED) == (report.state == Milestone.State.DONE), assessment.pk
        if assessment.status == S.FEEDBACK:
            assert assessment.submitted_on > TODAY - timedelta(days=8) or assessment.feedback_deadline >= TODAY
            assert assessment.finalised_at is None
            responses = FindingMessage.objects.filter(finding__assessment=assessment, from_factory=True)
            assert 1 <= responses.count() <= 2
            assert {m.author.factory_id for m in responses} == {assessment.factory_id}
        else:  # finalised after its feedback period, published when the report was released
            assert timezone.localdate(assessment.finalised_at) > assessment.feedback_deadline
            assert timezone.localdate(assessment.finalised_at) <= TODAY
            if assessment.status == S.PUBLISHED:
                assert assessment.published_at >= assessment.finalised_at


@pytest.mark.django_db
def test_every_non_compliance_of_a_finalised_assessment_is_in_the_improvement_plan():
    seed_demo(size=SIZE, seed=SEED, today=TODAY)

    closed = Assessment.objects.filter(status__in=Assessment.CLOSED)
    assert closed.exists()
    for assessment in closed:
        codes = set(
            assessment.findings.filter(result=Finding.Result.NON_COMPLIANT).values_list("question__code", flat=True)
        )
        items = ImprovementPlanItem.objects.filter(plan__factory=assessment.factory, source="assessment")
        references = set(items.filter(reference__startswith=f"assessment:{assessment.pk}:").values_list(
            "question_code", flat=True
        ))  # fmt: skip
        assert references == codes, assessment.pk
    assert not ImprovementPlanItem.objects.filter(reference__startswith="demo-finding").exists()
    unfinished = Assessment.objects.exclude(status__in=Assessment.CLOSED).values_list("pk", flat=True)
    for pk in unfinished:
        assert not ImprovementPlanItem.objects.filter(reference__startswith=f"assessment:{pk}:").exists()
    completed = ImprovementPlanItem.objects.filter(source="assessment", status="completed")
    assert not completed.filter(completed_by__isnull=True).exists()
    assert ImprovementPlanItem.objects.filter(source="self_diagnosis").exists()


@pytest.mark.django_db
def test_planned_ones_are_scheduled_after_the_initial_advisory_phase_and_hidden_from_the_factory():
    """R-ASM-3, R-CYC-2."""
    seed_demo(size=SIZE, seed=SEED, today=TODAY)

    planned = Assessment.objects.filter(status=S.PLANNED).select_related("schedule", "cycle")
    assert planned.exists()
    for assessment in planned:
        assert initial_advisory_end(assessment.cycle) <= assessment.schedule.planned_date <= assessment.cycle.end_date
        assert assessment.schedule.planned_date > TODAY
        assert assessment.started_on is None
        assert not assessment.findings.exists()
        assert _milestone(assessment, Milestone.Kind.ASSESSMENT).state == Milestone.State.PLANNED
    for user in User.objects.filter(role=Role.FACTORY, factory__assessments__isnull=False).distinct():
        assert not visible(user, Assessment).filter(status=S.PLANNED).exists(), user.username
    factory_user = User.objects.get(role=Role.FACTORY, factory=planned.first().factory)
    assert not visible(factory_user, Assessment).exists()


@pytest.mark.django_db
def test_one_or_two_per_country_are_under_way_half_answered():
    seed_demo(size=SIZE, seed=SEED, today=TODAY)

    under_way = Assessment.objects.filter(status=S.IN_PROGRESS).select_related("cycle", "factory")
    assert under_way.exists()
    assert max(Counter(a.factory.country_id for a in under_way).values()) <= 2
    for assessment in under_way:
        questions = questions_of(assessment).count()
        assert assessment.findings.count() == questions // 2
        assert initial_advisory_end(assessment.cycle) <= assessment.started_on <= TODAY
        done = _milestone(assessment, Milestone.Kind.ASSESSMENT)
        assert done.state == Milestone.State.DONE
        assert timezone.localdate(done.done_at) == assessment.started_on


class _Undo(Exception):
    pass


def _seeded_with_clock(now: date) -> list[tuple]:
    """The assessments a seed anchored at TODAY writes while the real clock says `now` (rolled back after)."""
    try:
        with time_machine.travel(now, tick=False), transaction.atomic():
            seed_demo(size=SIZE, seed=SEED, today=TODAY)
            rows = [
                (a.factory.name, a.cycle.number, a.status, a.modality, a.started_on, a.submitted_on,
                 a.feedback_deadline, a.schedule.planned_date,
                 sorted(a.findings.values_list("question__code", "result", "notes")),
                 FindingMessage.objects.filter(finding__assessment=a).count(),
                 sorted(ImprovementPlanItem.objects.filter(reference__startswith=f"assessment:{a.pk}:")
                        .values_list("question_code", "status", "raised_on")))
                for a in Assessment.objects.select_related("factory", "cycle", "schedule").order_by("factory__name")
            ]  # fmt: skip
            raise _Undo
    except _Undo:
        return rows


@pytest.mark.django_db
def test_the_demo_is_the_same_whatever_the_real_date():
    """The services refuse a start in the future and responses after the deadline: the demo writes those
    rows itself, identical to what the services write when the real date lets them run."""
    on_the_day = _seeded_with_clock(TODAY)
    assert on_the_day == _seeded_with_clock(TODAY - timedelta(days=30))  # --today in the future
    assert on_the_day == _seeded_with_clock(TODAY + timedelta(days=90))  # an old anchor: deadlines passed
