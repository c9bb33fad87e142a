"""What the assessments app does when a lower app's domain signal arrives (factories.signals)."""

from typing import Any

from django.dispatch import receiver

from assessments.services.schedule import assessments_cancel_in_cycle
from factories.signals import assessment_milestone_cancelled


@receiver(assessment_milestone_cancelled, dispatch_uid="assessments-cancel-in-replanned-cycle")
def cancel_planned(sender: Any, *, cycle: Any, actor: Any, reason: str, **kwargs: Any) -> None:
    assessments_cancel_in_cycle(cycle=cycle, actor=actor, reason=reason)
