"""Account pages that allauth does not provide: language preference and the profile overview."""

from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from rest_framework.authtoken.models import Token


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher (cookie), plus the signed-in user's saved preference."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    authenticators = {a.type for a in Authenticator.objects.filter(user=request.user)}
    return render(
        request,
        "account/profile.html",
        {
            "has_totp": Authenticator.Type.TOTP in authenticators,
            "has_recovery_codes": Authenticator.Type.RECOVERY_CODES in authenticators,
            "has_token": Token.objects.filter(user=request.user).exists(),
        },
    )
