"""Published assessments built directly (bulk rows, no services): fast enough for property tests and for
factories with several assessments (one assessment per cycle, so each gets a cycle of its own).

Only questions mapped to critical issues get findings (one question per issue), plus a few non-critical ones.
"""

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from assessments.models import Assessment, Finding, Question
from factories.models import Factory, ServiceCycle

_cycle_numbers = itertools.count(1)


def critical_questions() -> dict[str, Question]:
    """One question per critical issue (the first by version, code)."""
    chosen: dict[str, Question] = {}
    for question in Question.objects.filter(critical_issue__isnull=False).order_by("version", "code"):
        chosen.setdefault(question.critical_issue_id, question)
    return chosen


def other_questions(n: int = 3) -> list[Question]:
    return list(Question.objects.filter(critical_issue__isnull=True).order_by("version", "code")[:n])


def assessment_row(
    factory: Factory, *, on: date, status: str = Assessment.Status.PUBLISHED, number: int | None = None
) -> Assessment:
    """An assessment in `status` started on `on`, with the dates its constraints require (no findings)."""
    cycle = ServiceCycle.objects.create(
        factory=factory, number=number or next(_cycle_numbers), start_date=on - timedelta(days=100),
        end_date=on + timedelta(days=200), status=ServiceCycle.Status.CLOSED,
    )  # fmt: skip
    closed = status in (Assessment.Status.FINALISED, Assessment.Status.PUBLISHED)
    submitted = status in (*Assessment.CLOSED, Assessment.Status.FEEDBACK)
    started = status != Assessment.Status.PLANNED
    moment = datetime.combine(on + timedelta(days=10), time(9), tzinfo=UTC)
    return Assessment.objects.create(
        factory=factory, cycle=cycle, modality="onsite", cat_version=1, status=status,
        started_on=on if started else None,
        submitted_on=on + timedelta(days=1) if submitted else None,
        feedback_deadline=on + timedelta(days=8) if submitted else None,
        finalised_at=moment if closed else None,
        published_at=moment + timedelta(days=1) if status == Assessment.Status.PUBLISHED else None,
    )  # fmt: skip


def findings(assessment: Assessment, results: dict[str, str], *, others: Iterable[tuple[Question, str]] = ()) -> None:
    """`results`: critical issue code → result (compliant / non_compliant / not_applicable); issues left out
    get no finding. `others`: findings on non-critical questions."""
    questions = critical_questions()
    rows = [Finding(assessment=assessment, question=questions[code], result=result) for code, result in results.items()]
    rows += [Finding(assessment=assessment, question=q, result=result) for q, result in others]
    Finding.objects.bulk_create(rows)


def published(factory: Factory, on: date, non_compliant: Iterable[str] = (), *, all_issues: bool = True) -> Assessment:
    """A published assessment: every critical issue answered compliant except `non_compliant`."""
    assessment = assessment_row(factory, on=on)
    codes = set(critical_questions()) if all_issues else set(non_compliant)
    findings(assessment, {c: "non_compliant" if c in set(non_compliant) else "compliant" for c in codes})
    return assessment
