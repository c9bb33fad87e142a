"""Base viewset: rows come from the policy layer, so hidden objects answer 404."""

from typing import Any, ClassVar

from django.db import models
from rest_framework import viewsets

from betterwork.accounts.policy import visible


class PolicyViewSetMixin:
    """Set `policy_model` and `policy`; override `scoped_queryset` to add select_related/annotations."""

    policy_model: ClassVar[type[models.Model]]
    policy: ClassVar[dict[str, str]]
    request: Any

    def get_queryset(self) -> models.QuerySet:
        return self.scoped_queryset(visible(self.request.user, self.policy_model))

    def scoped_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset

    def filter_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """Filters, search and ordering narrow lists. A detail route finds its object among every visible one:
        a query string (`?ordering=x`, found by the fuzzer to break views without a serializer) changes nothing."""
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]


class PolicyReadOnlyViewSet(PolicyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
