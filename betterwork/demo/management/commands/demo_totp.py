"""`manage.py demo_totp <username>`: the current two-factor code of a demo staff account (DEBUG only)."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from betterwork.accounts.models import User
from betterwork.demo.seed import demo_totp_secret, is_demo_staff


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account, so the demo needs no authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp works only with DEBUG on (make run); real accounts use an authenticator app.")
        user = User.objects.filter(username=username).first()
        if user is None or not is_demo_staff(user):
            raise CommandError(f"{username!r} is not a demo staff account (seed_demo creates those).")
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        code = format_hotp_value(hotp_value(demo_totp_secret(username), counter))
        self.stdout.write(code)
