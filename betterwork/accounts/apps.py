from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles and their scope, and the one permission layer (policy.py)."""

    name = "betterwork.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
