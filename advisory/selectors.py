"""Reads of the advisory app."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from advisory.models import AdvisoryVisit
from advisory.services import advisory_days_used
from betterwork.accounts.models import Role
from betterwork.accounts.policy import visible
from factories.allowances import Allowance, allowance_provider
from factories.models import Milestone, ServiceCycle
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


def agenda_milestones(*, user: Any, today: date, horizon_days: int = 60) -> QuerySet[Milestone]:
    """Open milestones due within the horizon or already overdue, of the factories the user advises
    (advisors) or of the user's whole scope (managers, global admins). Staff only: it shows assessment dates."""
    milestones = (
        visible(user, Milestone)
        .open()
        .filter(due_date__lte=today + timedelta(days=horizon_days), cycle__status=ServiceCycle.Status.OPEN)
        .with_state(today=today)
        .select_related("cycle__factory__country", "cycle__factory__advisor")
        .order_by("due_date", "cycle__factory__name")
    )
    if user.effective_role == Role.ADVISOR:
        milestones = milestones.filter(cycle__factory__advisor=user)
    return milestones


def overdue_by_factory(*, user: Any, today: date) -> list[dict[str, Any]]:
    """The country overview: each factory that is late, with what it is late on (one query)."""
    rows: dict[int, dict[str, Any]] = {}
    late = (
        visible(user, Milestone)
        .open()
        .filter(due_date__lt=today, cycle__status=ServiceCycle.Status.OPEN)
        .select_related("cycle__factory__advisor")
        .order_by("cycle__factory__name", "due_date")
    )
    for milestone in late:
        factory = milestone.cycle.factory
        row = rows.setdefault(factory.pk, {"factory": factory, "milestones": [], "days_late": 0})
        row["milestones"].append(milestone)
        row["days_late"] = max(row["days_late"], (today - milestone.due_date).days)
    return sorted(rows.values(), key=lambda row: -row["days_late"])


def recent_visits(*, user: Any, limit: int = 10) -> QuerySet[AdvisoryVisit]:
    visits = visible(user, AdvisoryVisit).select_related("factory").order_by("-date", "-id")
    if user.effective_role == Role.ADVISOR:
        visits = visits.filter(recorded_by=user)
    return visits[:limit]


@allowance_provider
def advisory_days_allowance(cycle: ServiceCycle) -> list[Allowance]:
    allowance = advisory_allowance(cycle)
    return [
        Allowance(
            key="advisory_days", label=gettext("Advisory visit days"), unit=gettext("days"),
            included=Decimal(allowance.included), used=allowance.used,
        )
    ]  # fmt: skip
