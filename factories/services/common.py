"""Helpers shared by the factories services."""

from typing import Any

from django.db import models
from django.utils.translation import gettext

from betterwork.accounts.policy import may
from betterwork.common.exceptions import ApplicationError, NotPermitted


def require(actor: Any, action: str, obj: models.Model) -> None:
    """Raise NotPermitted unless the policy lets `actor` do `action` on `obj`."""
    if not may(actor, action, obj):
        raise NotPermitted(gettext("You may not make this change."))


def save_with_history(obj: models.Model, *, actor: Any, reason: str, fields: list[str] | None = None) -> None:
    """Save and record who did it and why in the model's history (django-simple-history)."""
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    obj._change_reason = reason[:100]
    obj.save(update_fields=fields)


def require_sector_offered(country: Any, sector: str) -> None:
    """R-CTY-1: a country programme serves only its own sectors (footwear only in Cambodia and Vietnam)."""
    if country is not None and sector and sector not in (country.sectors or []):
        raise ApplicationError(
            gettext("The %(country)s programme does not serve the “%(sector)s” sector.")
            % {"country": country.name, "sector": sector},
            field="sector",
        )
