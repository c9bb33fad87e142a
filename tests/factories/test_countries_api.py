"""/api/v1/countries/: public reference data; phase and reporting date set by the country's staff (R-CTY-2)."""

import datetime

import pytest

from betterwork.accounts.models import Role
from factories.models import Country
from tests.builders import BuyerBuilder, FactoryBuilder, buyer_user, factory_user, global_admin, staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/countries/"
FIELDS = {"code", "name", "programme", "sectors", "languages", "phase", "public_reporting_since"}


def test_list_is_public(api_client):
    response = api_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 11
    assert {row["code"] for row in body["results"]} == {
        "BD", "KH", "EG", "ET", "HT", "ID", "JO", "LS", "NI", "VN", "PK",
    }  # fmt: skip
    assert all(set(row) >= FIELDS for row in body["results"])


def test_detail_is_public_with_the_contract_fields(api_client):
    response = api_client.get(URL + "KH/")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in FIELDS} == {
        "code": "KH",
        "name": "Cambodia",
        "programme": "mandatory",
        "sectors": ["apparel", "footwear"],
        "languages": ["km", "en"],
        "phase": 3,
        "public_reporting_since": "2014-03-01",
    }


def test_unreported_date_is_null(api_client):
    assert api_client.get(URL + "PK/").json()["public_reporting_since"] is None


def test_unknown_country_is_404(api_client):
    assert api_client.get(URL + "XX/").status_code == 404


def test_filters(api_client):
    rows = api_client.get(URL, {"programme": "mandatory"}).json()["results"]
    assert {row["code"] for row in rows} == {"KH", "HT", "JO"}
    rows = api_client.get(URL, {"phase": 2}).json()["results"]
    assert {row["code"] for row in rows} == {"BD", "EG", "ET", "HT", "ID", "NI"}


def test_programme_manager_changes_its_countrys_phase(api_client):
    api_client.force_authenticate(staff(Role.PROGRAMME_MANAGER, "KH"))
    response = api_client.patch(URL + "KH/", {"phase": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["phase"] == 2
    assert Country.objects.get(code="KH").phase == 2


def test_programme_manager_sets_the_public_reporting_date(api_client):
    api_client.force_authenticate(staff(Role.PROGRAMME_MANAGER, "PK"))
    response = api_client.patch(URL + "PK/", {"public_reporting_since": "2026-01-01"}, format="json")
    assert response.status_code == 200
    assert response.json()["public_reporting_since"] == "2026-01-01"
    assert Country.objects.get(code="PK").public_reporting_since == datetime.date(2026, 1, 1)


def test_global_admin_changes_any_country(api_client):
    api_client.force_authenticate(global_admin())
    assert api_client.patch(URL + "VN/", {"phase": 1}, format="json").status_code == 200
    assert Country.objects.get(code="VN").phase == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: staff(Role.PROGRAMME_MANAGER, "VN"),
        lambda: staff(Role.ADVISOR, "KH"),
        lambda: staff(Role.ASSESSOR, "KH"),
        lambda: factory_user(FactoryBuilder()),
        lambda: buyer_user(BuyerBuilder()),
    ],
    ids=["pm-of-another-country", "advisor", "assessor", "factory", "buyer"],
)
def test_others_may_not_change_the_phase(api_client, make):
    api_client.force_authenticate(make())
    response = api_client.patch(URL + "KH/", {"phase": 1}, format="json")
    assert response.status_code == 403
    assert Country.objects.get(code="KH").phase == 3


def test_anonymous_may_not_change_the_phase(api_client):
    assert api_client.patch(URL + "KH/", {"phase": 1}, format="json").status_code == 401
    assert Country.objects.get(code="KH").phase == 3


def test_name_and_programme_are_read_only(api_client):
    api_client.force_authenticate(staff(Role.PROGRAMME_MANAGER, "KH"))
    response = api_client.patch(URL + "KH/", {"name": "X", "programme": "voluntary", "sectors": []}, format="json")
    assert response.status_code == 200
    kh = Country.objects.get(code="KH")
    assert (kh.name, kh.programme, kh.sectors) == ("Cambodia", "mandatory", ["apparel", "footwear"])
    assert response.json()["name"] == "Cambodia"


@pytest.mark.parametrize("phase", [0, 4, 7, "two"])
def test_invalid_phase_is_400_on_phase(api_client, phase):
    api_client.force_authenticate(staff(Role.PROGRAMME_MANAGER, "KH"))
    response = api_client.patch(URL + "KH/", {"phase": phase}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["phase"]
    assert Country.objects.get(code="KH").phase == 3


def test_put_needs_the_editable_fields_only(api_client):
    api_client.force_authenticate(staff(Role.PROGRAMME_MANAGER, "KH"))
    response = api_client.put(URL + "KH/", {"phase": 1, "public_reporting_since": None}, format="json")
    assert response.status_code == 200
    kh = Country.objects.get(code="KH")
    assert (kh.phase, kh.public_reporting_since, kh.name) == (1, None, "Cambodia")


def test_countries_cannot_be_created_or_deleted(api_client):
    api_client.force_authenticate(global_admin())
    assert api_client.post(URL, {"code": "MM", "name": "Myanmar"}, format="json").status_code == 405
    assert api_client.delete(URL + "KH/").status_code == 405
    assert Country.objects.count() == 11
