from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AdvisoryConfig(AppConfig):
    """Advisory visits, the improvement plan and progress reports (R-ADV, R-RPT-2/3)."""

    name = "advisory"
    verbose_name = _("Advisory")

    def ready(self) -> None:
        from advisory import priority, selectors, services  # noqa: F401 - receivers, priority and allowance providers
        from advisory.reference import sync_reference_data

        post_migrate.connect(sync_reference_data, sender=self, dispatch_uid="advisory-reference-data")
