"""Celery tasks of the assessments app. Each is idempotent and calls one service."""

from celery import shared_task

from assessments.services.feedback import feedback_periods_ended as ended


@shared_task(name="assessments.tasks.feedback_periods_ended", acks_late=True)
def feedback_periods_ended() -> int:
    """R-ASM-6: managers hear when an assessment's feedback period is over (beat runs it)."""
    return ended()
