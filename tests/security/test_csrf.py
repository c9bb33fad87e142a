"""Issue 9 §5 "CSRF on every unsafe form": walks the whole URL configuration. Every page route (forms, htmx
actions, sign-in, registration, language switch, the admin) refuses a POST without a CSRF token, signed in or not;
every API route refuses a session-authenticated POST without one (DRF's SessionAuthentication), and an API view
that takes no session (token exchange, public endpoints) uses no ambient credential at all."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from rest_framework.authentication import SessionAuthentication

from tests.builders import FactoryBuilder, country, factory_user

pytestmark = pytest.mark.django_db

_CONVERTER = re.compile(r"<(?:\w+:)?\w+>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _piece(pattern) -> str | None:
    """A concrete path piece for one URL pattern (every argument "1"); None if it cannot be built."""
    if isinstance(pattern, RoutePattern):
        return _CONVERTER.sub("1", str(pattern))  # "1" suits every converter (int, str, slug, path)
    if isinstance(pattern, RegexPattern):
        text = pattern.regex.pattern
        if "(?P<format>" in text:
            return None  # DRF's format-suffix copies of the same views
        text = _GROUP.sub("1", text).lstrip("^").rstrip("$").replace("\\Z", "").replace("\\.", ".")
        text = text.replace("/?", "/")
        return None if re.search(r"[\\()\[\]*+?|{}]", text) else text
    return None


def _walk(resolvers, prefix: str = ""):
    for entry in resolvers:
        piece = _piece(entry.pattern)
        if piece is None:
            continue
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + piece)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + piece, entry.callback


def routes() -> list[tuple[str, object]]:
    """Every route of the project that resolves back to its own view with sample arguments."""
    found = []
    for path, callback in _walk(get_resolver().url_patterns):
        try:
            match = resolve(path)
        except Exception:  # noqa: S112 - a sample argument the route's converter refuses
            continue
        if match.func is callback:
            found.append((path, callback))
    return found


ROUTES = routes()
PAGES = sorted({path for path, _view in ROUTES if not path.startswith("/api/")})
API = sorted({path for path, _view in ROUTES if path.startswith("/api/")})


def test_the_walk_finds_the_project_s_routes():
    """The walk must not silently miss most of the URL configuration (a test that checks nothing)."""
    assert len(PAGES) > 60
    assert len(API) > 30
    for expected in ("/accounts/login/", "/register/", "/i18n/setlang/", "/factories/1/plan/", "/admin/login/"):
        assert expected in PAGES


def test_no_page_view_is_csrf_exempt():
    exempt = [path for path, view in ROUTES if not path.startswith("/api/") and getattr(view, "csrf_exempt", False)]
    assert exempt == []


@pytest.fixture
def signed_in() -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(factory_user(FactoryBuilder(country=country("KH"))))
    return client


def _refused_for_csrf(response) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


def test_every_page_route_refuses_a_post_without_a_token_anonymous():
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    accepted = [(path, client.post(path, {"x": "1"}).status_code) for path in PAGES]
    assert [(path, status) for (path, status) in accepted if status != 403] == []


def test_every_page_route_refuses_a_post_without_a_token_signed_in(signed_in):
    accepted = []
    for path in PAGES:
        response = signed_in.post(path, {"x": "1"})
        if not _refused_for_csrf(response):
            accepted.append((path, response.status_code))
    assert accepted == []


def test_every_api_route_refuses_a_session_post_without_a_token(signed_in):
    """Views without SessionAuthentication take no cookie, so a forged cross-site POST carries no identity."""
    unprotected = []
    for path, view in ROUTES:
        if not path.startswith("/api/"):
            continue
        cls = getattr(view, "cls", None)
        authenticators = getattr(cls, "authentication_classes", None) if cls else None
        sessions = authenticators is None or any(issubclass(auth, SessionAuthentication) for auth in authenticators)
        response = signed_in.post(path, {"x": "1"})
        if sessions and not _refused_for_csrf(response) and not _token_changes_the_answer(signed_in, path, response):
            unprotected.append((path, response.status_code))
    assert unprotected == []


def _token_changes_the_answer(client: Client, path: str, refused) -> bool:
    """A 403 whose body does not say why (an HTML-only view such as the Swagger page): with a valid token the
    same POST is no longer refused, so the refusal was the CSRF check."""
    if refused.status_code != 403:
        return False
    client.get("/accounts/profile/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    return client.post(path, {"x": "1"}, HTTP_X_CSRFTOKEN=token).status_code != 403


def test_a_post_with_the_token_gets_past_the_csrf_check(signed_in):
    """The negative control: the same client with a token is not refused for CSRF (the check is the token)."""
    assert signed_in.get("/accounts/profile/").status_code == 200
    token = signed_in.cookies["csrftoken"]
    response = signed_in.post("/i18n/setlang/", {"language": "fr", "csrfmiddlewaretoken": token.value})
    assert not _refused_for_csrf(response)
    assert response.status_code in (200, 302)
