"""allauth adapter (accounts are created by the programme, never by self sign-up) and axes' username."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username django-axes counts failures against, for every way of signing in.

    `authenticate()` receives it as `username` (allauth's form, the token endpoint); a POST that never
    reached `authenticate()` carries it as allauth's `login` field.
    """
    if credentials and credentials.get("username"):
        return credentials["username"]
    return request.POST.get("login") or request.POST.get("username")
