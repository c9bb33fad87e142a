"""Every page in every language (issue 10, "Done when"): each page route of the authorisation matrix, requested by
a principal allowed to read it, in each language of the platform. The page answers as the matrix says, carries
`lang` and `dir` for the language, and shows no English of the programme's reference data that its language has a
translation for (critical issues, clusters, the Progress Report 1 template, differentiation criteria, country
names). Question texts are left out of that search: a finalised finding's question is copied into the factory's
improvement plan as written (the plan item's own text, like any user's text, is not translated).
"""

import re

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from betterwork.common import translations
from tests.proof.matrix import ROUTES, Route
from tests.proof.test_authz_matrix import expected
from tests.proof.world import World

pytestmark = pytest.mark.django_db

RTL = {"ar", "ur"}
READERS = ("factory_a", "buyer_a", "advisor_kh", "manager_kh", "admin", "anonymous")
CHECKED_MODELS = (
    "assessments.criticalissue:",
    "assessments.cluster:",
    "advisory.reporttemplate:",
    "reporting.differentiationcriterion:",
    "factories.country:",
)
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PAGES = [route for route in ROUTES if not route.api and not route.no_get and route.everyone is None]


def _reader(route: Route) -> str | None:
    for principal in READERS:
        if 200 in expected(route, principal, "a"):
            return principal
    return None


def _english_left(language: str) -> dict[str, str]:
    """English text → key, for entries translated differently in `language` and long enough to be unambiguous."""
    return {
        entry["source"]: key
        for key, entry in translations.catalogue(language).items()
        if key.startswith(CHECKED_MODELS) and entry["text"] != entry["source"] and len(entry["source"]) >= 16
    }


def _client(world: World, principal: str, language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    user = world.users.get(principal)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        user.language = ""  # the cookie decides (a saved preference would win over it)
        user.save(update_fields=["language"])
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_renders_in_the_language_with_its_reference_data(world, language):
    english = _english_left(language) if language != settings.LANGUAGE_CODE else {}
    tag = f'<html lang="{language}" dir="{"rtl" if language in RTL else "ltr"}">'
    wrong, seen = [], 0
    for route in PAGES:
        principal = _reader(route)
        if principal is None:
            continue
        url = route.url(world, "a")
        with transaction.atomic():
            response = _client(world, principal, language).get(url)
            transaction.set_rollback(True)
        if response.status_code not in route.ok:
            wrong.append(f"{url} as {principal}: {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
            continue
        seen += 1
        html = response.content.decode()
        if tag not in html:
            wrong.append(f"{url} as {principal}: no {tag}")
        text = re.sub(r"<[^>]+>", " ", html)
        for source, key in english.items():
            if source in text:
                wrong.append(f"{url} as {principal}: English left: {key}")
    assert seen > 40, seen
    assert not wrong, "\n".join(wrong)
