"""Who sees which factory: the policy layer (`visible`, `may`), the API and the pages.

Hidden objects do not exist for the user: 404, never 403 (API.md "Conventions").
"""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from assessments.models import CriticalIssueException
from betterwork.accounts.models import Role, User
from betterwork.accounts.policy import get_visible_or_404, may, visible
from factories.models import Country, Factory
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    FactoryBuilder,
    ServiceCycleBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
    superuser,
    with_totp,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    kh, vn = country("KH"), country("VN")
    a = FactoryBuilder(name="Angkor Apparel", country=kh)
    a2 = FactoryBuilder(name="Mekong Knitwear", country=kh, status=Factory.Status.AWAITING_PAYMENT)
    b = FactoryBuilder(name="Saigon Stitch", country=vn)
    b2 = FactoryBuilder(name="Hanoi Footwear", country=vn, sector="footwear", status=Factory.Status.SUSPENDED)

    authorised, unauthorised, revoked = (
        BuyerBuilder(name="Acme"),
        BuyerBuilder(name="Zenith"),
        BuyerBuilder(name="Gone"),
    )
    BuyerAuthorisationBuilder(factory=a, buyer=authorised)
    now = timezone.now()
    # `authorised` was also let in by Hanoi Footwear once, then revoked: that one must not leak.
    BuyerAuthorisationBuilder(factory=b2, buyer=authorised, granted_at=now, revoked_at=now)
    BuyerAuthorisationBuilder(factory=b, buyer=revoked, granted_at=now, revoked_at=now)

    users = SimpleNamespace(
        factory_a=factory_user(a),
        factory_b=factory_user(b),
        advisor_kh=staff(Role.ADVISOR, "KH"),
        advisor_vn=staff(Role.ADVISOR, "VN"),
        pm_kh=staff(Role.PROGRAMME_MANAGER, "KH"),
        pm_vn=staff(Role.PROGRAMME_MANAGER, "VN"),
        assessor_kh=staff(Role.ASSESSOR, "KH"),
        assessor_vn=staff(Role.ASSESSOR, "VN"),
        buyer_authorised=buyer_user(authorised),
        buyer_unauthorised=buyer_user(unauthorised),
        buyer_revoked=buyer_user(revoked),
        global_admin=global_admin(),
        superuser=superuser(),
        inactive=staff(Role.ADVISOR, "KH", is_active=False),
    )
    return SimpleNamespace(a=a, a2=a2, b=b, b2=b2, users=users, factories=(a, a2, b, b2))


def expected_visible(w) -> dict[str, set[int]]:
    kh, vn = {w.a.pk, w.a2.pk}, {w.b.pk, w.b2.pk}
    return {
        "factory_a": {w.a.pk},
        "factory_b": {w.b.pk},
        "advisor_kh": kh,
        "advisor_vn": vn,
        "pm_kh": kh,
        "pm_vn": vn,
        "assessor_kh": kh,
        "assessor_vn": vn,
        "buyer_authorised": {w.a.pk},
        "buyer_unauthorised": set(),
        "buyer_revoked": set(),
        "global_admin": kh | vn,
        "superuser": kh | vn,
        "inactive": set(),
    }


PRINCIPALS = [
    "factory_a",
    "factory_b",
    "advisor_kh",
    "advisor_vn",
    "pm_kh",
    "pm_vn",
    "assessor_kh",
    "assessor_vn",
    "buyer_authorised",
    "buyer_unauthorised",
    "buyer_revoked",
    "global_admin",
    "superuser",
    "inactive",
]
ACTIVE_PRINCIPALS = [p for p in PRINCIPALS if p != "inactive"]


# --- the policy layer, in isolation -------------------------------------------------------------


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_policy_visible_factories(world, principal):
    user = getattr(world.users, principal)
    assert set(visible(user, Factory).values_list("pk", flat=True)) == expected_visible(world)[principal]


def test_policy_visible_for_anonymous_is_empty(world):
    from django.contrib.auth.models import AnonymousUser

    assert not visible(AnonymousUser(), Factory).exists()


def test_policy_refuses_a_model_without_visible_to(world):
    """Deny by default: a model that does not say who may see it is seen by nobody."""
    with pytest.raises(ImproperlyConfigured, match="nobody may see it"):
        visible(world.users.global_admin, CriticalIssueException)


def test_get_visible_or_404_hides_other_factories(world):
    from django.http import Http404

    assert get_visible_or_404(world.users.factory_a, Factory, pk=world.a.pk) == world.a
    with pytest.raises(Http404):
        get_visible_or_404(world.users.factory_a, Factory, pk=world.b.pk)
    with pytest.raises(Http404):
        get_visible_or_404(world.users.factory_a, Factory, pk="not-a-number")


def test_superuser_with_empty_role_acts_as_global_admin(world):
    su = world.users.superuser
    assert su.role == ""
    assert su.effective_role == Role.GLOBAL_ADMIN
    assert su.is_programme_staff
    assert su.needs_two_factor


@pytest.mark.parametrize(
    ("principal", "code", "allowed"),
    [
        ("pm_kh", "KH", True),
        ("pm_kh", "VN", False),
        ("pm_vn", "VN", True),
        ("advisor_kh", "KH", False),
        ("assessor_kh", "KH", False),
        ("factory_a", "KH", False),
        ("buyer_authorised", "KH", False),
        ("global_admin", "VN", True),
        ("superuser", "KH", True),
        ("inactive", "KH", False),
    ],
)
def test_may_change_country(world, principal, code, allowed):
    """R-CTY-2: the country's programme manager (or a global admin) sets its phase."""
    assert may(getattr(world.users, principal), "change", Country.objects.get(code=code)) is allowed


def test_inactive_programme_manager_may_not_change_its_country(world):
    pm = staff(Role.PROGRAMME_MANAGER, "KH", is_active=False)
    assert may(pm, "change", country("KH")) is False


# --- the API ------------------------------------------------------------------------------------


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return {row["id"] for row in body["results"]}


@pytest.mark.parametrize("principal", ACTIVE_PRINCIPALS)
def test_api_factory_list_is_scoped(world, api_client, principal):
    api_client.force_authenticate(getattr(world.users, principal))
    assert _ids(api_client.get("/api/v1/factories/")) == expected_visible(world)[principal]


@pytest.mark.parametrize("principal", ACTIVE_PRINCIPALS)
def test_api_factory_detail_is_404_when_hidden(world, api_client, principal):
    api_client.force_authenticate(getattr(world.users, principal))
    visible_ids = expected_visible(world)[principal]
    for factory in world.factories:
        response = api_client.get(f"/api/v1/factories/{factory.pk}/")
        if factory.pk in visible_ids:
            assert response.status_code == 200
            assert response.json()["name"] == factory.name
        else:
            assert response.status_code == 404, (principal, factory.name)
            assert factory.name not in response.content.decode()


def test_api_detail_of_a_nonexistent_factory_is_404_like_a_hidden_one(world, api_client):
    api_client.force_authenticate(world.users.factory_a)
    hidden = api_client.get(f"/api/v1/factories/{world.b.pk}/")
    missing = api_client.get("/api/v1/factories/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_api_factory_detail_fields(world, api_client):
    api_client.force_authenticate(world.users.buyer_authorised)
    body = api_client.get(f"/api/v1/factories/{world.a.pk}/").json()
    assert body == {
        "id": world.a.pk,
        "name": "Angkor Apparel",
        "country": "KH",
        "sector": "apparel",
        "address": "",
        "workers": 850,
        "women_percent": 78.5,
        "status": "active",
        "stage": 1,
        "current_cycle": None,
        "os_id": "",
    }


def test_api_anonymous_is_401(world, api_client):
    assert api_client.get("/api/v1/factories/").status_code == 401
    assert api_client.get(f"/api/v1/factories/{world.a.pk}/").status_code == 401


def test_api_inactive_user_token_is_refused(world, api_client):
    token = Token.objects.create(user=world.users.inactive)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/factories/").status_code == 401


def test_api_filters_stay_inside_the_scope(world, api_client):
    api_client.force_authenticate(world.users.advisor_kh)
    assert _ids(api_client.get("/api/v1/factories/", {"country": "VN"})) == set()
    assert _ids(api_client.get("/api/v1/factories/", {"status": "awaiting_payment"})) == {world.a2.pk}
    assert _ids(api_client.get("/api/v1/factories/", {"search": "Saigon"})) == set()
    api_client.force_authenticate(world.users.global_admin)
    assert _ids(api_client.get("/api/v1/factories/", {"country": "VN"})) == {world.b.pk, world.b2.pk}
    assert _ids(api_client.get("/api/v1/factories/", {"sector": "footwear"})) == {world.b2.pk}
    assert _ids(api_client.get("/api/v1/factories/", {"search": "Saigon"})) == {world.b.pk}


def test_revoking_stops_a_buyers_access_at_once(world, api_client):
    """R-ACC-1."""
    api_client.force_authenticate(world.users.buyer_authorised)
    assert api_client.get(f"/api/v1/factories/{world.a.pk}/").status_code == 200
    world.a.authorisations.update(revoked_at=timezone.now())
    assert api_client.get(f"/api/v1/factories/{world.a.pk}/").status_code == 404
    assert _ids(api_client.get("/api/v1/factories/")) == set()


@pytest.mark.parametrize("role", [Role.GLOBAL_ADMIN, Role.ADVISOR, Role.BUYER])
def test_api_factory_list_query_count_does_not_grow(api_client, django_assert_max_num_queries, role):
    """No query per row: 30 factories cost what 3 cost (select_related, the cycle as a subquery)."""
    buyer = BuyerBuilder() if role == Role.BUYER else None
    user = {Role.GLOBAL_ADMIN: global_admin, Role.ADVISOR: staff, Role.BUYER: lambda: buyer_user(buyer)}[role]()
    api_client.force_authenticate(user)

    def add(n: int) -> None:
        for _ in range(n):
            made = FactoryBuilder(country=country("KH"), advisor=staff(Role.ADVISOR, "KH"))
            ServiceCycleBuilder(factory=made)
            if buyer:
                BuyerAuthorisationBuilder(factory=made, buyer=buyer)

    add(3)
    with CaptureQueriesContext(connection) as small:
        assert len(_ids(api_client.get("/api/v1/factories/"))) == 3
    add(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api_client.get("/api/v1/factories/")
    assert len(_ids(response)) == 30
    assert all(row["current_cycle"] is not None for row in response.json()["results"])


# --- the pages ----------------------------------------------------------------------------------


def _login(client, user: User) -> None:
    if user.needs_two_factor:
        with_totp(user)
    client.force_login(user)


@pytest.mark.parametrize("principal", ACTIVE_PRINCIPALS)
def test_factory_list_page_is_scoped(world, client, principal):
    _login(client, getattr(world.users, principal))
    response = client.get("/factories/")
    assert response.status_code == 200
    visible_ids = expected_visible(world)[principal]
    assert {f.pk for f in response.context["page"].object_list} == visible_ids
    html = response.content.decode()
    for factory in world.factories:
        assert (factory.name in html) is (factory.pk in visible_ids), (principal, factory.name)
    if not visible_ids:
        assert "No factory matches these filters." in html


@pytest.mark.parametrize("principal", ACTIVE_PRINCIPALS)
def test_factory_detail_page_is_404_when_hidden(world, client, principal):
    _login(client, getattr(world.users, principal))
    visible_ids = expected_visible(world)[principal]
    for factory in world.factories:
        response = client.get(f"/factories/{factory.pk}/")
        expected = 200 if factory.pk in visible_ids else 404
        assert response.status_code == expected, (principal, factory.name)
        assert (factory.name in response.content.decode()) is (expected == 200)


def test_factory_detail_page_lists_buyers_for_staff_and_the_factory_only(world, client):
    _login(client, world.users.factory_a)
    assert "Acme" in client.get(f"/factories/{world.a.pk}/").content.decode()
    client.logout()
    _login(client, world.users.buyer_authorised)
    html = client.get(f"/factories/{world.a.pk}/").content.decode()
    assert "Authorised buyers" not in html


def test_pages_need_a_login(world, client):
    for path in ("/factories/", f"/factories/{world.a.pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_inactive_user_session_is_anonymous(world, client):
    client.force_login(world.users.inactive)
    response = client.get("/factories/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
