"""/api/v1/authorizations/: only the factory grants and revokes, at once (R-ACC-1); hidden grants answer 404."""

import pytest
from django.core import mail
from django.utils import timezone

from factories.models import BuyerAuthorisation
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder

pytestmark = pytest.mark.django_db

URL = "/api/v1/authorizations/"


def _grant(api_client, user, data):
    api_client.force_authenticate(user)
    return api_client.post(URL, data, format="json")


def test_factory_user_authorises_a_buyer_and_its_users_get_an_email(
    api_client, w, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        response = _grant(api_client, w.factory_a, {"buyer": w.acme.pk})

    assert response.status_code == 201
    grant = BuyerAuthorisation.objects.get()
    body = response.json()
    assert body == {
        "id": grant.pk,
        "factory": w.a.pk,
        "factory_name": "Angkor Apparel Co., Ltd.",
        "buyer": w.acme.pk,
        "buyer_name": "Acme Retail",
        "granted_at": body["granted_at"],
        "revoked_at": None,
        "active": True,
    }
    assert (grant.factory, grant.buyer, grant.granted_by, grant.revoked_at) == (w.a, w.acme, w.factory_a, None)
    assert [m.to for m in mail.outbox] == [[w.acme_user.email]]
    assert mail.outbox[0].subject == "Angkor Apparel Co., Ltd. shares its reports with you"
    assert f"/factories/{w.a.pk}/" in mail.outbox[0].body


def test_a_buyer_sees_the_factory_only_while_authorised_and_loses_access_at_once(api_client, client, w):
    """R-ACC-1 end to end: 404 before, 200 while authorised, 404 right after the DELETE (API and page)."""
    api_url, page_url = f"/api/v1/factories/{w.a.pk}/", f"/factories/{w.a.pk}/"
    client.force_login(w.acme_user)
    api_client.force_authenticate(w.acme_user)
    assert api_client.get(api_url).status_code == 404
    assert client.get(page_url).status_code == 404

    grant_id = _grant(api_client, w.factory_a, {"buyer": w.acme.pk}).json()["id"]
    api_client.force_authenticate(w.acme_user)
    response = api_client.get(api_url)
    assert response.status_code == 200
    assert response.json()["name"] == "Angkor Apparel Co., Ltd."
    assert client.get(page_url).status_code == 200

    api_client.force_authenticate(w.factory_a)
    assert api_client.delete(f"{URL}{grant_id}/").status_code == 204

    api_client.force_authenticate(w.acme_user)
    assert api_client.get(api_url).status_code == 404
    assert client.get(page_url).status_code == 404
    assert w.a.pk not in {row["id"] for row in api_client.get("/api/v1/factories/").json()["results"]}
    grant = BuyerAuthorisation.objects.get(pk=grant_id)
    assert grant.revoked_at is not None
    assert grant.revoked_by == w.factory_a


def test_granting_twice_is_a_400_on_buyer_naming_it_and_keeps_one_active_grant(api_client, w):
    assert _grant(api_client, w.factory_a, {"buyer": w.acme.pk}).status_code == 201
    response = _grant(api_client, w.factory_a, {"buyer": w.acme.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["buyer"]
    assert "Acme Retail can already see your reports" in response.json()["buyer"][0]
    assert BuyerAuthorisation.objects.active().filter(factory=w.a, buyer=w.acme).count() == 1
    assert BuyerAuthorisation.objects.count() == 1


def test_a_revoked_buyer_can_be_authorised_again(api_client, w):
    now = timezone.now()
    BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme, granted_at=now, revoked_at=now)
    assert _grant(api_client, w.factory_a, {"buyer": w.acme.pk}).status_code == 201
    assert BuyerAuthorisation.objects.filter(factory=w.a, buyer=w.acme).count() == 2
    assert BuyerAuthorisation.objects.active().filter(factory=w.a, buyer=w.acme).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"buyer": 987654}, "No buyer organisation has the id 987654."),
        ({"buyer": "acme"}, "Give the buyer organisation's id (a number)."),
        ({}, "This field is required."),
    ],
)
def test_a_missing_or_unknown_buyer_is_a_400_on_buyer(api_client, w, data, message):
    response = _grant(api_client, w.factory_a, data)
    assert response.status_code == 400
    assert response.json() == {"buyer": [message]}
    assert not BuyerAuthorisation.objects.exists()


def test_a_factory_other_than_ones_own_is_refused_without_saying_whether_it_exists(api_client, w):
    other = _grant(api_client, w.factory_a, {"buyer": w.acme.pk, "factory": w.b.pk})
    missing = _grant(api_client, w.factory_a, {"buyer": w.acme.pk, "factory": 987654})
    assert other.status_code == missing.status_code == 400
    assert other.json() == missing.json() == {"factory": ["You can authorise buyers for your own factory only."]}
    assert not BuyerAuthorisation.objects.exists()


def test_naming_ones_own_factory_is_accepted(api_client, w):
    response = _grant(api_client, w.factory_a, {"buyer": w.acme.pk, "factory": w.a.pk})
    assert response.status_code == 201
    assert response.json()["factory"] == w.a.pk


@pytest.mark.parametrize("who", ["advisor_kh", "pm_kh", "admin", "acme_user"])
def test_only_factory_users_grant(api_client, w, who):
    response = _grant(api_client, getattr(w, who), {"buyer": w.acme.pk, "factory": w.a.pk})
    assert response.status_code == 403
    assert not BuyerAuthorisation.objects.exists()


def test_anonymous_gets_401(api_client, w):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, {"buyer": w.acme.pk}, format="json").status_code == 401
    assert not BuyerAuthorisation.objects.exists()


def test_revoking_another_factorys_grant_is_404_and_changes_nothing(api_client, w):
    grant = BuyerAuthorisationBuilder(factory=w.b, buyer=w.acme)
    api_client.force_authenticate(w.factory_a)
    assert api_client.delete(f"{URL}{grant.pk}/").status_code == 404
    assert api_client.get(f"{URL}{grant.pk}/").status_code == 404
    grant.refresh_from_db()
    assert (grant.revoked_at, grant.revoked_by) == (None, None)
    assert grant.history.count() == 1


@pytest.mark.parametrize(("who", "expected"), [("advisor_kh", 403), ("admin", 403), ("acme_user", 403), ("pm_vn", 404)])
def test_staff_and_the_buyer_may_not_revoke(api_client, w, who, expected):
    """Visible to them (their country, everything, a grant made to them): 403; outside their scope: 404."""
    grant = BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    api_client.force_authenticate(getattr(w, who))
    assert api_client.delete(f"{URL}{grant.pk}/").status_code == expected
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_revoking_twice_changes_nothing_more(api_client, w):
    grant = BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    api_client.force_authenticate(w.factory_a)
    assert api_client.delete(f"{URL}{grant.pk}/").status_code == 204
    grant.refresh_from_db()
    revoked_at = grant.revoked_at
    assert api_client.delete(f"{URL}{grant.pk}/").status_code == 204
    grant.refresh_from_db()
    assert grant.revoked_at == revoked_at
    assert [h.history_type for h in grant.history.order_by("history_id")] == ["+", "~"]


def test_each_user_lists_exactly_the_grants_in_its_scope(api_client, w):
    now = timezone.now()
    a_acme = BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    a_zenith = BuyerAuthorisationBuilder(factory=w.a, buyer=w.zenith, granted_at=now, revoked_at=now)
    b_zenith = BuyerAuthorisationBuilder(factory=w.b, buyer=w.zenith)
    c_acme = BuyerAuthorisationBuilder(factory=w.c, buyer=w.acme)
    expected = {
        "factory_a": {a_acme.pk, a_zenith.pk},
        "factory_b": {b_zenith.pk},
        "factory_c": {c_acme.pk},
        "advisor_kh": {a_acme.pk, a_zenith.pk, b_zenith.pk},
        "pm_vn": {c_acme.pk},
        "admin": {a_acme.pk, a_zenith.pk, b_zenith.pk, c_acme.pk},
        "acme_user": {a_acme.pk, c_acme.pk},
        "zenith_user": {a_zenith.pk, b_zenith.pk},
    }
    for who, ids in expected.items():
        api_client.force_authenticate(getattr(w, who))
        body = api_client.get(URL).json()
        assert {row["id"] for row in body["results"]} == ids, who
        assert body["count"] == len(ids)
    api_client.force_authenticate(w.factory_a)
    assert api_client.get(f"{URL}{b_zenith.pk}/").status_code == 404
    assert api_client.get(f"{URL}{a_zenith.pk}/").json()["active"] is False


def test_filters(api_client, w):
    now = timezone.now()
    a_acme = BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    a_zenith = BuyerAuthorisationBuilder(factory=w.a, buyer=w.zenith, granted_at=now, revoked_at=now)
    b_zenith = BuyerAuthorisationBuilder(factory=w.b, buyer=w.zenith)
    api_client.force_authenticate(w.advisor_kh)

    def ids(**params):
        return {row["id"] for row in api_client.get(URL, params).json()["results"]}

    assert ids(factory=w.a.pk) == {a_acme.pk, a_zenith.pk}
    assert ids(buyer=w.zenith.pk) == {a_zenith.pk, b_zenith.pk}
    assert ids(active="true") == {a_acme.pk, b_zenith.pk}
    assert ids(active="false") == {a_zenith.pk}
    assert ids(factory=w.a.pk, active="true") == {a_acme.pk}
    assert ids(factory=w.c.pk) == set()  # another country's factory: nothing, the same as an unknown id
    assert ids(factory=987654) == set()


def test_the_list_takes_the_same_number_of_queries_however_many_grants(api_client, w, django_assert_max_num_queries):
    api_client.force_authenticate(w.advisor_kh)
    for _ in range(3):
        BuyerAuthorisationBuilder(factory=w.a, buyer=BuyerBuilder())
    with django_assert_max_num_queries(4):
        assert api_client.get(URL).json()["count"] == 3
    for _ in range(30):
        BuyerAuthorisationBuilder(factory=w.b, buyer=BuyerBuilder())
    with django_assert_max_num_queries(4):
        assert api_client.get(URL).json()["count"] == 33


def test_the_grant_is_kept_in_the_history_with_who(api_client, w):
    grant_id = _grant(api_client, w.factory_a, {"buyer": w.acme.pk}).json()["id"]
    api_client.delete(f"{URL}{grant_id}/")
    history = BuyerAuthorisation.history.filter(id=grant_id).order_by("history_id")
    assert [(h.history_type, h.history_user_id, h.history_change_reason) for h in history] == [
        ("+", w.factory_a.pk, "granted"),
        ("~", w.factory_a.pk, "revoked"),
    ]
