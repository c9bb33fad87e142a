"""Row-level scope of every factories model: `visible_to(user)` (see betterwork.accounts.policy)."""

from datetime import timedelta
from typing import Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Case, CharField, F, Value, When

from betterwork.accounts.models import COUNTRY_ROLES, Role


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


class CountryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Country programmes are public reference data."""
        return self.all()


class BuyerQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Buyer organisations: everyone signed in, except that a buyer user sees only its own."""
        if not _active(user):
            return self.none()
        if user.effective_role == Role.BUYER:
            return self.filter(pk=user.buyer_id)
        return self.all()


class FactoryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Global admin: all. Country staff: their country. Factory user: its factory. Buyer: authorising factories."""
        if not _active(user):
            return self.none()
        role = user.effective_role
        if role == Role.GLOBAL_ADMIN:
            return self.all()
        if role in COUNTRY_ROLES:
            return self.filter(country_id=user.country_id)
        if role == Role.FACTORY:
            return self.filter(pk=user.factory_id)
        if role == Role.BUYER:
            # One active authorisation per (factory, buyer) is a database constraint: no duplicate rows.
            return self.filter(authorisations__buyer_id=user.buyer_id, authorisations__revoked_at__isnull=True)
        return self.none()


class ServiceCycleQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        return self.filter(factory_id__in=_factories_visible_to(user))

    def open(self) -> Self:
        return self.filter(status="open")


class BuyerAuthorisationQuerySet(models.QuerySet):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user: Any) -> Self:
        """Staff see their country's; a factory its own grants; a buyer the grants made to it."""
        if not _active(user):
            return self.none()
        role = user.effective_role
        if role == Role.GLOBAL_ADMIN:
            return self.all()
        if role in COUNTRY_ROLES:
            return self.filter(factory__country_id=user.country_id)
        if role == Role.FACTORY:
            return self.filter(factory_id=user.factory_id)
        if role == Role.BUYER:
            return self.filter(buyer_id=user.buyer_id)
        return self.none()


def _factories_visible_to(user: Any) -> models.QuerySet:
    return apps.get_model("factories", "Factory").objects.visible_to(user).values("pk")


def _country_staff_scope(queryset: models.QuerySet, user: Any, country_path: str) -> models.QuerySet | None:
    """Global admin: everything; country staff: their country; None for any other role."""
    role = user.effective_role
    if role == Role.GLOBAL_ADMIN:
        return queryset
    if role in COUNTRY_ROLES:
        return queryset.filter(**{country_path: user.country_id})
    return None


class FactoryInternalQuerySet(models.QuerySet):
    """Rows of one factory that only the factory and the programme see (invoices, the committee), never buyers.

    The model names the path to its factory in `FACTORY_PATH`.
    """

    def visible_to(self, user: Any) -> Self:
        if not _active(user) or user.effective_role == Role.BUYER:
            return self.none()
        return self.filter(**{f"{self.model.FACTORY_PATH}__in": _factories_visible_to(user)})


class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Programme staff review the registrations of their country; nobody else sees them."""
        if not _active(user):
            return self.none()
        scoped = _country_staff_scope(self, user, "country_id")
        return self.none() if scoped is None else scoped

    def pending(self) -> Self:
        return self.filter(status__in=("submitted", "changes_requested"))


class SourcingLinkQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Staff: their country's. A factory: links to it. A buyer: its own links."""
        if not _active(user):
            return self.none()
        scoped = _country_staff_scope(self, user, "factory__country_id")
        if scoped is not None:
            return scoped
        if user.effective_role == Role.FACTORY:
            return self.filter(factory_id=user.factory_id)
        if user.effective_role == Role.BUYER:
            return self.filter(buyer_id=user.buyer_id)
        return self.none()


class BuyerReadQuerySet(SourcingLinkQuerySet):
    """Who read what (R-ACC-2): the factory read about, the buyer who read, and the programme."""


class MilestoneQuerySet(models.QuerySet):
    """Milestones of the cycles a user may see (buyers: of the factories that authorise them). Factory and
    buyer users never get the assessment's date (R-ASM-3): serializers and pages drop it for them."""

    def visible_to(self, user: Any) -> Self:
        return self.filter(cycle__factory_id__in=_factories_visible_to(user))

    def open(self) -> Self:
        return self.filter(state="planned")

    def with_state(self, *, today: Any, due_within_days: int = 14) -> Self:
        """Annotate `current_state`: done / cancelled as stored; planned becomes "overdue" after its date,
        "due" within `due_within_days` of it, else stays "planned"."""
        return self.annotate(
            current_state=Case(
                When(state="planned", due_date__lt=today, then=Value("overdue")),
                When(state="planned", due_date__lte=today + timedelta(days=due_within_days), then=Value("due")),
                default=F("state"),
                output_field=CharField(),
            )
        )


class StaffOnlyQuerySet(models.QuerySet):
    """Rows about a factory that only programme staff see (global admins everywhere, the country's staff there):
    the factory itself and buyers never do. The model names the path to its factory in FACTORY_PATH."""

    def visible_to(self, user: Any) -> Self:
        if not _active(user):
            return self.none()
        scoped = _country_staff_scope(self, user, f"{self.model.FACTORY_PATH}__country_id")
        return self.none() if scoped is None else scoped
