from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """The assessment tool (CAT), assessments and findings (R-ASM)."""

    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from assessments import allowances, receivers  # noqa: F401 - the assessment allowance, signal receivers
        from assessments.reference import sync_reference_data

        post_migrate.connect(sync_reference_data, sender=self, dispatch_uid="assessments-reference-data")
