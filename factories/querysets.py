"""Row-level scope of every factories model: `visible_to(user)` (see betterwork.accounts.policy)."""

from typing import Any, Self

from django.db import models

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
        factories = self.model._meta.get_field("factory").related_model.objects.visible_to(user)
        return self.filter(factory_id__in=factories.values("pk"))

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
