"""`python manage.py rebuild_transparency`: rewrite every public snapshot and listing from the published
assessments (R-PUB; idempotent). Prints the counts."""

from typing import Any

from django.core.management.base import BaseCommand

from reporting.services.transparency import rebuild


class Command(BaseCommand):
    help = "Rebuild the public transparency snapshots and listings from the published assessments."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rebuild()
        self.stdout.write(
            f"{counts['assessments']} published assessments, {counts['findings']} public findings, "
            f"{counts['listed']} listed factories."
        )
