"""Read-side helpers: a factory's training history (it feeds Progress Report 1 and differentiation criterion 9,
R-TRN-4), suggestions, and the allowance use of a country's factories."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from assessments.models import Assessment, Cluster, Finding
from factories.allowances import Allowance
from factories.models import Factory, ServiceCycle
from training.allowances import participant_days_allowance, seminars_allowance
from training.models import Course, Enrolment, Participant, Seminar, SeminarParticipation, TrainingSession


def training_history(factory: Factory) -> dict[str, Any]:
    """The factory's enrolments (with named participants and the days each attended) and seminars, newest first.
    `{"enrolments": [...], "seminars": [...], "participant_days": n, "attended_days": n}`."""
    people = Participant.objects.annotate(days_present=Count("attendance", filter=Q(attendance__present=True)))
    enrolments = list(
        Enrolment.objects.filter(factory=factory)
        .select_related("session__course", "cycle")
        .prefetch_related(Prefetch("people", queryset=people))
        .order_by("-session__start_date", "-id")
    )
    seminars = list(
        SeminarParticipation.objects.filter(factory=factory).select_related("seminar", "cycle")
        .prefetch_related("actions").order_by("-seminar__date", "-id")
    )  # fmt: skip
    return {
        "enrolments": enrolments,
        "seminars": seminars,
        "participant_days": sum(e.participant_days for e in enrolments),
        "attended_days": sum(p.days_present for e in enrolments for p in e.people.all()),
    }


def open_cycle(factory: Factory) -> ServiceCycle | None:
    return factory.cycles.filter(status="open").first()


@dataclass
class AllowanceUse:
    factory: Factory
    cycle: ServiceCycle | None
    participant_days: Allowance | None
    seminars: Allowance | None


def allowance_use(factories: QuerySet[Factory]) -> list[AllowanceUse]:
    """Each factory's participant-days and seminars in its open cycle (None outside a cycle)."""
    rows = []
    cycles = {c.factory_id: c for c in ServiceCycle.objects.filter(factory__in=factories, status="open")}
    for factory in factories:
        cycle = cycles.get(factory.pk)
        rows.append(AllowanceUse(
            factory=factory, cycle=cycle,
            participant_days=participant_days_allowance(cycle) if cycle else None,
            seminars=seminars_allowance(cycle) if cycle else None,
        ))  # fmt: skip
    return rows


@dataclass
class Suggestion:
    cluster: Cluster
    issues: int
    sessions: list[TrainingSession] = field(default_factory=list)
    seminars: list[Seminar] = field(default_factory=list)


def suggestions(factory: Factory, *, today: Any = None, limit: int = 3) -> list[Suggestion]:
    """Upcoming sessions and seminars of the factory's country that address the clusters with the most open issues.

    The issues are the non-compliant findings of the factory's last finalised (or published) assessment, per
    cluster. The improvement plan belongs to the advisory app, which training may not import (the two are
    siblings): its open items are mostly those same findings (R-ADV-2), so the assessment stands for both."""
    today = today or factory.country.local_today()
    last = (
        Assessment.objects.filter(factory=factory, status__in=Assessment.CLOSED)
        .order_by("-finalised_at", "-id").values_list("pk", flat=True).first()
    )  # fmt: skip
    if last is None:
        return []
    counts = (
        Finding.objects.filter(assessment_id=last, result=Finding.Result.NON_COMPLIANT)
        .values("question__cluster").annotate(n=Count("id")).order_by("-n", "question__cluster__position")
    )  # fmt: skip
    ranked = [(row["question__cluster"], row["n"]) for row in counts[:limit]]
    clusters = Cluster.objects.in_bulk([code for code, _ in ranked])
    codes = list(clusters)
    sessions = (
        TrainingSession.objects.filter(course__country_id=factory.country_id, course__cluster_id__in=codes,
                                       start_date__gte=today)
        .select_related("course").order_by("start_date")
    )  # fmt: skip
    seminars = Seminar.objects.filter(country_id=factory.country_id, cluster_id__in=codes, date__gte=today)
    result = {code: Suggestion(cluster=clusters[code], issues=n) for code, n in ranked}
    for session in sessions:
        result[session.course.cluster_id].sessions.append(session)
    for seminar in seminars.order_by("date"):
        result[seminar.cluster_id].seminars.append(seminar)
    return list(result.values())


def catalogue(user: Any) -> QuerySet[Course]:
    from betterwork.accounts.policy import visible

    return visible(user, Course).select_related("country", "cluster")


def training_summary(cycle: ServiceCycle) -> dict[str, int]:
    """Figures of one cycle for differentiation criterion 9 (learning plan) and the reports (R-TRN-4):
    participant-days booked and attended, people trained (attended at least one day), seminars, seminar actions."""
    enrolments = Enrolment.objects.filter(cycle=cycle)
    people = Participant.objects.filter(enrolment__cycle=cycle)
    return {
        "participant_days_booked": enrolments.aggregate(n=Sum("participant_days"))["n"] or 0,
        "participant_days_attended": people.filter(attendance__present=True).count(),
        "people_trained": people.filter(attendance__present=True).distinct().count(),
        "seminars": SeminarParticipation.objects.filter(cycle=cycle).count(),
        "seminar_actions": SeminarParticipation.objects.filter(cycle=cycle).aggregate(n=Count("actions"))["n"] or 0,
    }


def progress_report_1_answers(cycle: ServiceCycle) -> dict[str, str]:
    """Suggested answers for the "Continuous learning" part of Progress Report 1 (R-RPT-2, R-TRN-4), one line per
    course or seminar, with the keys of `progress_report_1_template.json`. The factory edits them before it submits."""
    enrolments = (
        Enrolment.objects.filter(cycle=cycle).select_related("session__course").order_by("session__start_date", "id")
    )
    participations = (
        SeminarParticipation.objects.filter(cycle=cycle)
        .select_related("seminar")
        .prefetch_related("actions")
        .order_by("seminar__date", "id")
    )
    return {
        "trainings_attended": "\n".join(
            f"{e.session.course.tr.title} ({e.session.start_date}): {e.participants}" for e in enrolments
        ),
        "seminars_attended": "\n".join(f"{p.seminar.title} ({p.seminar.date})" for p in participations),
        "actions_from_seminars": "\n".join(
            f"{a.cluster_id}: {a.text}" + (f" — {a.action}" if a.action else "")
            for p in participations
            for a in p.actions.all()
        ),
    }
