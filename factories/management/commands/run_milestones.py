"""`manage.py run_milestones [--as-of YYYY-MM-DD]`: one milestone sweep, the same code beat runs."""

from datetime import date

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from factories.services.sweep import run_milestones


class Command(BaseCommand):
    help = "Run one milestone sweep: reminders, overdue notices, closing ended cycles, automatic steps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="sweep as on this date")

    def handle(self, *args: object, **options: object) -> None:
        report = run_milestones(as_of=options["as_of"] or timezone.localdate())
        self.stdout.write(
            f"Sweep: {report.reminders} reminders, {report.overdue} overdue notices, "
            f"{report.cycles_closed} cycles closed, {report.steps_done} automatic steps, "
            f"{report.notifications} notifications."
        )
