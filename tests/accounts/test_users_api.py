"""/api/v1/users/: who creates and lists which accounts (API.md "Users and roles")."""

import pytest
from django.db import IntegrityError, transaction

from betterwork.accounts.models import Role, User
from tests.builders import (
    BuyerBuilder,
    FactoryBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
    superuser,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/"
STRONG = "Tonle Sap river at dawn 42"


def _payload(username: str, role: str, **scope) -> dict:
    return {"username": username, "password": STRONG, "email": f"{username}@example.org", "role": role, **scope}


@pytest.fixture
def kh_factory():
    return FactoryBuilder(name="Angkor Apparel", country=country("KH"))


@pytest.fixture
def vn_factory():
    return FactoryBuilder(name="Saigon Stitch", country=country("VN"))


@pytest.fixture
def pm_kh(api_client):
    pm = staff(Role.PROGRAMME_MANAGER, "KH", username="pm_kh")
    api_client.force_authenticate(pm)
    return pm


# --- creation by a global admin ------------------------------------------------------------------


@pytest.mark.parametrize("actor", [global_admin, superuser])
def test_global_admin_creates_every_role(api_client, kh_factory, actor):
    api_client.force_authenticate(actor())
    buyer = BuyerBuilder(name="Acme")
    cases = [
        ("new_admin", Role.GLOBAL_ADMIN, {}),
        ("new_pm", Role.PROGRAMME_MANAGER, {"country": "VN"}),
        ("new_advisor", Role.ADVISOR, {"country": "KH"}),
        ("new_assessor", Role.ASSESSOR, {"country": "JO"}),
        ("new_factory", Role.FACTORY, {"factory": kh_factory.pk}),
        ("new_buyer", Role.BUYER, {"buyer": buyer.pk}),
    ]
    for username, role, scope in cases:
        response = api_client.post(URL, _payload(username, role, **scope), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        user = User.objects.get(pk=body["id"])
        assert (body["username"], body["role"]) == (username, role)
        assert (user.role, user.country_id, user.factory_id, user.buyer_id) == (
            role,
            scope.get("country"),
            scope.get("factory"),
            scope.get("buyer"),
        )
        assert user.check_password(STRONG)
        assert "password" not in body


@pytest.mark.parametrize(
    ("role", "scope", "field", "message"),
    [
        (Role.ADVISOR, {}, "country", "A user with the role “advisor” needs a country."),
        (Role.FACTORY, {}, "factory", "A user with the role “factory” needs a factory."),
        (Role.BUYER, {}, "buyer", "A user with the role “buyer” needs a buyer."),
        (Role.GLOBAL_ADMIN, {"country": "KH"}, "country", "Leave this empty for the role “global_admin”."),
        (Role.ADVISOR, {"country": "XX"}, "country", None),
    ],
)
def test_global_admin_must_give_exactly_the_scope_the_role_needs(api_client, role, scope, field, message):
    api_client.force_authenticate(global_admin())
    response = api_client.post(URL, _payload("someone", role, **scope), format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    if message:
        assert body[field] == [message]
    assert not User.objects.filter(username="someone").exists()


def test_stray_scope_on_a_role_is_refused(api_client, kh_factory):
    api_client.force_authenticate(global_admin())
    response = api_client.post(
        URL, _payload("mixed", Role.BUYER, buyer=BuyerBuilder().pk, factory=kh_factory.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"factory": ["Leave this empty for the role “buyer”."]}


@pytest.mark.parametrize("password", ["short", "password1234", "12345678901234567", "newcomer-example"])
def test_weak_password_is_refused(api_client, password):
    api_client.force_authenticate(global_admin())
    payload = _payload("newcomer", Role.ADVISOR, country="KH") | {"password": password}
    response = api_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert response.json()["password"]
    assert not User.objects.filter(username="newcomer").exists()


def test_username_taken_case_insensitively(api_client):
    api_client.force_authenticate(global_admin())
    staff(username="Sokha")
    response = api_client.post(URL, _payload("sokha", Role.ADVISOR, country="KH"), format="json")
    assert response.status_code == 400
    assert response.json() == {"username": ["This username is taken; choose another."]}


# --- creation by a programme manager -------------------------------------------------------------


def test_programme_manager_creates_an_advisor_in_its_country(api_client, pm_kh):
    response = api_client.post(URL, _payload("adv1", Role.ADVISOR, country="KH"), format="json")
    assert response.status_code == 201
    assert User.objects.get(pk=response.json()["id"]).country_id == "KH"


def test_programme_manager_may_omit_the_country(api_client, pm_kh):
    response = api_client.post(URL, _payload("adv2", Role.ASSESSOR), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["country"] == "KH"
    assert User.objects.get(username="adv2").country_id == "KH"


def test_programme_manager_creates_a_factory_user_of_its_country(api_client, pm_kh, kh_factory):
    response = api_client.post(URL, _payload("fu1", Role.FACTORY, factory=kh_factory.pk), format="json")
    assert response.status_code == 201
    assert User.objects.get(username="fu1").factory_id == kh_factory.pk


def test_programme_manager_cannot_create_staff_in_another_country(api_client, pm_kh):
    response = api_client.post(URL, _payload("adv_vn", Role.ADVISOR, country="VN"), format="json")
    assert response.status_code == 400
    assert response.json() == {"country": ["You can create staff only for your own country (KH)."]}
    assert not User.objects.filter(username="adv_vn").exists()


@pytest.mark.parametrize("role", [Role.GLOBAL_ADMIN, Role.BUYER])
def test_programme_manager_cannot_create_global_roles(api_client, pm_kh, role):
    scope = {"buyer": BuyerBuilder().pk} if role == Role.BUYER else {}
    response = api_client.post(URL, _payload("nope", role, **scope), format="json")
    assert response.status_code == 400
    assert response.json()["role"] == ["Only a global administrator can create this role."]
    assert not User.objects.filter(username="nope").exists()


def test_factory_of_another_country_is_rejected_as_if_it_did_not_exist(api_client, pm_kh, vn_factory):
    """No cross-tenant ids: the VN factory answers exactly like an id that does not exist."""
    other = api_client.post(URL, _payload("fu_vn", Role.FACTORY, factory=vn_factory.pk), format="json")
    missing = api_client.post(URL, _payload("fu_vn", Role.FACTORY, factory=999999), format="json")
    assert other.status_code == missing.status_code == 400
    assert list(other.json()) == ["factory"]
    assert other.json()["factory"] == [f'Invalid pk "{vn_factory.pk}" - object does not exist.']
    assert missing.json()["factory"] == ['Invalid pk "999999" - object does not exist.']
    assert "Saigon" not in other.content.decode()
    assert not User.objects.filter(username="fu_vn").exists()


# --- who may not --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: staff(Role.ADVISOR, "KH"),
        lambda: staff(Role.ASSESSOR, "KH"),
        lambda: factory_user(FactoryBuilder()),
        lambda: buyer_user(BuyerBuilder()),
    ],
    ids=["advisor", "assessor", "factory", "buyer"],
)
def test_other_roles_may_neither_create_nor_list(api_client, make):
    api_client.force_authenticate(make())
    assert api_client.get(URL).status_code == 403
    response = api_client.post(URL, _payload("sneaky", Role.ADVISOR, country="KH"), format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, _payload("anon", Role.ADVISOR, country="KH"), format="json").status_code == 401
    assert api_client.get(URL + "me/").status_code == 401


# --- listing ------------------------------------------------------------------------------------


@pytest.fixture
def population(kh_factory, vn_factory):
    return {
        "adv_kh": staff(Role.ADVISOR, "KH", username="adv_kh", first_name="Sokha"),
        "ass_kh": staff(Role.ASSESSOR, "KH", username="ass_kh"),
        "adv_vn": staff(Role.ADVISOR, "VN", username="adv_vn"),
        "pm_vn": staff(Role.PROGRAMME_MANAGER, "VN", username="pm_vn"),
        "fu_kh": factory_user(kh_factory, username="fu_kh"),
        "fu_vn": factory_user(vn_factory, username="fu_vn"),
        "buyer": buyer_user(BuyerBuilder(), username="buyer1"),
        "admin": global_admin(username="admin1"),
    }


def _usernames(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["username"] for row in response.json()["results"]}


def test_programme_manager_lists_exactly_its_country(api_client, pm_kh, population):
    assert _usernames(api_client.get(URL)) == {"pm_kh", "adv_kh", "ass_kh", "fu_kh"}


def test_programme_manager_cannot_read_another_countrys_user(api_client, pm_kh, population):
    assert api_client.get(f"{URL}{population['adv_vn'].pk}/").status_code == 404
    assert api_client.get(f"{URL}{population['buyer'].pk}/").status_code == 404
    response = api_client.get(f"{URL}{population['fu_kh'].pk}/")
    assert response.status_code == 200
    assert response.json()["factory"] == population["fu_kh"].factory_id


def test_global_admin_lists_everyone(api_client, population):
    admin = global_admin(username="root")
    api_client.force_authenticate(admin)
    assert _usernames(api_client.get(URL)) == {*(u.username for u in population.values()), "root"}


def test_list_fields(api_client, pm_kh, population):
    rows = {row["username"]: row for row in api_client.get(URL).json()["results"]}
    assert rows["adv_kh"] == {
        "id": population["adv_kh"].pk,
        "username": "adv_kh",
        "email": "adv_kh@example.org",
        "role": "advisor",
        "country": "KH",
        "factory": None,
        "buyer": None,
        "language": "",
        "is_active": True,
    }


def test_role_filter(api_client, pm_kh, population):
    assert _usernames(api_client.get(URL, {"role": "factory"})) == {"fu_kh"}
    assert _usernames(api_client.get(URL, {"role": "advisor"})) == {"adv_kh"}
    api_client.force_authenticate(global_admin(username="root"))
    assert _usernames(api_client.get(URL, {"role": "advisor"})) == {"adv_kh", "adv_vn"}
    assert _usernames(api_client.get(URL, {"role": "buyer"})) == {"buyer1"}


def test_search_filter(api_client, pm_kh, population):
    assert _usernames(api_client.get(URL, {"search": "sokha"})) == {"adv_kh"}
    assert _usernames(api_client.get(URL, {"search": "fu_"})) == {"fu_kh"}
    assert _usernames(api_client.get(URL, {"search": "adv_vn"})) == set()


# --- me -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "role", "scope"),
    [
        (lambda f, b: global_admin(), "global_admin", {}),
        (lambda f, b: superuser(), "global_admin", {}),
        (lambda f, b: staff(Role.PROGRAMME_MANAGER, "VN"), "programme_manager", {"country": "VN"}),
        (lambda f, b: staff(Role.ADVISOR, "KH"), "advisor", {"country": "KH"}),
        (lambda f, b: staff(Role.ASSESSOR, "JO"), "assessor", {"country": "JO"}),
        (lambda f, b: factory_user(f), "factory", {"factory": "F"}),
        (lambda f, b: buyer_user(b), "buyer", {"buyer": "B"}),
    ],
)
def test_me_for_every_role(api_client, kh_factory, make, role, scope):
    buyer = BuyerBuilder()
    user = make(kh_factory, buyer)
    api_client.force_authenticate(user)
    body = api_client.get(URL + "me/").json()
    expected = {"country": None, "factory": None, "buyer": None}
    expected.update({k: {"F": kh_factory.pk, "B": buyer.pk}.get(v, v) for k, v in scope.items()})
    assert body["id"] == user.pk
    assert body["username"] == user.username
    assert body["role"] == role
    assert {k: body[k] for k in expected} == expected


def test_me_with_a_browser_session(api_client):
    """Browser sessions work on the API too (API.md "Conventions"), 2FA or not: /api/ uses its own checks."""
    user = staff(Role.ADVISOR, "KH", username="sessioned")
    api_client.force_login(user)
    response = api_client.get(URL + "me/")
    assert response.status_code == 200
    assert response.json()["username"] == "sessioned"


# --- the database constraint --------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"role": Role.FACTORY},
        {"role": Role.BUYER},
        {"role": Role.ADVISOR},
        {"role": Role.GLOBAL_ADMIN, "country_id": "KH"},
        {"role": ""},
    ],
    ids=["factory-without-factory", "buyer-without-buyer", "advisor-without-country", "admin-with-country", "no-role"],
)
def test_database_refuses_a_role_without_its_scope(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="broken", **fields)
    assert not User.objects.filter(username="broken").exists()


def test_database_refuses_a_factory_user_with_a_country(kh_factory):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="broken", role=Role.FACTORY, factory=kh_factory, country_id="KH")


def test_role_filter_follows_the_effective_role_of_superusers(api_client, population):
    """A Django superuser acts as global_admin (API.md): it is listed, and filtered, as one."""
    root = superuser(username="root")
    api_client.force_authenticate(root)
    rows = {row["username"]: row["role"] for row in api_client.get(URL).json()["results"]}
    assert rows["root"] == "global_admin"
    assert _usernames(api_client.get(URL, {"role": "global_admin"})) == {"admin1", "root"}
    assert "root" not in _usernames(api_client.get(URL, {"role": "advisor"}))


def test_unknown_role_filter_is_400(api_client, pm_kh):
    response = api_client.get(URL, {"role": "overlord"})
    assert response.status_code == 400
    assert list(response.json()) == ["role"]
