from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """`seed_demo`: a believable programme to explore and to measure against. Sits above every domain app."""

    name = "betterwork.demo"
    label = "demo"
    verbose_name = _("Demo programme")
