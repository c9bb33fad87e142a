"""Signing in: API tokens, the browser form, lockout, TOTP for staff, password reset, language."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token

from betterwork.accounts.models import Role, User
from tests.builders import (
    PASSWORD,
    FactoryBuilder,
    country,
    factory_user,
    staff,
    totp_code,
    with_totp,
)

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"
ME_URL = "/api/v1/users/me/"
LOCKED_MESSAGE = "Too many failed sign-ins for this account; try again later."
BAD_CREDENTIALS = {"detail": "Unable to sign in with this username and password."}


@pytest.fixture
def factory():
    return FactoryBuilder(name="Angkor Apparel", country=country("KH"))


@pytest.fixture
def fu(factory):
    return factory_user(factory, username="sokha", email="sokha@example.org")


@pytest.fixture
def still_clock():
    """TOTP codes change every 30 seconds (no tolerance): hold the clock so a code cannot expire mid-test."""
    with time_machine.travel(time.time(), tick=False):
        yield


def _token(api_client, username: str, password: str = PASSWORD, **extra):
    return api_client.post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json")


# --- API token ----------------------------------------------------------------------------------


def test_token_is_issued_and_authenticates(api_client, fu):
    response = _token(api_client, "sokha")
    assert response.status_code == 200
    key = response.json()["token"]
    assert list(response.json()) == ["token"]
    assert Token.objects.get(user=fu).key == key

    fresh = api_client.__class__()
    assert fresh.get(ME_URL).status_code == 401
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = fresh.get(ME_URL)
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["role"], me.json()["factory"]) == (fu.pk, "factory", fu.factory_id)


def test_same_token_on_a_second_request(api_client, fu):
    assert _token(api_client, "sokha").json() == _token(api_client, "sokha").json()


def test_a_made_up_token_is_401(api_client, fu):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api_client.get(ME_URL).status_code == 401


def test_wrong_password_is_400(api_client, fu):
    response = _token(api_client, "sokha", "not the password")
    assert response.status_code == 400
    assert response.json() == BAD_CREDENTIALS
    assert not Token.objects.filter(user=fu).exists()


def test_unknown_user_answers_like_a_wrong_password(api_client, fu):
    response = _token(api_client, "nobody-here")
    assert response.status_code == 400
    assert response.json() == BAD_CREDENTIALS


def test_missing_fields_are_named(api_client):
    response = api_client.post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_inactive_user_gets_no_token(api_client, factory):
    user = factory_user(factory, username="gone", is_active=False)
    response = _token(api_client, "gone")
    assert response.status_code == 400
    assert response.json() == BAD_CREDENTIALS
    assert not Token.objects.filter(user=user).exists()


def test_lockout_after_the_failure_limit_even_with_the_right_password(api_client, fu):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert _token(api_client, "sokha", "wrong").status_code == 400
    last = _token(api_client, "sokha", "wrong")
    assert last.status_code == 429
    assert last.json() == {"detail": LOCKED_MESSAGE}

    right = _token(api_client, "sokha")
    assert right.status_code == 429
    assert right.json() == {"detail": LOCKED_MESSAGE}
    assert "token" not in right.json()
    assert not Token.objects.filter(user=fu).exists()
    assert AccessAttempt.objects.get(username="sokha").failures_since_start >= limit


def test_lockout_is_per_username(api_client, fu, factory):
    factory_user(factory, username="dara")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(api_client, "sokha", "wrong")
    assert _token(api_client, "dara").status_code == 200


def test_lockout_survives_a_cleared_cache(api_client, fu):
    """Lockouts live in the database, so they hold when Redis is down or restarted."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(api_client, "sokha", "wrong")
    cache.clear()
    assert _token(api_client, "sokha").status_code == 429


def test_token_needs_the_current_totp_code_once_set_up(api_client, still_clock):
    advisor = staff(Role.ADVISOR, "KH", username="vanna")
    secret = with_totp(advisor)

    missing = _token(api_client, "vanna")
    assert missing.status_code == 400
    assert missing.json() == {"otp": ["Enter the current six-digit code from your authenticator app."]}

    wrong = _token(api_client, "vanna", otp=totp_code(secret, steps=10))
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["otp"]
    assert not Token.objects.filter(user=advisor).exists()

    code = totp_code(secret)
    right = _token(api_client, "vanna", otp=code)
    assert right.status_code == 200
    assert right.json()["token"] == Token.objects.get(user=advisor).key

    replay = _token(api_client, "vanna", otp=code)
    assert replay.status_code == 400, "a TOTP code is good for one use only"
    assert list(replay.json()) == ["otp"]


def test_staff_without_totp_may_use_the_api(api_client):
    """The API uses tokens and is not behind the 2FA set-up redirect (the middleware leaves /api/ alone)."""
    staff(Role.ADVISOR, "KH", username="newbie")
    response = _token(api_client, "newbie")
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get(ME_URL).status_code == 200


# --- browser sign-in ----------------------------------------------------------------------------


def test_factory_user_signs_in_and_lands_on_its_factory_home(client, fu, factory):
    FactoryBuilder(name="Phnom Penh Knits", country=country("KH"))
    response = client.post(LOGIN_URL, {"login": "sokha", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    home = client.get("/")
    html = home.content.decode()
    assert home.context["user"] == fu
    assert "<h1>Angkor Apparel</h1>" in html
    assert "Phnom Penh Knits" not in html


def test_browser_wrong_password_shows_the_form_again(client, fu):
    response = client.post(LOGIN_URL, {"login": "sokha", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "The username and/or password you specified are not correct." in response.content.decode()


def test_browser_lockout(client, fu):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LOGIN_URL, {"login": "sokha", "password": "wrong"}).status_code == 200
    locked = client.post(LOGIN_URL, {"login": "sokha", "password": "wrong"})
    assert locked.status_code == 429
    assert AccessAttempt.objects.filter(username="sokha").exists()

    # allauth's own (cache-based) limit refuses first ...
    refused = client.post(LOGIN_URL, {"login": "sokha", "password": PASSWORD})
    assert refused.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    # ... and once the cache has forgotten, the database lockout still holds.
    cache.clear()
    refused = client.post(LOGIN_URL, {"login": "sokha", "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_api_and_browser_failures_count_together(api_client, client, fu):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _token(api_client, "sokha", "wrong")
    assert client.post(LOGIN_URL, {"login": "sokha", "password": "wrong"}).status_code == 429
    assert _token(api_client, "sokha").status_code == 429


def test_staff_with_totp_must_enter_a_code_in_the_browser(client, still_clock):
    advisor = staff(Role.ADVISOR, "KH", username="vanna")
    secret = with_totp(advisor)
    response = client.post(LOGIN_URL, {"login": "vanna", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session

    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert done.status_code == 302
    assert int(client.session["_auth_user_id"]) == advisor.pk
    assert client.get("/").status_code == 200


def test_staff_without_totp_is_sent_to_set_it_up(client):
    staff(Role.PROGRAMME_MANAGER, "KH", username="chan")
    assert client.post(LOGIN_URL, {"login": "chan", "password": PASSWORD}).status_code == 302
    activate = reverse("mfa_activate_totp")
    for path in ("/", "/factories/", "/factories/?status=active"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == activate
    for path in ("/api/v1/users/me/", "/accounts/profile/", "/transparency/"):
        response = client.get(path)
        assert response.status_code == 200, path


def test_totp_set_up_redirect_explains_itself_and_does_not_loop(client):
    staff(Role.ADVISOR, "KH", username="chan")
    client.post(LOGIN_URL, {"login": "chan", "password": PASSWORD})
    response = client.get("/", follow=True)
    assert response.status_code == 200
    chain = [url for url, _status in response.redirect_chain]
    assert chain[0] == reverse("mfa_activate_totp")
    assert all(url.startswith("/accounts/") for url in chain)
    messages = [str(m) for m in response.context["messages"]]
    assert "Programme staff must set up two-factor authentication before going on." in messages


def test_non_staff_are_never_sent_to_totp_set_up(client, fu):
    client.force_login(fu)
    assert client.get("/").status_code == 200
    assert client.get(f"/factories/{fu.factory_id}/").status_code == 200


def test_superuser_without_totp_is_sent_to_set_it_up(client):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    with_totp(root)
    assert client.get("/").status_code == 200
    assert Authenticator.objects.filter(user=root).count() == 1


# --- password reset -----------------------------------------------------------------------------


def test_password_reset_sends_one_email(client, fu):
    response = client.post(reverse("account_reset_password"), {"email": "sokha@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sokha@example.org"]
    assert "/accounts/password/reset/key/" in message.body


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client, fu):
    response = client.post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    assert response.status_code == 302  # same answer: no hint whether the address exists
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


# --- language -----------------------------------------------------------------------------------


def test_language_switch_is_saved_for_a_signed_in_user(client, fu):
    client.force_login(fu)
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.status_code == 302
    fu.refresh_from_db()
    assert fu.language == "ar"
    html = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_saved_language_follows_the_user_to_a_new_session(client, fu):
    fu.language = "km"
    fu.save(update_fields=["language"])
    client.force_login(fu)
    assert '<html lang="km" dir="ltr">' in client.get("/").content.decode()


def test_unknown_language_is_not_saved(client, fu):
    client.force_login(fu)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    fu.refresh_from_db()
    assert fu.language == ""
    assert '<html lang="en" dir="ltr">' in client.get("/").content.decode()


def test_anonymous_language_switch_uses_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    assert '<html lang="vi" dir="ltr">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_successful_token_sign_in_resets_the_failure_count_and_records_last_login(api_client):
    from axes.models import AccessAttempt

    from tests.builders import PASSWORD, UserBuilder

    user = UserBuilder(username="resets", role="global_admin", country=None)
    for _ in range(3):
        api_client.post("/api/v1/auth/token/", {"username": "resets", "password": "wrong"}, format="json")
    assert AccessAttempt.objects.filter(username="resets").exists()

    response = api_client.post("/api/v1/auth/token/", {"username": "resets", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(username="resets").exists()
    user.refresh_from_db()
    assert user.last_login is not None
