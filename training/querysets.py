"""Who sees which training rows (`visible_to(user)`, see betterwork.accounts.policy)."""

from typing import Any, Self

from django.db import models

from betterwork.accounts.models import COUNTRY_ROLES, Role
from factories.models import Factory


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


class CountryCatalogueQuerySet(models.QuerySet):
    """Courses, sessions and seminars: a country's staff and factories see its catalogue; a global admin sees
    every country's; buyers see none. The model names the path to its country in COUNTRY_PATH."""

    def visible_to(self, user: Any) -> Self:
        if not _active(user):
            return self.none()
        role = user.effective_role
        if role == Role.GLOBAL_ADMIN:
            return self.all()
        if role in COUNTRY_ROLES:
            return self.filter(**{self.model.COUNTRY_PATH: user.country_id})
        if role == Role.FACTORY and user.factory_id:
            country = Factory.objects.filter(pk=user.factory_id).values("country_id")
            return self.filter(**{f"{self.model.COUNTRY_PATH}__in": country})
        return self.none()


class FactoryRowsQuerySet(models.QuerySet):
    """Enrolments, purchases, participations: the factory itself and its country's staff, never buyers."""

    def visible_to(self, user: Any) -> Self:
        if not _active(user) or user.effective_role == Role.BUYER:
            return self.none()
        factories = Factory.objects.visible_to(user).values("pk")
        return self.filter(**{f"{self.model.FACTORY_PATH}__in": factories})
