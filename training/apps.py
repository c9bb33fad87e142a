from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training courses, sessions, enrolment, attendance and industry seminars (R-TRN)."""

    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from training import allowances, prefill  # noqa: F401 - register the allowance and report providers
