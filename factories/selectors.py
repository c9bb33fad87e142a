"""Reads of the factories app, for pages, the API and other apps."""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Count, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from betterwork.accounts.policy import visible
from factories.models import Buyer, BuyerAuthorisation, BuyerRead, Factory, ServiceCycle, SourcingLink

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


# --- Buyers, sourcing links, authorisations and the read log (R-REG-4, R-ACC) -----------------------

NEW_GRANT_DAYS = 30  # a buyer's home marks grants younger than this as new


def buyer_list(*, user: Any) -> QuerySet[Buyer]:
    return visible(user, Buyer).order_by("name", "pk")


def buyer_organisations(*, user: Any) -> QuerySet[Buyer]:
    """Buyers annotated with `authorising_factories`: how many factories the user may see authorise each now."""
    grants = (
        visible(user, BuyerAuthorisation)
        .active()
        .filter(buyer=OuterRef("pk"))
        .order_by()
        .values("buyer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return buyer_list(user=user).annotate(authorising_factories=Coalesce(Subquery(grants), 0))


def authorisation_list(*, user: Any) -> QuerySet[BuyerAuthorisation]:
    return visible(user, BuyerAuthorisation).select_related("buyer", "factory").order_by("-granted_at", "-pk")


def sourcing_link_list(*, user: Any) -> QuerySet[SourcingLink]:
    """Links in the user's scope, restricted to factories the user may see: a buyer's own request for a factory
    that has not authorised it stays invisible to that buyer, so the list never says whether a request matched."""
    return (
        visible(user, SourcingLink)
        .filter(factory__in=visible(user, Factory).values("pk"))
        .select_related("buyer", "factory")
        .order_by("-created_at", "-pk")
    )


def buyer_read_list(*, user: Any) -> QuerySet[BuyerRead]:
    """The read log (R-ACC-2): a factory sees reads of itself, staff their country's, a buyer its own."""
    return visible(user, BuyerRead).select_related("buyer", "user", "factory").order_by("-read_at", "-pk")


def factory_buyer_reads(*, factory_id: int) -> QuerySet[BuyerRead]:
    """Reads of one factory, newest first (the caller has checked that the factory is visible)."""
    return BuyerRead.objects.filter(factory_id=factory_id).select_related("buyer", "user").order_by("-read_at", "-pk")


def pending_sourcing_requests(*, factory_id: int) -> QuerySet[SourcingLink]:
    """Buyers that say they source from the factory (their own request or the factory's registration form)
    and that the factory does not authorise now."""
    authorised = BuyerAuthorisation.objects.active().filter(factory_id=factory_id).values("buyer_id")
    return (
        SourcingLink.objects.filter(
            factory_id=factory_id, source__in=(SourcingLink.Source.BUYER, SourcingLink.Source.REGISTRATION)
        )
        .exclude(buyer_id__in=authorised)
        .select_related("buyer")
        .order_by("-created_at", "-pk")
    )


def authorisation_history(*, factory_id: int) -> QuerySet:
    """Every grant and revocation of the factory's authorisations, newest first, with who did it."""
    return (
        BuyerAuthorisation.history.filter(factory_id=factory_id)
        .select_related("buyer", "history_user")
        .order_by("-history_date", "-history_id")
    )


def buyer_authorised_factories(*, user: Any, now: datetime) -> QuerySet[Factory]:
    """The factories that authorise the buyer user now, annotated with `authorised_since` and `is_new`
    (granted within NEW_GRANT_DAYS), newest grant first."""
    since = (
        BuyerAuthorisation.objects.active()
        .filter(factory=OuterRef("pk"), buyer_id=user.buyer_id)
        .values("granted_at")[:1]
    )
    return (
        factory_list(user=user)
        .annotate(authorised_since=Subquery(since))
        .annotate(
            is_new=Case(
                When(authorised_since__gte=now - timedelta(days=NEW_GRANT_DAYS), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-authorised_since", "name", "pk")
    )
