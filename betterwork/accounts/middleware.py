"""Per-user language, and two-factor authentication for programme staff."""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

# Paths a signed-in staff member without a second factor may still reach: setting it up, signing
# out, changing language, static files, health, the API (which uses tokens, see api/views.py) and the
# public pages of the transparency portal (not its moderation pages).
_TWO_FACTOR_FREE_PREFIXES = (
    "/accounts/", "/i18n/", "/static/", "/healthz", "/api/", "/transparency.csv",
    "/transparency/factories/", "/transparency/issues/", "/transparency/remediation-files/",
)  # fmt: skip
_TWO_FACTOR_FREE_PATHS = frozenset({"/transparency/"})


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's and the cookie's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """Programme staff cannot use the platform until they have set up TOTP (allauth.mfa).

    Sits after MessageMiddleware (the warning needs it) and checks in `process_view`, once every
    middleware's request phase has run.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if (
            user.is_authenticated
            and user.needs_two_factor
            and not request.path.startswith(_TWO_FACTOR_FREE_PREFIXES)
            and request.path not in _TWO_FACTOR_FREE_PATHS
            and not _has_totp(user)
        ):
            messages.warning(request, _("Programme staff must set up two-factor authentication before going on."))
            return redirect(reverse("mfa_activate_totp"))
        return None


def _has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
