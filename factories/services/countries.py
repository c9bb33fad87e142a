"""Country programmes: what their programme manager may change, and what follows from it."""

from typing import Any

from django.db import transaction

from factories.models import Country
from factories.services.common import require
from factories.services.cycles import cycles_replan_open

EDITABLE = frozenset({"phase", "public_reporting_since"})


def country_update(*, code: str, actor: Any, **changes: Any) -> Country:
    """R-CTY-2: a phase change replans the country's open cycles (in phase 1 no assessment can take place)."""
    with transaction.atomic():
        country = Country.objects.select_for_update().get(pk=code)
        require(actor, "change", country)
        phase_before = country.phase
        for field, value in changes.items():
            if field in EDITABLE:
                setattr(country, field, value)
        country.full_clean()
        country.save(update_fields=sorted(EDITABLE & set(changes)))
        if country.phase != phase_before:
            cycles_replan_open(
                country=country.code, actor=actor, reason=f"service phase {phase_before} → {country.phase}"
            )
    return country
