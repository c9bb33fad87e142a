"""The buyers pages: a factory's buyers page (grant, revoke, requests, history, read log), a buyer's request for
access, the programme's buyer organisations, and the buyers' parts of the factory and buyer home pages."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from factories.models import Buyer, BuyerAuthorisation, BuyerRead, SourcingLink
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    BuyerReadBuilder,
    SourcingLinkBuilder,
    buyer_user,
    with_totp,
)

pytestmark = pytest.mark.django_db


def section(html: str, label: str) -> str:
    match = re.search(rf'<section aria-labelledby="{label}"[^>]*>(.*?)</section>', html, re.DOTALL)
    assert match, f"no section {label!r}"
    return match.group(1)


def login(client, user):
    if user.needs_two_factor:
        with_totp(user)
    client.force_login(user)
    return client


def page_url(factory) -> str:
    return f"/factories/{factory.pk}/buyers/"


# --- the factory's buyers page --------------------------------------------------------------------------


def test_factory_user_sees_grants_requests_history_and_reads(client, w):
    grant = BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme, granted_by=w.factory_a)
    SourcingLinkBuilder(factory=w.a, buyer=w.zenith, source="buyer")
    SourcingLinkBuilder(factory=w.a, buyer=w.acme, source="registration")  # authorised: not a request any more
    SourcingLinkBuilder(factory=w.b, buyer=BuyerBuilder(name="Other Factory's Buyer"))
    BuyerReadBuilder(factory=w.a, user=w.acme_user, kind="assessment_report", channel="api")
    BuyerReadBuilder(factory=w.b, user=w.zenith_user)

    response = login(client, w.factory_a).get(page_url(w.a))
    assert response.status_code == 200
    html = response.content.decode()
    authorised = section(html, "authorised")
    assert "Acme Retail" in authorised
    assert f'action="/factories/{w.a.pk}/buyers/{grant.pk}/revoke/"' in authorised
    requests = section(html, "requests")
    assert "Zenith Brands" in requests
    assert "Requested by the buyer" in requests
    assert f'name="buyer" value="{w.zenith.pk}"' in requests
    assert "Acme Retail" not in requests
    assert "Other Factory's Buyer" not in html
    grant_form = section(html, "grant")
    assert f'<option value="{w.zenith.pk}">Zenith Brands</option>' in grant_form
    assert 'name="csrfmiddlewaretoken"' in grant_form
    reads = section(html, "reads")
    assert "Ann Buyer" in reads
    assert "Assessment report" in reads
    assert "API" in reads
    assert [r.factory_id for r in response.context["reads"]] == [w.a.pk]
    assert 'aria-current="page">Buyers</a>' in html


def test_granting_and_revoking_through_the_page_shows_in_the_history_and_takes_effect_at_once(
    client, w, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    buyer_client = login(client.__class__(), w.acme_user)
    login(client, w.factory_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/factories/{w.a.pk}/buyers/grant/", {"buyer": w.acme.pk})
    assert response.status_code == 302
    assert response["Location"] == page_url(w.a)
    grant = BuyerAuthorisation.objects.active().get(factory=w.a, buyer=w.acme)
    assert [m.to for m in mail.outbox] == [[w.acme_user.email]]
    assert buyer_client.get(f"/factories/{w.a.pk}/").status_code == 200

    response = client.post(f"/factories/{w.a.pk}/buyers/{grant.pk}/revoke/")
    assert response.status_code == 302
    assert buyer_client.get(f"/factories/{w.a.pk}/").status_code == 404
    assert buyer_client.get(f"/api/v1/factories/{w.a.pk}/").status_code == 404

    response = client.get(page_url(w.a))
    history = section(response.content.decode(), "history")
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.DOTALL)[1:]
    assert len(rows) == 2
    assert "Revoked" in rows[0]
    assert "Authorised" in rows[1]
    assert all("Acme Retail" in row and "Sophea Chan" in row for row in rows)
    assert "No buyer is authorised." in section(response.content.decode(), "authorised")
    assert [str(m) for m in response.context["messages"]] == [
        "Acme Retail can now see your reports.",
        "Acme Retail can no longer see your reports.",
    ]


def test_granting_twice_on_the_page_is_a_form_error_and_changes_nothing(client, w):
    BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    response = login(client, w.factory_a).post(f"/factories/{w.a.pk}/buyers/grant/", {"buyer": w.acme.pk})
    assert response.status_code == 200
    assert "Acme Retail can already see your reports" in section(response.content.decode(), "grant")
    assert response.context["grant_form"].errors["buyer"]
    assert BuyerAuthorisation.objects.count() == 1


def test_an_unknown_buyer_on_the_page_is_a_form_error(client, w):
    response = login(client, w.factory_a).post(f"/factories/{w.a.pk}/buyers/grant/", {"buyer": 987654})
    assert response.status_code == 200
    assert "Choose a buyer organisation from the list." in section(response.content.decode(), "grant")
    assert not BuyerAuthorisation.objects.exists()


def test_staff_see_the_page_without_the_factorys_controls_and_may_not_use_them(client, w):
    grant = BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    SourcingLinkBuilder(factory=w.a, buyer=w.zenith)
    login(client, w.advisor_kh)
    response = client.get(page_url(w.a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Retail" in section(html, "authorised")
    assert "Zenith Brands" in section(html, "requests")
    assert "/revoke/" not in html
    assert "/grant/" not in html
    assert client.post(f"/factories/{w.a.pk}/buyers/grant/", {"buyer": w.zenith.pk}).status_code == 403
    assert client.post(f"/factories/{w.a.pk}/buyers/{grant.pk}/revoke/").status_code == 403
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert BuyerAuthorisation.objects.count() == 1


@pytest.mark.parametrize("who", ["factory_b", "pm_vn", "acme_user"])
def test_outsiders_and_buyers_get_404(client, w, who):
    """Another factory, another country's staff, and a buyer, even one the factory authorises."""
    grant = BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    login(client, getattr(w, who))
    assert client.get(page_url(w.a)).status_code == 404
    assert client.post(f"/factories/{w.a.pk}/buyers/grant/", {"buyer": w.zenith.pk}).status_code == 404
    assert client.post(f"/factories/{w.a.pk}/buyers/{grant.pk}/revoke/").status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert BuyerAuthorisation.objects.count() == 1


def test_revoking_another_factorys_grant_through_ones_own_page_is_404(client, w):
    grant = BuyerAuthorisationBuilder(factory=w.b, buyer=w.acme)
    login(client, w.factory_a)
    assert client.post(f"/factories/{w.a.pk}/buyers/{grant.pk}/revoke/").status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_anonymous_is_sent_to_sign_in(client, w):
    response = client.get(page_url(w.a))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_read_log_is_paginated(client, w):
    for _ in range(27):
        BuyerReadBuilder(factory=w.a, user=w.acme_user)
    login(client, w.factory_a)
    first = client.get(page_url(w.a))
    assert len(first.context["reads"]) == 25
    assert "page=2" in section(first.content.decode(), "reads")
    second = client.get(page_url(w.a), {"page": 2})
    assert len(second.context["reads"]) == 2


def test_the_page_takes_the_same_number_of_queries_however_much_data(client, w, django_assert_max_num_queries):
    login(client, w.factory_a)

    def add_data(n):
        for _ in range(n):
            buyer = BuyerBuilder()
            BuyerAuthorisationBuilder(factory=w.a, buyer=buyer, granted_by=w.factory_a)
            SourcingLinkBuilder(factory=w.a, buyer=BuyerBuilder())
            BuyerReadBuilder(factory=w.a, user=buyer_user(buyer))

    add_data(2)
    client.get(page_url(w.a))  # warm up session and user lookups
    with django_assert_max_num_queries(16) as few:
        assert client.get(page_url(w.a)).status_code == 200
    add_data(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page_url(w.a)).status_code == 200


# --- a buyer asks a factory for access ------------------------------------------------------------------

NEUTRAL = "Thank you. If this factory takes part in the programme, it sees your request"


@pytest.mark.parametrize(
    ("data", "links"),
    [
        ({"os_id": "KH2020000AAA"}, 1),
        ({"factory_name": "Angkor Apparel", "country": "KH"}, 1),
        ({"os_id": "KH2020000ZZZ"}, 0),
        ({"factory_name": "Nowhere Garments", "country": "KH"}, 0),
    ],
)
def test_the_request_answers_the_same_whether_or_not_a_factory_matched(client, w, data, links):
    login(client, w.acme_user)
    response = client.post("/factories/buyers/request-access/", data, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert NEUTRAL in response.content.decode()
    assert SourcingLink.objects.filter(buyer=w.acme).count() == links
    assert "Angkor Apparel" not in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "__all__", "Give the factory's Open Supply Hub ID, or its legal name and country."),
        ({"factory_name": "Angkor Apparel"}, "country", "Choose the factory's country."),
        ({"country": "KH"}, "factory_name", "Give the factory's legal name."),
        ({"factory_name": "Angkor Apparel", "country": "XX"}, "country", "Select a valid choice."),
    ],
)
def test_an_incomplete_request_shows_the_error_next_to_the_field(client, w, data, field, message):
    login(client, w.acme_user)
    response = client.post("/factories/buyers/request-access/", data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not SourcingLink.objects.exists()


def test_the_request_page_has_the_form(client, w):
    response = login(client, w.acme_user).get("/factories/buyers/request-access/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Ask a factory for access</h1>" in html
    assert '<label for="id_os_id">Open Supply Hub ID</label>' in html
    assert '<option value="KH">Cambodia</option>' in html


@pytest.mark.parametrize("who", ["factory_a", "advisor_kh"])
def test_only_buyers_ask_for_access(client, w, who):
    login(client, getattr(w, who))
    assert client.get("/factories/buyers/request-access/").status_code == 403
    assert client.post("/factories/buyers/request-access/", {"os_id": "KH2020000AAA"}).status_code == 403
    assert not SourcingLink.objects.exists()


# --- buyer organisations (programme staff) --------------------------------------------------------------


def test_staff_list_buyers_with_the_factories_that_authorise_each_in_their_scope(client, w):
    BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    BuyerAuthorisationBuilder(factory=w.b, buyer=w.acme)
    BuyerAuthorisationBuilder(factory=w.c, buyer=w.acme)  # Viet Nam: not counted for Cambodia's staff
    now = timezone.now()
    BuyerAuthorisationBuilder(factory=w.a, buyer=w.zenith, granted_at=now, revoked_at=now)  # revoked: not counted
    response = login(client, w.advisor_kh).get("/factories/buyers/organisations/")
    assert response.status_code == 200
    assert [(b.name, b.authorising_factories) for b in response.context["page"]] == [
        ("Acme Retail", 2),
        ("Zenith Brands", 0),
    ]
    response = login(client, w.admin).get("/factories/buyers/organisations/", {"q": "acme"})
    assert [(b.name, b.authorising_factories) for b in response.context["page"]] == [("Acme Retail", 3)]


def test_staff_add_a_buyer_and_a_duplicate_is_a_form_error(client, w):
    login(client, w.pm_kh)
    response = client.post("/factories/buyers/organisations/", {"name": "Nordic Outdoor"})
    assert response.status_code == 302
    assert Buyer.objects.filter(name="Nordic Outdoor").exists()
    response = client.post("/factories/buyers/organisations/", {"name": "NORDIC OUTDOOR"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["A buyer called “NORDIC OUTDOOR” already exists."]}
    assert Buyer.objects.count() == 3


@pytest.mark.parametrize("who", ["factory_a", "acme_user"])
def test_others_may_not_see_or_add_buyer_organisations(client, w, who):
    login(client, getattr(w, who))
    assert client.get("/factories/buyers/organisations/").status_code == 403
    assert client.post("/factories/buyers/organisations/", {"name": "Nordic Outdoor"}).status_code == 403
    assert Buyer.objects.count() == 2


# --- home pages -----------------------------------------------------------------------------------------


def test_buyer_home_lists_authorised_factories_with_new_badges_and_the_access_form(client, w):
    now = timezone.now()
    BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme, granted_at=now - timedelta(days=3))
    BuyerAuthorisationBuilder(factory=w.c, buyer=w.acme, granted_at=now - timedelta(days=90))
    BuyerAuthorisationBuilder(factory=w.b, buyer=w.acme, granted_at=now - timedelta(days=95), revoked_at=now)
    BuyerAuthorisationBuilder(factory=w.b, buyer=w.zenith)
    response = login(client, w.acme_user).get("/")
    html = response.content.decode()
    assert [(f.name, f.is_new) for f in response.context["factories"]] == [
        ("Angkor Apparel Co., Ltd.", True),
        ("Saigon Stitch", False),
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", section(html, "authorised"), re.DOTALL)[1:]
    assert "Angkor Apparel" in rows[0]
    assert 'class="badge new"' in rows[0]
    assert "Saigon Stitch" in rows[1]
    assert "Viet Nam" in rows[1] or "Vietnam" in rows[1]
    assert "badge" not in rows[1]
    assert "Bayon Knits" not in html
    ask = section(html, "ask")
    assert 'action="/factories/buyers/request-access/"' in ask
    assert 'name="os_id"' in ask
    assert 'name="factory_name"' in ask
    assert 'name="country"' in ask


def test_buyer_home_empty_state_explains_how_access_works(client, w):
    html = login(client, w.zenith_user).get("/").content.decode()
    authorised = section(html, "authorised")
    assert "No factory has authorised you yet." in authorised
    assert "can stop sharing at any time" in authorised


def test_factory_home_shows_buyers_requests_and_the_latest_reads(client, w):
    BuyerAuthorisationBuilder(factory=w.a, buyer=w.acme)
    SourcingLinkBuilder(factory=w.a, buyer=w.zenith)
    SourcingLinkBuilder(factory=w.b, buyer=BuyerBuilder(name="Not Yours"))
    for _ in range(6):
        BuyerReadBuilder(factory=w.a, user=w.acme_user)
    BuyerReadBuilder(factory=w.b, user=w.zenith_user)
    response = login(client, w.factory_a).get("/")
    html = response.content.decode()
    assert "Acme Retail" in section(html, "buyers")
    requests = section(html, "buyer-requests")
    assert "Zenith Brands" in requests
    assert f'href="/factories/{w.a.pk}/buyers/#requests"' in requests
    assert "Not Yours" not in html
    assert len(response.context["recent_reads"]) == 5
    assert {r.factory_id for r in response.context["recent_reads"]} == {w.a.pk}
    assert section(html, "recent-reads").count("<li>") == 5
    assert "Ann Buyer" in section(html, "recent-reads")


def test_factory_home_empty_states(client, w):
    html = login(client, w.factory_b).get("/").content.decode()
    assert "No buyer is waiting for your authorisation." in section(html, "buyer-requests")
    assert "No buyer has read your reports yet." in section(html, "recent-reads")


def test_read_rows_reach_the_factory_not_others(client, w):
    BuyerRead.objects.create(factory=w.a, buyer=w.acme, user=w.acme_user, kind="factory_profile")
    html = login(client, w.factory_b).get(page_url(w.b)).content.decode()
    assert "No buyer has read anything yet." in section(html, "reads")
