"""Writes of the advisory app."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from advisory.models import AdvisoryVisit
from advisory.services.plan import items_join_cycle
from betterwork.common.exceptions import ApplicationError
from factories.models import Factory, Milestone, ServiceCycle
from factories.schedule import advisory_days
from factories.services.common import require
from factories.services.cycles import cycle_start, milestone_complete
from factories.services.phases import require_modality_allowed

DETAIL_FIELDS = ("participants", "topics", "committee_meeting_held", "notes", "follow_ups")


def _number(value: Decimal) -> str:
    """2.0 → "2", 2.5 → "2.5", whichever database summed it."""
    return f"{Decimal(value).normalize():f}"


def advisory_days_used(cycle: ServiceCycle, *, exclude: int | None = None) -> Decimal:
    visits = AdvisoryVisit.objects.filter(cycle=cycle)
    if exclude:
        visits = visits.exclude(pk=exclude)
    return visits.aggregate(total=Sum("days"))["total"] or Decimal(0)


def visit_record(
    *, factory_id: int, actor: Any, on: date, kind: str, modality: str, days: Decimal, **details: Any
) -> AdvisoryVisit:
    """Record a visit. With no open cycle, a paid factory's advisory visit is FV1 and starts the cycle on
    its date (R-REG-2); a final evaluation visit completes the cycle's final_visit milestone (R-CYC-6)."""
    if on > timezone.localdate():
        raise ApplicationError(_("Record a visit once it has taken place: the date is in the future."), field="date")
    with transaction.atomic():
        factory = Factory.objects.select_for_update(of=("self",)).select_related("country").get(pk=factory_id)
        require(actor, "record_visits", factory)
        onsite_exception = require_modality_allowed(factory=factory, on=on, modality=modality)
        cycle = factory.cycles.filter(status=ServiceCycle.Status.OPEN).first()
        first_visit = cycle is None
        if first_visit:
            if kind != AdvisoryVisit.Kind.ADVISORY:
                raise ApplicationError(
                    _("%(factory)s has no open cycle: its first visit must be an advisory visit (FV1).")
                    % {"factory": factory.name},
                    field="kind",
                )
            cycle = cycle_start(factory_id=factory.pk, on=on, actor=actor)
            items_join_cycle(factory=factory, cycle=cycle)
        elif not cycle.start_date <= on <= cycle.end_date:
            raise ApplicationError(
                _("The current cycle runs from %(start)s to %(end)s: the visit's date is outside it.")
                % {"start": cycle.start_date, "end": cycle.end_date},
                field="date",
            )
        allowance, used = advisory_days(cycle.number), advisory_days_used(cycle)
        if used + days > allowance:
            raise ApplicationError(
                _("This visit would use %(days)s days, but only %(left)s of the cycle's %(allowance)s advisory days "
                  "remain.") % {"days": _number(days), "left": _number(allowance - used), "allowance": allowance},
                field="days",
            )  # fmt: skip
        visit = AdvisoryVisit(
            factory=factory,
            cycle=cycle,
            date=on,
            kind=kind,
            modality=modality,
            days=days,
            is_first_visit=first_visit,
            onsite_exception=onsite_exception,
            recorded_by=actor,
            **{k: v for k, v in details.items() if k in DETAIL_FIELDS},
        )
        visit.full_clean()
        visit._history_user = actor
        visit.save()
        if kind == AdvisoryVisit.Kind.FINAL_EVALUATION:
            milestone_complete(cycle_id=cycle.pk, kind=Milestone.Kind.FINAL_VISIT)
    return visit
