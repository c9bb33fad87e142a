"""Service phases (R-CTY-2/3): which modalities a factory may receive on a date.

Phase 1 (production suspended) and phase 2 (partly resumed) allow no on-site activity; phase 3 allows
all. A factory whose own production is suspended is in phase 1 whatever its country's phase. A
programme manager may record an on-site exception for one factory, for a period, with a reason.
"""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from betterwork.common.exceptions import ApplicationError
from factories.models import Country, Factory, OnsiteException, ProductionStatus
from factories.services.common import require

ONSITE_MODALITIES = frozenset({"onsite", "hybrid"})  # hybrid puts people on the factory floor too


def effective_phase(factory: Factory) -> int:
    if factory.production_status == ProductionStatus.SUSPENDED:
        return Country.Phase.SUSPENDED
    return factory.country.phase


def require_modality_allowed(*, factory: Factory, on: date, modality: str) -> OnsiteException | None:
    """Refuse an on-site activity the phase forbids (naming the phase), unless an exception covers the date.
    Returns the exception that allowed it, if one did."""
    if modality not in ONSITE_MODALITIES:
        return None
    phase = effective_phase(factory)
    if phase == Country.Phase.ONSITE:
        return None
    exception = factory.onsite_exceptions.filter(valid_from__lte=on, valid_until__gte=on).first()
    if exception is not None:
        return exception
    reason = (
        _("%(factory)s's production is suspended, so it is served as in phase 1.") % {"factory": factory.name}
        if factory.production_status == ProductionStatus.SUSPENDED
        else _("%(country)s is in phase %(phase)s.") % {"country": factory.country.name, "phase": phase}
    )
    raise ApplicationError(
        _("%(reason)s Phase %(phase)s allows no on-site activity: choose “virtual”, or ask the programme manager "
          "for an on-site exception.") % {"reason": reason, "phase": phase},
        field="modality",
    )  # fmt: skip


def onsite_exception_grant(
    *, factory: Factory, actor: Any, valid_from: date, valid_until: date, reason: str
) -> OnsiteException:
    require(actor, "manage", factory)
    if not reason.strip():
        raise ApplicationError(_("Say why on-site activity is needed."), field="reason")
    if valid_until < valid_from:
        raise ApplicationError(_("The exception must end on or after its first day."), field="valid_until")
    exception = OnsiteException(
        factory=factory, valid_from=valid_from, valid_until=valid_until, reason=reason.strip(), granted_by=actor
    )
    exception.full_clean()
    exception.save()
    return exception
