"""Celery tasks of the factories app. Each is idempotent and calls one service (the same code as the pages)."""

from datetime import date

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from factories.services.lifecycle import renewals_suspend_overdue as suspend_overdue
from factories.services.sweep import run_milestones as sweep


@shared_task(name="factories.tasks.renewals_suspend_overdue", acks_late=True)
def renewals_suspend_overdue(today: str | None = None) -> list[int]:
    """R-REG-3: suspend active factories whose renewal invoice is unpaid past its due date (beat runs it).

    `today` (ISO date) defaults to the current date; the result lists the factories suspended by this run.
    """
    return suspend_overdue(today=date.fromisoformat(today) if today else timezone.localdate())


@shared_task(name="factories.tasks.run_milestones", acks_late=True)
def run_milestones(as_of: str | None = None) -> dict[str, int]:
    """R-CYC-8: the milestone sweep that beat sends every minute; `manage.py run_milestones` runs the same code.
    Safe to run twice or concurrently (factories.services.sweep)."""
    report = sweep(
        as_of=date.fromisoformat(as_of) if as_of else timezone.localdate(),
        batch_size=settings.BETTERWORK["SWEEP_BATCH"],
    )
    return {"reminders": report.reminders, "overdue": report.overdue, "cycles_closed": report.cycles_closed}
