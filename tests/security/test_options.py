"""OPTIONS on the API (issue 9): it describes a route to whoever may GET it, and lists a method (with its fields)
only to whoever may use it; anonymous callers get 401 except on public routes."""

import pytest
from django.test import Client

from tests.builders import FactoryBuilder, factory_user, staff, with_totp

pytestmark = pytest.mark.django_db


def _api(user=None) -> Client:
    client = Client()
    if user is not None:
        if user.is_programme_staff:
            with_totp(user)
        client.force_login(user)
    return client


def test_options_describes_a_list_and_offers_writes_only_to_who_may_write():
    factory_side = _api(factory_user(FactoryBuilder()))
    described = factory_side.options("/api/v1/training-courses/")
    assert described.status_code == 200
    assert described.json()["name"]
    assert "POST" not in described.json().get("actions", {})
    staff_side = _api(staff("advisor", "KH")).options("/api/v1/training-courses/")
    assert staff_side.status_code == 200
    assert "title_translations" in staff_side.json()["actions"]["POST"]


def test_options_needs_the_same_credentials_as_get():
    anonymous = _api()
    assert anonymous.options("/api/v1/training-courses/").status_code == 401
    assert anonymous.options("/api/v1/public/transparency/").status_code == 200
