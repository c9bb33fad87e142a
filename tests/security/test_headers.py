"""Issue 9 §5: every kind of response — pages, API, downloads, errors 404 and 500, static files — carries the
Content-Security-Policy (no outside source, no inline script, no framing), `X-Content-Type-Options: nosniff`,
a `Referrer-Policy`, a framing refusal (`X-Frame-Options` or CSP `frame-ancestors`), and with the production
settings over HTTPS `Strict-Transport-Security`. Session and CSRF cookies: HttpOnly (session), SameSite, and in
production Secure with the `__Host-` prefix."""

import pytest
from django.test import Client

from tests.builders import FactoryBuilder, country, factory_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.urls")]

ANONYMOUS = {
    "home": ("/", 200),
    "public portal": ("/transparency/", 200),
    "public API": ("/api/v1/public/transparency/", 200),
    "login page": ("/accounts/login/", 200),
    "registration page": ("/register/", 200),
    "portal CSV": ("/transparency.csv", 200),
    "page 404": ("/no-such-page/", 404),
    "API 404": ("/api/v1/no-such-endpoint/", 404),
    "API refused": ("/api/v1/factories/", 401),
    "page 500": ("/__security-test-boom__/", 500),
}
STATIC = "/static/css/app.css"


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def factory():
    return FactoryBuilder(country=country("KH"))


@pytest.fixture
def signed_in(factory) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(factory_user(factory))
    return client


def assert_protected(response, what: str) -> None:
    csp = response.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") in (["'self'"], ["'none'"]), f"{what}: no CSP ({csp!r})"
    script = directives.get("script-src", directives["default-src"])
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*"):
        assert unsafe not in script, what
    assert "'none'" in directives.get("object-src", directives["default-src"]), what
    assert response.get("X-Content-Type-Options") == "nosniff", what
    assert response.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"), what
    framing = response.get("X-Frame-Options") == "DENY" or "frame-ancestors 'none'" in csp
    assert framing, f"{what}: may be framed"


@pytest.mark.parametrize("what", list(ANONYMOUS))
def test_anonymous_responses_carry_the_security_headers(anonymous, what):
    path, expected = ANONYMOUS[what]
    response = anonymous.get(path)
    assert response.status_code == expected, what
    assert_protected(response, what)


@pytest.mark.parametrize(
    "path",
    ["/factories/{pk}/", "/factories/{pk}/plan/", "/factories/{pk}/plan.csv", "/api/v1/factories/", "/notifications/"],
)
def test_signed_in_pages_api_and_downloads_carry_the_security_headers(signed_in, factory, path):
    response = signed_in.get(path.format(pk=factory.pk))
    assert response.status_code == 200, path
    assert_protected(response, path)


@pytest.fixture
def static_served(settings):
    """Production serves collected files from STATIC_ROOT; here WhiteNoise finds them in `static/`."""
    settings.WHITENOISE_USE_FINDERS = True


def test_static_files_carry_the_security_headers(anonymous, static_served):
    """Static files are served by WhiteNoise, inside SecurityMiddleware but outside the CSP and X-Frame-Options
    middleware: a static SVG or HTML file opened directly must not run script or be framed either."""
    response = anonymous.get(STATIC)
    assert response.status_code == 200
    assert response.get("X-Content-Type-Options") == "nosniff"
    assert response.get("Referrer-Policy")
    assert_protected(response, STATIC)


@pytest.mark.parametrize("path", ["/", "/transparency/", "/api/v1/public/transparency/", "/no-such-page/", STATIC])
def test_production_sends_hsts_over_https(anonymous, production, static_served, path):
    response = anonymous.get(path, secure=True)
    hsts = response.get("Strict-Transport-Security", "")
    assert "max-age=31536000" in hsts, path
    assert "includeSubDomains" in hsts, path
    assert "preload" in hsts, path


def test_production_redirects_plain_http_to_https(anonymous, production, settings):
    assert production["SECURE_SSL_REDIRECT"] is True
    settings.SECURE_SSL_REDIRECT = True
    response = anonymous.get("/transparency/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_throttles_the_api(production):
    """Production adds anonymous and per-user throttles to every API view (the test settings do not)."""
    classes = production["REST_FRAMEWORK"]["DEFAULT_THROTTLE_CLASSES"]
    assert "rest_framework.throttling.AnonRateThrottle" in classes
    assert "rest_framework.throttling.UserRateThrottle" in classes
    rates = production["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    for scope in ("anon", "user", "token"):
        assert rates[scope], scope


def test_production_cookies_are_secure_httponly_samesite_and_host_prefixed(production, factory):
    user = factory_user(factory)
    user.set_password("a-long-enough-password")
    user.save()
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    assert csrf["path"] == "/"
    assert not csrf["domain"]
    token = page.context["csrf_token"]
    response = client.post(
        "/accounts/login/",
        {"login": user.username, "password": "a-long-enough-password", "csrfmiddlewaretoken": str(token)},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",
    )
    assert response.status_code == 302, response.content[:500]
    session = response.cookies["__Host-sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]


def test_development_cookies_are_httponly_and_samesite_too(client, factory):
    user = factory_user(factory)
    user.set_password("a-long-enough-password")
    user.save()
    response = client.post("/accounts/login/", {"login": user.username, "password": "a-long-enough-password"})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
