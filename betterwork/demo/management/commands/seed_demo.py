"""`manage.py seed_demo [--factories N] [--seed S] [--today YYYY-MM-DD]`: a believable demo programme."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from betterwork.demo.seed import DEMO_PASSWORD, seed_demo

DEFAULT_FACTORIES = 160  # every country at every point of the cycle, seeded in seconds


class Command(BaseCommand):
    help = (
        "Add a demo programme in the proportions of the 2019 annual report: factories in every country at "
        "every point of the cycle, their assessments (planned, in progress, in the feedback period, finalised, "
        "published) and improvement plans, buyers with authorisations and users for every role. Deterministic for a "
        "seed and a date; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--factories", type=int, default=DEFAULT_FACTORIES, help="how many (1600: real scale)")
        parser.add_argument("--seed", type=int, default=2019, help="random seed")
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="anchor date (default: today)")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args: object, **options: object) -> None:
        size = options["factories"]
        if size < 1:
            raise CommandError("--factories must be at least 1.")
        result = seed_demo(
            size=size,
            seed=options["seed"],
            today=options["today"] or timezone.localdate(),
            progress=options["verbosity"] > 0,
        )
        created = ", ".join(f"{n} {kind}" for kind, n in sorted(result.created.items()) if n) or "nothing new"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo programme: {result.factories} factories, {result.users} users ({created} created)."
            )
        )
        if not options["quiet_logins"]:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for role, username, note in result.logins:
                self.stdout.write(f"  {role:<22} {username:<22} {note}")
            self.stdout.write(
                "Staff sign in with a second factor: `python manage.py demo_totp <username>` prints the code."
            )
