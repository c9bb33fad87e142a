"""Service cycles and their milestones (R-REG-2, R-CYC): start on FV1, replan, complete on real events."""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from betterwork.common.exceptions import ApplicationError
from factories.models import Factory, Milestone, ServiceCycle
from factories.schedule import cycle_end, plan_cycle
from factories.services.phases import effective_phase
from factories.signals import assessment_milestone_cancelled

M = Milestone.State


def _previous_cycle_assessed(factory: Factory, number: int) -> bool:
    return (
        Milestone.objects.filter(cycle__factory=factory, cycle__number=number - 1, kind=Milestone.Kind.ASSESSMENT)
        .exclude(state=M.CANCELLED)
        .exists()
    )


def cycle_start(*, factory_id: int, on: date, actor: Any = None) -> ServiceCycle:
    """FV1 starts the factory's next cycle on the visit's date (R-REG-2): paid factories with no open cycle."""
    with transaction.atomic():
        factory = Factory.objects.select_for_update(of=("self",)).select_related("country").get(pk=factory_id)
        if factory.status != Factory.Status.ACTIVE:
            raise ApplicationError(
                _("%(factory)s is “%(status)s”: a cycle starts only once its invoice is paid.")
                % {"factory": factory.name, "status": factory.get_status_display()}
            )
        if factory.cycles.filter(status=ServiceCycle.Status.OPEN).exists():
            raise ApplicationError(_("%(factory)s already has an open cycle.") % {"factory": factory.name})
        number = (factory.cycles.aggregate(n=Max("number"))["n"] or 0) + 1
        cycle = ServiceCycle.objects.create(factory=factory, number=number, start_date=on, end_date=cycle_end(on))
        plan = plan_cycle(
            start=on,
            stage=factory.stage,
            previous_cycle_assessed=_previous_cycle_assessed(factory, number),
            phase=effective_phase(factory),
        )
        Milestone.objects.bulk_create(
            Milestone(
                cycle=cycle,
                kind=p.kind,
                due_date=p.due_date,
                owner=p.owner,
                state=M.CANCELLED if p.cancelled else M.PLANNED,
            )
            for p in plan
        )
    return cycle


def cycle_replan(*, cycle_id: int, actor: Any, start: date | None = None, reason: str) -> ServiceCycle:
    """Move the milestones that are not done to the schedule of a new FV1 date, or of the factory's current
    stage and service phase; each move is kept in the milestone's history with who and why."""
    with transaction.atomic():
        cycle = ServiceCycle.objects.select_for_update(of=("self",)).select_related("factory__country").get(pk=cycle_id)
        if cycle.status != ServiceCycle.Status.OPEN:
            raise ApplicationError(_("A closed cycle is not replanned."))
        if start is not None and start != cycle.start_date:
            cycle.start_date, cycle.end_date = start, cycle_end(start)
            cycle.save(update_fields=["start_date", "end_date", "updated_at"])
        plan = {
            p.kind: p
            for p in plan_cycle(
                start=cycle.start_date,
                stage=cycle.factory.stage,
                previous_cycle_assessed=_previous_cycle_assessed(cycle.factory, cycle.number),
                phase=effective_phase(cycle.factory),
            )
        }
        for milestone in cycle.milestones.exclude(state=M.DONE):
            target = plan[milestone.kind]
            state = M.CANCELLED if target.cancelled else M.PLANNED
            if (milestone.due_date, milestone.state) != (target.due_date, state):
                milestone.due_date, milestone.state = target.due_date, state
                milestone._history_user = actor if getattr(actor, "is_authenticated", False) else None
                milestone._change_reason = reason[:100]
                milestone.save(update_fields=["due_date", "state"])
                if milestone.kind == Milestone.Kind.ASSESSMENT and state == M.CANCELLED:
                    assessment_milestone_cancelled.send(sender=ServiceCycle, cycle=cycle, actor=actor, reason=reason)
    return cycle


def milestone_complete(*, cycle_id: int, kind: str, at: Any = None) -> bool:
    """The real event happened (a report submitted, a visit recorded): the milestone is done. Idempotent;
    returns whether this call completed it."""
    return bool(
        Milestone.objects.filter(cycle_id=cycle_id, kind=kind, state=M.PLANNED).update(
            state=M.DONE, done_at=at or timezone.now()
        )
    )


def cycles_replan_open(
    *, factory_ids: list[int] | None = None, country: str | None = None, actor: Any, reason: str
) -> int:
    """Replan the open cycles of some factories or of a whole country (after a phase, stage or production
    status change). Returns how many cycles were looked at."""
    cycles = ServiceCycle.objects.open()
    if factory_ids is not None:
        cycles = cycles.filter(factory_id__in=factory_ids)
    if country is not None:
        cycles = cycles.filter(factory__country_id=country)
    ids = list(cycles.values_list("pk", flat=True))
    for cycle_id in ids:
        cycle_replan(cycle_id=cycle_id, actor=actor, reason=reason)
    return len(ids)
