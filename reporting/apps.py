from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Reports, the buyer portal, the public transparency portal and differentiation (R-RPT, R-PUB, R-DIF)."""

    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from reporting import receivers  # noqa: F401  (the transparency snapshot follows publication, R-PUB-2)
        from reporting.reference import sync_reference_data

        post_migrate.connect(sync_reference_data, sender=self, dispatch_uid="reporting-reference-data")
