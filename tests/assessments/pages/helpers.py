"""Signing in as each role for the assessment pages (staff need a second factor: `with_totp`)."""

import re

from allauth.mfa.models import Authenticator
from django.test import Client

from betterwork.accounts.models import User
from tests.builders import with_totp

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def login(client: Client, user: User) -> Client:
    if user.is_programme_staff and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        with_totp(user)
    client.force_login(user)
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def without_csrf(html: str) -> str:
    """CSRF tokens are masked differently on every render: everything else must be byte-identical."""
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', html)
