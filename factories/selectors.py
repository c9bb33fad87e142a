"""Reads of the factories app, for pages, the API and other apps."""

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from betterwork.accounts.policy import visible
from factories.models import BuyerAuthorisation, Factory, ServiceCycle

INITIAL_ADVISORY_DAYS = 100  # R-CYC-1: "about 100 days"


def with_current_cycle(queryset: QuerySet[Factory]) -> QuerySet[Factory]:
    """Annotate `current_cycle_id`: the factory's open cycle, in the same query."""
    open_cycle = ServiceCycle.objects.open().filter(factory=OuterRef("pk")).values("pk")[:1]
    return queryset.annotate(current_cycle_id=Subquery(open_cycle))


def factory_list(*, user: Any) -> QuerySet[Factory]:
    return with_current_cycle(visible(user, Factory).select_related("country", "advisor"))


def factory_status_counts(*, user: Any) -> dict[str, int]:
    """How many visible factories are in each status (one query)."""
    rows = visible(user, Factory).values_list("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(Factory.Status.values, 0)
    counts.update(dict(rows))
    return counts


def factories_awaiting_first_visit(*, user: Any) -> QuerySet[Factory]:
    """Paid factories with no open cycle: their next advisory visit is FV1 and starts a cycle (R-REG-2)."""
    return (
        visible(user, Factory)
        .filter(status=Factory.Status.ACTIVE)
        .exclude(cycles__status=ServiceCycle.Status.OPEN)
        .select_related("country", "advisor")
    )


def cycles_in_initial_advisory(*, user: Any, today: date) -> QuerySet[ServiceCycle]:
    """Open cycles still inside the ~100-day initial advisory phase (R-CYC-1), oldest first."""
    return (
        visible(user, ServiceCycle)
        .open()
        .filter(start_date__gt=today - timedelta(days=INITIAL_ADVISORY_DAYS))
        .select_related("factory__country")
        .order_by("start_date")
    )


def authorised_buyers(*, factory_id: int) -> QuerySet[BuyerAuthorisation]:
    return BuyerAuthorisation.objects.active().filter(factory_id=factory_id).select_related("buyer")
