"""Who sees what in the reporting app."""

from typing import Any, Self

from django.apps import apps
from django.db import models


class EvaluationQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """R-ACC-1, R-DIF-3: staff of the country, the factory itself and its authorised buyers; never the public."""
        factories = apps.get_model("factories", "Factory").objects.visible_to(user).values("pk")
        return self.filter(factory_id__in=factories)
