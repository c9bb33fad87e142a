"""Reads of the advisory app."""

from dataclasses import dataclass
from decimal import Decimal

from advisory.models import AdvisoryVisit
from advisory.services import advisory_days_used
from factories.models import ServiceCycle
from factories.schedule import advisory_days, initial_visits


@dataclass(frozen=True)
class AdvisoryAllowance:
    """R-CYC-7: advisory visit days included in the cycle, used and remaining."""

    included: int
    used: Decimal
    remaining: Decimal
    initial_visits_planned: int
    visits: int


def advisory_allowance(cycle: ServiceCycle) -> AdvisoryAllowance:
    included, used = advisory_days(cycle.number), advisory_days_used(cycle)
    return AdvisoryAllowance(
        included=included,
        used=used,
        remaining=max(Decimal(included) - used, Decimal(0)),
        initial_visits_planned=initial_visits(cycle.number),
        visits=AdvisoryVisit.objects.filter(cycle=cycle).count(),
    )
