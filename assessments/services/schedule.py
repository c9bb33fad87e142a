"""Planning an assessment in secret (R-ASM-3): the programme manager picks a date, a modality and the
assessors. Refused inside the initial advisory phase (R-CYC-2), when no assessment is due this cycle
(stage 2, phase 1), when the phase forbids the modality (R-CTY-3), or when an assessor is booked.

Nothing here touches a row a factory or buyer user can see: the cycle, its milestones and the factory
keep their values (and `updated_at`) until the assessment is started.
"""

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assessments.models import Assessment, Schedule
from assessments.services.common import locked, require_status, save
from assessments.services.questions import current_version
from betterwork.accounts.models import Role, User
from betterwork.common.exceptions import ApplicationError
from factories.models import Factory, Milestone, ServiceCycle
from factories.schedule import INITIAL_ADVISORY_DAYS
from factories.services.common import require
from factories.services.phases import require_modality_allowed

ONSITE_ASSESSORS = 2  # R-CYC-2: two assessors, two days
MAX_DAYS = 5


def assessment_plan(
    *, factory: Factory, actor: Any, planned_date: date, modality: str, assessors: list[Any], days: int = 2
) -> Assessment:
    require(actor, "plan_assessment", factory)
    with transaction.atomic():
        cycle = _open_cycle(factory)
        require_assessable(cycle, planned_date)
        require_modality_allowed(factory=factory, on=planned_date, modality=modality)
        people = _assessors(assessors, factory=factory, modality=modality)
        _require_free(people, planned_date, days, exclude=None)
        assessment = Assessment(
            factory=factory, cycle=cycle, modality=modality, cat_version=current_version(), created_by=actor
        )
        try:
            with transaction.atomic():
                save(assessment, actor, "planned")
        except IntegrityError as exc:
            raise ApplicationError(_("This cycle already has an assessment.")) from exc
        assessment.assessors.set(people)
        schedule = Schedule(assessment=assessment, planned_date=planned_date, days=days)
        schedule.full_clean(validate_unique=False)
        schedule._history_user = actor
        schedule.save()
    return assessment


def assessment_reschedule(
    *,
    assessment_id: int,
    actor: Any,
    planned_date: date | None = None,
    modality: str | None = None,
    assessors: list[Any] | None = None,
    days: int | None = None,
) -> Assessment:
    """Move a planned assessment, change its modality or its assessors; the schedule's history keeps who
    moved it from when to when (staff only)."""
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "manage")
        require_status(assessment, Assessment.Status.PLANNED, message=_("Only a planned assessment is rescheduled."))
        schedule = assessment.schedule
        planned_date = planned_date or schedule.planned_date
        days = days or schedule.days
        modality = modality or assessment.modality
        require_assessable(assessment.cycle, planned_date)
        require_modality_allowed(factory=assessment.factory, on=planned_date, modality=modality)
        people = _assessors(
            assessors if assessors is not None else list(assessment.assessors.all()),
            factory=assessment.factory,
            modality=modality,
        )
        _require_free(people, planned_date, days, exclude=assessment)
        if modality != assessment.modality:
            assessment.modality = modality
            save(assessment, actor, "modality changed")
        assessment.assessors.set(people)
        schedule.planned_date, schedule.days = planned_date, days
        schedule.full_clean(validate_unique=False)
        schedule._history_user = actor
        schedule.save()
    return assessment


def assessment_cancel(*, assessment_id: int, actor: Any, reason: str) -> Assessment:
    if not reason.strip():
        raise ApplicationError(_("Say why the assessment is cancelled."), field="reason")
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "manage")
        require_status(assessment, Assessment.Status.PLANNED, message=_("Only a planned assessment is cancelled."))
        assessment.status = Assessment.Status.CANCELLED
        save(assessment, actor, f"cancelled: {reason.strip()}")
    return assessment


def assessments_cancel_in_cycle(*, cycle: ServiceCycle, actor: Any, reason: str) -> int:
    """The cycle no longer has an assessment (a replan after a stage or phase change, R-DIF-3, R-CTY-3): an
    assessment planned in it is cancelled with the replan's reason, whoever triggered it (a consequence, not a
    decision of the actor). Started assessments are never touched. Returns how many were cancelled."""
    cancelled = 0
    for assessment in Assessment.objects.select_for_update(of=("self",)).filter(
        cycle=cycle, status=Assessment.Status.PLANNED
    ):
        assessment.status = Assessment.Status.CANCELLED
        save(assessment, actor, f"cancelled: {reason}")
        cancelled += 1
    return cancelled


def _open_cycle(factory: Factory) -> ServiceCycle:
    cycle = factory.cycles.filter(status=ServiceCycle.Status.OPEN).first()
    if cycle is None:
        raise ApplicationError(
            _("%(factory)s has no open service cycle: an assessment follows the initial advisory phase of a cycle.")
            % {"factory": factory.name},
            field="factory",
        )
    return cycle


def initial_advisory_end(cycle: ServiceCycle) -> date:
    return cycle.start_date + timedelta(days=INITIAL_ADVISORY_DAYS)


def require_assessable(cycle: ServiceCycle, day: date) -> None:
    """R-CYC-2: not before the initial advisory phase is over, whoever asks; within the cycle; and only in a
    cycle that has an assessment (stage 2 factories skip every other cycle; phase 1 has none)."""
    end = initial_advisory_end(cycle)
    if day < end:
        raise ApplicationError(
            _("%(day)s is inside the initial advisory phase, which runs until %(end)s: an assessment cannot take "
              "place before the phase is over. Choose %(end)s or later.") % {"day": day, "end": end},
            field="planned_date",
        )  # fmt: skip
    if day > cycle.end_date:
        raise ApplicationError(
            _("%(day)s is after the cycle ends (%(end)s).") % {"day": day, "end": cycle.end_date},
            field="planned_date",
        )
    milestone = cycle.milestones.filter(kind=Milestone.Kind.ASSESSMENT).first()
    if milestone is not None and milestone.state == Milestone.State.CANCELLED:
        raise ApplicationError(
            _("No assessment is due in this cycle: stage 2 factories are assessed every 24 months, and no "
              "assessment takes place while the factory is served in phase 1."),
            field="factory",
        )  # fmt: skip


def _assessors(given: list[Any], *, factory: Factory, modality: str) -> list[User]:
    ids = list(dict.fromkeys(getattr(person, "pk", person) for person in given))
    needed = ONSITE_ASSESSORS if modality == "onsite" else None
    if (needed is not None and len(ids) != needed) or not 1 <= len(ids) <= ONSITE_ASSESSORS:
        raise ApplicationError(
            _("An on-site assessment needs exactly two different assessors.")
            if needed is not None
            else _("A virtual or hybrid assessment needs one or two assessors."),
            field="assessors",
        )
    # Locking the assessors serialises two managers booking the same person at once.
    people = list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    wrong = [p for p in people if not (p.is_active and p.role == Role.ASSESSOR and p.country_id == factory.country_id)]
    if len(people) != len(ids) or wrong:
        raise ApplicationError(
            _("Assessors must be active assessors of %(country)s.") % {"country": factory.country.name},
            field="assessors",
        )
    return people


def _require_free(people: list[User], start: date, days: int, *, exclude: Assessment | None) -> None:
    end = start + timedelta(days=days - 1)
    bookings = (
        Schedule.objects.filter(
            assessment__assessors__in=people,
            assessment__status__in=(Assessment.Status.PLANNED, Assessment.Status.IN_PROGRESS),
            planned_date__lte=end,
            planned_date__gte=start - timedelta(days=MAX_DAYS - 1),
        )
        .exclude(assessment=exclude)
        .select_related("assessment__factory")
        .prefetch_related("assessment__assessors")
    )
    for booking in bookings:
        if booking.planned_date + timedelta(days=booking.days - 1) < start:
            continue
        busy = [p for p in booking.assessment.assessors.all() if p in people]
        raise ApplicationError(
            _("%(names)s already assess %(factory)s from %(day)s (%(days)s days).")
            % {"names": ", ".join(p.get_full_name() or p.username for p in busy),
               "factory": booking.assessment.factory.name, "day": booking.planned_date, "days": booking.days},
            field="assessors",
        )  # fmt: skip
