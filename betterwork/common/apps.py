from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """Shared bases with no domain knowledge: abstract models, errors, API plumbing, health, heartbeat."""

    name = "betterwork.common"
    label = "common"
    verbose_name = _("Platform")
