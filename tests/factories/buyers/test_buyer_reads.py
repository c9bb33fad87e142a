"""The log of buyers' reads (R-ACC-2): `buyer_read_record` writes it; /api/v1/buyer-reads/ shows each user the
reads in its scope (a factory its own, a buyer its own, staff their country's)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories.models import BuyerRead
from factories.services.buyers import buyer_read_record
from tests.builders import BuyerAuthorisationBuilder, BuyerReadBuilder, buyer_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/buyer-reads/"


def test_a_buyer_users_read_is_recorded_with_who_what_when_and_channel(w):
    """The hook the factory profile (API and page) and, later, the reports call."""
    before = timezone.now()
    buyer_read_record(user=w.acme_user, factory=w.a, kind=BuyerRead.Kind.FACTORY_PROFILE, channel="api")
    buyer_read_record(user=w.acme_user, factory=w.a, kind="assessment_report", object_id=7, channel="web")
    rows = list(BuyerRead.objects.order_by("pk").values("factory", "buyer", "user", "kind", "object_id", "channel"))
    assert rows == [
        {"factory": w.a.pk, "buyer": w.acme.pk, "user": w.acme_user.pk, "kind": "factory_profile",
         "object_id": None, "channel": "api"},
        {"factory": w.a.pk, "buyer": w.acme.pk, "user": w.acme_user.pk, "kind": "assessment_report",
         "object_id": 7, "channel": "web"},
    ]  # fmt: skip
    assert all(read.read_at >= before for read in BuyerRead.objects.all())


@pytest.mark.parametrize("who", ["factory_a", "advisor_kh", "admin"])
def test_reads_by_anyone_but_buyers_are_not_buyer_reads(w, who):
    buyer_read_record(user=getattr(w, who), factory=w.a, kind="factory_profile", channel="web")
    assert not BuyerRead.objects.exists()


@pytest.fixture
def reads(w):
    other_acme_user = buyer_user(w.acme, username="acme.second")
    return {
        "a_acme": BuyerReadBuilder(factory=w.a, user=w.acme_user),
        "a_acme2": BuyerReadBuilder(factory=w.a, user=other_acme_user, kind="assessment_report", channel="api"),
        "a_zenith": BuyerReadBuilder(factory=w.a, user=w.zenith_user, kind="improvement_plan"),
        "b_zenith": BuyerReadBuilder(factory=w.b, user=w.zenith_user),
        "c_acme": BuyerReadBuilder(factory=w.c, user=w.acme_user, channel="pdf"),
    }


def _ids(api_client, user, **params):
    api_client.force_authenticate(user)
    response = api_client.get(URL, params)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_each_user_sees_exactly_the_reads_in_its_scope(api_client, w, reads):
    def pks(*names):
        return {reads[n].pk for n in names}

    assert _ids(api_client, w.factory_a) == pks("a_acme", "a_acme2", "a_zenith")
    assert _ids(api_client, w.factory_b) == pks("b_zenith")
    assert _ids(api_client, w.factory_c) == pks("c_acme")
    assert _ids(api_client, w.acme_user) == pks("a_acme", "a_acme2", "c_acme")
    assert _ids(api_client, w.zenith_user) == pks("a_zenith", "b_zenith")
    assert _ids(api_client, w.advisor_kh) == pks("a_acme", "a_acme2", "a_zenith", "b_zenith")
    assert _ids(api_client, w.pm_vn) == pks("c_acme")
    assert _ids(api_client, w.admin) == set(pks(*reads))


def test_another_factorys_reads_are_404_even_filtered_for(api_client, w, reads):
    api_client.force_authenticate(w.factory_a)
    assert api_client.get(f"{URL}{reads['b_zenith'].pk}/").status_code == 404
    assert _ids(api_client, w.factory_a, factory=w.b.pk) == set()
    api_client.force_authenticate(w.acme_user)
    assert api_client.get(f"{URL}{reads['a_zenith'].pk}/").status_code == 404


def test_a_row_says_who_read_what_when_and_how(api_client, w, reads):
    api_client.force_authenticate(w.factory_a)
    row = api_client.get(f"{URL}{reads['a_acme'].pk}/").json()
    assert row == {
        "id": reads["a_acme"].pk,
        "factory": w.a.pk,
        "factory_name": "Angkor Apparel Co., Ltd.",
        "buyer": w.acme.pk,
        "buyer_name": "Acme Retail",
        "user": w.acme_user.pk,
        "user_name": "Ann Buyer",
        "kind": "factory_profile",
        "object_id": None,
        "channel": "web",
        "read_at": row["read_at"],
    }
    assert api_client.get(f"{URL}{reads['a_acme2'].pk}/").json()["user_name"] == "acme.second"


def test_filters(api_client, w, reads):
    today = timezone.localdate()
    BuyerRead.objects.filter(pk=reads["a_acme"].pk).update(read_at=timezone.now() - timedelta(days=10))
    user = w.factory_a
    assert _ids(api_client, user, buyer=w.zenith.pk) == {reads["a_zenith"].pk}
    assert _ids(api_client, user, kind="assessment_report") == {reads["a_acme2"].pk}
    assert _ids(api_client, user, channel="api") == {reads["a_acme2"].pk}
    assert _ids(api_client, user, date_to=today - timedelta(days=5)) == {reads["a_acme"].pk}
    assert _ids(api_client, user, date_from=today) == {reads["a_acme2"].pk, reads["a_zenith"].pk}
    assert _ids(api_client, user, date_from=today - timedelta(days=10), date_to=today - timedelta(days=10)) == {
        reads["a_acme"].pk
    }
    api_client.force_authenticate(user)
    assert api_client.get(URL, {"date_from": "yesterday"}).status_code == 400


def test_the_list_takes_the_same_number_of_queries_however_many_reads(api_client, w, django_assert_max_num_queries):
    BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    for _ in range(2):
        BuyerReadBuilder(factory=w.a, user=w.acme_user)
    api_client.force_authenticate(w.factory_a)
    with django_assert_max_num_queries(4):
        assert api_client.get(URL).json()["count"] == 2
    for n in range(30):
        BuyerReadBuilder(factory=w.a, user=buyer_user(w.acme if n % 2 else w.zenith))
    with django_assert_max_num_queries(4):
        assert api_client.get(URL).json()["count"] == 32


def test_buyer_reads_of_the_factory_profile_are_logged_on_the_api_and_the_page(api_client, client, w):
    """R-ACC-2: every read by a buyer is logged; reads by the factory itself are not buyer reads."""
    BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    api_client.force_authenticate(w.acme_user)
    assert api_client.get(f"/api/v1/factories/{w.a.pk}/").status_code == 200
    client.force_login(w.acme_user)
    assert client.get(f"/factories/{w.a.pk}/").status_code == 200
    assert list(BuyerRead.objects.order_by("pk").values_list("factory", "user", "kind", "channel")) == [
        (w.a.pk, w.acme_user.pk, "factory_profile", "api"),
        (w.a.pk, w.acme_user.pk, "factory_profile", "web"),
    ]
    api_client.force_authenticate(w.factory_a)
    api_client.get(f"/api/v1/factories/{w.a.pk}/")
    assert BuyerRead.objects.count() == 2
