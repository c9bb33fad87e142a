"""Issue 9 §5 rate limits. Sign-in lockout (django-axes, page and token endpoint together) is tested in
tests/accounts/test_auth.py, and the registration budget (page and API share it) in
tests/factories/registration/test_public_registration.py; here: the token endpoint's own throttle (scope
"token"), which bounds password guessing across many usernames from one address, and the production budgets."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from tests.builders import PASSWORD, FactoryBuilder, country, factory_user

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def token_budget(monkeypatch):
    # DRF binds the rates when the module loads; the test settings raise them so other tests never hit them.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})


def test_the_token_endpoint_is_throttled_per_address_across_usernames(api_client, token_budget):
    for n in range(3):
        response = api_client.post(TOKEN_URL, {"username": f"guess{n}", "password": "wrong"}, format="json")
        assert response.status_code == 400
    refused = api_client.post(TOKEN_URL, {"username": "guess9", "password": "wrong"}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_a_throttled_address_gets_no_token_even_with_the_right_password(api_client, token_budget):
    user = factory_user(FactoryBuilder(country=country("KH")))
    for _ in range(3):
        api_client.post(TOKEN_URL, {"username": "nobody", "password": "wrong"}, format="json")
    response = api_client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert not Token.objects.filter(user=user).exists()


def test_another_address_has_its_own_budget(api_client, token_budget):
    for _ in range(4):
        api_client.post(TOKEN_URL, {"username": "nobody", "password": "wrong"}, format="json")
    other = api_client.post(TOKEN_URL, {"username": "nobody", "password": "wrong"}, format="json",
                            REMOTE_ADDR="203.0.113.7")  # fmt: skip
    assert other.status_code == 400


def test_production_budgets(production_values):
    """The deployed budgets (base settings; the test settings raise them): 10 token exchanges a minute per
    address, 60 anonymous API requests a minute per address, and the axes lockout after 5 failures."""
    rates = production_values["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    assert rates["token"] == "10/min"
    assert rates["anon"] == "60/min"
