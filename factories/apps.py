from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FactoriesConfig(AppConfig):
    """Countries, factories, their service cycles, buyers and the buyers' authorisations."""

    name = "factories"
    verbose_name = _("Factories")

    def ready(self) -> None:
        from factories.reference import sync_reference_data

        post_migrate.connect(sync_reference_data, sender=self, dispatch_uid="factories-reference-data")
