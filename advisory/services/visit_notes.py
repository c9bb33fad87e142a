"""Editing a recorded visit's notes (R-ADV-5): participants, topics, notes, follow-ups and the committee flag.
The date and the days are not editable here: they start cycles and count against the allowance."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from advisory.models import AdvisoryVisit
from betterwork.accounts.models import Role
from betterwork.common.exceptions import NotPermitted
from factories.services.common import require, save_with_history

EDITABLE_FIELDS = ("participants", "topics", "committee_meeting_held", "notes", "follow_ups")


def may_update_visit(actor: Any, visit: AdvisoryVisit) -> bool:
    """The advisor who recorded it, the country's manager, or a global admin."""
    from betterwork.accounts.policy import may

    if not may(actor, "record_visits", visit.factory):
        return False
    return actor.effective_role != Role.ADVISOR or visit.recorded_by_id == actor.pk


def visit_update(*, visit_id: int, actor: Any, **changes: Any) -> AdvisoryVisit:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        visit = AdvisoryVisit.objects.select_for_update(of=("self",)).select_related("factory").get(pk=visit_id)
        require(actor, "record_visits", visit.factory)
        if actor.effective_role == Role.ADVISOR and visit.recorded_by_id != actor.pk:
            raise NotPermitted(_("Only the advisor who recorded this visit, or the programme manager, may edit it."))
        for field, value in changes.items():
            setattr(visit, field, value.strip() if isinstance(value, str) else value)
        visit.full_clean()
        save_with_history(visit, actor=actor, reason="visit notes edited", fields=[*changes] or None)
    return visit
