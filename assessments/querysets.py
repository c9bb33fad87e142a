"""Who sees which assessments (R-ASM-3, R-ACC-1). Hidden rows answer 404 (betterwork.accounts.policy).

Programme staff see their country's assessments, planned ones included. A factory user sees its own once
the assessors have arrived (started), and their findings once submitted; a buyer only published reports of
factories that authorise it. A planned or cancelled-before-start assessment does not exist for them.
"""

from typing import Any, Self

from django.db import models

from betterwork.accounts.models import COUNTRY_ROLES, Role

STARTED = ("in_progress", "feedback", "finalised", "published")
SUBMITTED = ("feedback", "finalised", "published")


def _scope(queryset: models.QuerySet, user: Any, prefix: str, factory_statuses: tuple[str, ...]) -> models.QuerySet:
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    role = user.effective_role
    if role == Role.GLOBAL_ADMIN:
        return queryset
    if role in COUNTRY_ROLES:
        return queryset.filter(**{f"{prefix}factory__country_id": user.country_id})
    if role == Role.FACTORY:
        return queryset.filter(**{f"{prefix}factory_id": user.factory_id, f"{prefix}status__in": factory_statuses})
    if role == Role.BUYER:
        return queryset.filter(
            **{
                f"{prefix}status": "published",
                f"{prefix}factory__authorisations__buyer_id": user.buyer_id,
                f"{prefix}factory__authorisations__revoked_at__isnull": True,
            }
        )
    return queryset.none()


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        return _scope(self, user, "", STARTED)


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Findings are drafts while the assessors work: the factory sees them from submission on."""
        return _scope(self, user, "assessment__", SUBMITTED)
