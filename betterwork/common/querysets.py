"""Shared queryset bases."""

from typing import Any, Self

from django.db import models


class PublicReferenceQuerySet(models.QuerySet):
    """Reference data that anyone may read (clusters, critical issues, templates...)."""

    def visible_to(self, user: Any) -> Self:
        return self.all()
