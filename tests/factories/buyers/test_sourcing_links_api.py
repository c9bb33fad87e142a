"""/api/v1/sourcing-links/: a buyer says it sources from a factory (R-REG-4). The answer never tells whether a
factory matched, and a link opens nothing until the factory authorises the buyer."""

import pytest
from django.utils import timezone

from factories.models import Factory, SourcingLink
from tests.builders import BuyerAuthorisationBuilder, FactoryBuilder, SourcingLinkBuilder, country

pytestmark = pytest.mark.django_db

URL = "/api/v1/sourcing-links/"


def _request(api_client, user, data):
    api_client.force_authenticate(user)
    return api_client.post(URL, data, format="json")


def _links():
    return set(SourcingLink.objects.values_list("buyer__name", "factory__name", "source"))


@pytest.mark.parametrize(
    "data",
    [
        {"os_id": "KH2020000AAA"},
        {"os_id": " kh2020000aaa "},
        {"factory_name": "Angkor Apparel", "country": "KH"},
        {"factory_name": "ANGKOR APPAREL CO LTD", "country": "kh"},
    ],
)
def test_a_matching_request_answers_202_and_links_the_buyer(api_client, w, data):
    response = _request(api_client, w.acme_user, data)
    assert response.status_code == 202
    assert response.json() == {"status": "requested"}
    link = SourcingLink.objects.get()
    assert (link.buyer, link.factory, link.source, link.created_by) == (w.acme, w.a, "buyer", w.acme_user)


@pytest.mark.parametrize(
    "data",
    [
        {"os_id": "KH2020000ZZZ"},
        {"factory_name": "Angkor Apparel", "country": "VN"},  # right name, wrong country
        {"factory_name": "Angkor Textiles", "country": "KH"},
        {"factory_name": "Garment Co., Ltd.", "country": "KH"},  # legal-form words only: never matches everything
    ],
)
def test_a_request_that_matches_nothing_answers_exactly_the_same_and_links_nothing(api_client, w, data):
    FactoryBuilder(name="Garment Factory", country=country("KH"))  # normalised name left empty
    response = _request(api_client, w.acme_user, data)
    assert response.status_code == 202
    assert response.json() == {"status": "requested"}
    assert not SourcingLink.objects.exists()


def test_an_exited_factory_is_not_linked(api_client, w):
    Factory.objects.filter(pk=w.a.pk).update(status=Factory.Status.EXITED)
    assert _request(api_client, w.acme_user, {"os_id": "KH2020000AAA"}).status_code == 202
    assert not SourcingLink.objects.exists()


def test_asking_twice_keeps_one_link(api_client, w):
    for _ in range(2):
        assert _request(api_client, w.acme_user, {"os_id": "KH2020000AAA"}).status_code == 202
    assert _links() == {("Acme Retail", "Angkor Apparel Co., Ltd.", "buyer")}


@pytest.mark.parametrize(
    ("data", "body"),
    [
        ({}, {"detail": "Give the factory's Open Supply Hub ID, or its legal name and country."}),
        ({"os_id": " "}, {"detail": "Give the factory's Open Supply Hub ID, or its legal name and country."}),
        (
            {"factory_name": "Angkor Apparel"},
            {"detail": "Give the factory's Open Supply Hub ID, or its legal name and country."},
        ),
        ({"factory_name": "Angkor Apparel", "country": "XX"}, {"country": ["“XX” is not a programme country."]}),
    ],
)
def test_incomplete_or_wrong_input_is_a_400(api_client, w, data, body):
    response = _request(api_client, w.acme_user, data)
    assert response.status_code == 400
    assert response.json() == body
    assert not SourcingLink.objects.exists()


@pytest.mark.parametrize("who", ["factory_a", "advisor_kh", "admin"])
def test_only_buyer_users_ask(api_client, w, who):
    assert _request(api_client, getattr(w, who), {"os_id": "KH2020000AAA"}).status_code == 403
    assert not SourcingLink.objects.exists()


def test_the_list_never_shows_a_buyer_which_of_its_requests_matched(api_client, w):
    """A buyer's link to a factory that does not authorise it stays out of its list (no oracle); the factory
    and its country's staff see it."""
    pending = SourcingLinkBuilder(buyer=w.acme, factory=w.a)
    authorised = SourcingLinkBuilder(buyer=w.acme, factory=w.b)
    BuyerAuthorisationBuilder(factory=w.b, buyer=w.acme)
    revoked = SourcingLinkBuilder(buyer=w.acme, factory=w.c)
    now = timezone.now()
    BuyerAuthorisationBuilder(factory=w.c, buyer=w.acme, granted_at=now, revoked_at=now)
    zenith_a = SourcingLinkBuilder(buyer=w.zenith, factory=w.a, source="registration")
    expected = {
        "acme_user": {authorised.pk},
        "zenith_user": set(),
        "factory_a": {pending.pk, zenith_a.pk},
        "factory_b": {authorised.pk},
        "advisor_kh": {pending.pk, authorised.pk, zenith_a.pk},
        "pm_vn": {revoked.pk},
        "admin": {pending.pk, authorised.pk, revoked.pk, zenith_a.pk},
    }
    for who, ids in expected.items():
        api_client.force_authenticate(getattr(w, who))
        assert {row["id"] for row in api_client.get(URL).json()["results"]} == ids, who
    api_client.force_authenticate(w.acme_user)
    assert api_client.get(f"{URL}{pending.pk}/").status_code == 404
    row = api_client.get(f"{URL}{authorised.pk}/").json()
    assert row == {
        "id": authorised.pk,
        "buyer": w.acme.pk,
        "buyer_name": "Acme Retail",
        "factory": w.b.pk,
        "factory_name": "Bayon Knits",
        "source": "buyer",
        "created_at": row["created_at"],
    }


def test_a_link_alone_opens_nothing(api_client, w):
    _request(api_client, w.acme_user, {"os_id": "KH2020000AAA"})
    assert SourcingLink.objects.filter(buyer=w.acme, factory=w.a).exists()
    assert api_client.get(f"/api/v1/factories/{w.a.pk}/").status_code == 404
