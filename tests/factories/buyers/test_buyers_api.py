"""/api/v1/buyers/: programme staff register buyer organisations (R-REG-4); buyer users see only their own."""

import pytest

from factories.models import Buyer

pytestmark = pytest.mark.django_db

URL = "/api/v1/buyers/"


@pytest.mark.parametrize("who", ["pm_kh", "advisor_kh", "admin"])
def test_programme_staff_register_a_buyer(api_client, w, who):
    api_client.force_authenticate(getattr(w, who))
    response = api_client.post(URL, {"name": "  Nordic   Outdoor  "}, format="json")
    assert response.status_code == 201
    buyer = Buyer.objects.get(name="Nordic Outdoor")
    assert response.json() == {"id": buyer.pk, "name": "Nordic Outdoor", "created_at": response.json()["created_at"]}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("acme retail", "A buyer called “acme retail” already exists."),
        ("", "This field may not be blank."),
        ("x" * 201, "Ensure this field has no more than 200 characters."),
    ],
)
def test_a_duplicate_or_empty_name_is_a_400_on_name(api_client, w, name, message):
    api_client.force_authenticate(w.pm_kh)
    response = api_client.post(URL, {"name": name}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": [message]}
    assert Buyer.objects.count() == 2


@pytest.mark.parametrize("who", ["factory_a", "acme_user"])
def test_factory_and_buyer_users_may_not_register_buyers(api_client, w, who):
    api_client.force_authenticate(getattr(w, who))
    assert api_client.post(URL, {"name": "Nordic Outdoor"}, format="json").status_code == 403
    assert Buyer.objects.count() == 2


def test_who_sees_which_buyer(api_client, w):
    api_client.force_authenticate(w.factory_a)  # a factory chooses among all buyers
    assert [row["name"] for row in api_client.get(URL).json()["results"]] == ["Acme Retail", "Zenith Brands"]
    api_client.force_authenticate(w.acme_user)
    assert [row["id"] for row in api_client.get(URL).json()["results"]] == [w.acme.pk]
    assert api_client.get(f"{URL}{w.acme.pk}/").json()["name"] == "Acme Retail"
    assert api_client.get(f"{URL}{w.zenith.pk}/").status_code == 404
    api_client.force_authenticate(w.pm_kh)
    assert [row["name"] for row in api_client.get(URL, {"search": "zen"}).json()["results"]] == ["Zenith Brands"]
