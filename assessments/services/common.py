"""Helpers shared by the assessment services."""

from typing import Any

from django.utils.translation import gettext as _

from assessments.models import Assessment
from betterwork.common.exceptions import InvalidTransition
from factories.services.common import require


def locked(assessment_id: int, actor: Any, action: str) -> Assessment:
    """The assessment, locked for this transaction, once the policy lets `actor` do `action` on it."""
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("factory__country", "cycle")
        .get(pk=assessment_id)
    )
    require(actor, action, assessment)
    return assessment


def require_status(assessment: Assessment, *statuses: str, message: str) -> None:
    if assessment.status not in statuses:
        raise InvalidTransition(message + " " + _("The assessment is “%(status)s”.") % {
            "status": assessment.get_status_display()
        })  # fmt: skip


def save(assessment: Assessment, actor: Any, reason: str) -> None:
    assessment._history_user = actor if getattr(actor, "is_authenticated", False) else None
    assessment._change_reason = reason[:100]
    assessment.full_clean(exclude=["assessors"])
    assessment.save()
