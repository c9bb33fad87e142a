"""`manage.py reference_messages`: bring `locale/<language>/reference.json` up to the reference data in the
database (see `betterwork.common.translations`); `--check` changes nothing and fails while any is incomplete."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from betterwork.common import translations


class Command(BaseCommand):
    help = "Update the reference-data translation catalogues from the database (or check them with --check)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Report incomplete catalogues; write nothing.")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        incomplete = []
        for language, wanted in translations.required_entries().items():
            entries = translations.catalogue(language)
            if not check:
                entries = translations.merged(entries, wanted)
                translations.write_catalogue(language, entries)
            found = translations.problems(entries, wanted)
            done = len(wanted) - sum(1 for p in found if not p.endswith("not needed any more"))
            self.stdout.write(f"{language}: {done} of {len(wanted)} entries translated")
            if found:
                incomplete.append(language)
                if check:
                    self.stdout.write("\n".join(f"  {p}" for p in found[:20]))
        if check and incomplete:
            raise CommandError(f"Incomplete reference catalogues: {', '.join(incomplete)}.")
