"""Staff review registrations (R-REG-1): only the country's programme manager (or a global admin) approves,
rejects or asks for changes; other staff of the country read; other countries get 404; likely duplicates are
flagged on the list and the detail; a registration is reviewed once."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from betterwork.accounts.models import Role
from factories.models import Factory, Invoice, Registration
from factories.names import normalize_name
from tests.builders import (
    BuyerBuilder,
    FactoryBuilder,
    RegistrationBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
    with_totp,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/registrations/"


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def world():
    kh, vn = country("KH"), country("VN")
    return {
        "kh": RegistrationBuilder(factory_name="Angkor Knits Co., Ltd.", country=kh),
        "kh_old": RegistrationBuilder(factory_name="Bayon Denim", country=kh, status="rejected", review_note="No"),
        "vn": RegistrationBuilder(factory_name="Saigon Stitch", country=vn),
        "pm_kh": staff(Role.PROGRAMME_MANAGER, "KH"),
        "pm_vn": staff(Role.PROGRAMME_MANAGER, "VN"),
        "advisor_kh": staff(Role.ADVISOR, "KH"),
        "assessor_kh": staff(Role.ASSESSOR, "KH"),
    }


# --- who sees what --------------------------------------------------------------------------------------------


def test_staff_list_their_countrys_registrations_pending_first(api_client, world):
    for user in ("pm_kh", "advisor_kh", "assessor_kh"):
        api_client.force_authenticate(world[user])
        response = api_client.get(API)
        assert [row["id"] for row in response.json()["results"]] == [world["kh"].pk, world["kh_old"].pk]
    api_client.force_authenticate(world["pm_vn"])
    assert _ids(api_client.get(API)) == {world["vn"].pk}
    api_client.force_authenticate(global_admin())
    assert _ids(api_client.get(API)) == {world["kh"].pk, world["kh_old"].pk, world["vn"].pk}


def test_factory_and_buyer_users_see_no_registration(api_client, world):
    for user in (factory_user(FactoryBuilder()), buyer_user(BuyerBuilder())):
        api_client.force_authenticate(user)
        assert _ids(api_client.get(API)) == set()
        assert api_client.get(f"{API}{world['kh'].pk}/").status_code == 404


def test_anonymous_cannot_read_registrations(api_client, world):
    assert api_client.get(API).status_code == 401
    assert api_client.get(f"{API}{world['kh'].pk}/").status_code == 401


def test_another_countrys_registration_is_404(api_client, world):
    api_client.force_authenticate(world["pm_vn"])
    assert api_client.get(f"{API}{world['kh'].pk}/").status_code == 404


def test_filters_and_search(api_client, world):
    api_client.force_authenticate(global_admin())
    assert _ids(api_client.get(API, {"country": "VN"})) == {world["vn"].pk}
    assert _ids(api_client.get(API, {"status": "rejected"})) == {world["kh_old"].pk}
    assert _ids(api_client.get(API, {"pending": "true"})) == {world["kh"].pk, world["vn"].pk}
    assert _ids(api_client.get(API, {"search": "angkor"})) == {world["kh"].pk}
    api_client.force_authenticate(world["pm_kh"])
    assert _ids(api_client.get(API, {"country": "VN"})) == set()  # filters stay inside the scope


# --- review: who may -----------------------------------------------------------------------------------------


def test_manager_approves_with_the_countrys_fee(api_client, world, eager_mail):
    api_client.force_authenticate(world["pm_kh"])
    with eager_mail(execute=True):
        response = api_client.post(f"{API}{world['kh'].pk}/approve/", {}, format="json")
    assert response.status_code == 200
    registration = Registration.objects.get(pk=world["kh"].pk)
    assert response.json() == {"factory": registration.factory_id, "status": "approved"}
    factory = registration.factory
    assert (factory.status, factory.name, factory.country_id) == ("awaiting_payment", "Angkor Knits Co., Ltd.", "KH")
    invoice = factory.invoices.get()
    assert (invoice.amount, invoice.currency, invoice.cycle_number) == (Decimal("5000.00"), "USD", 1)
    assert registration.reviewed_by == world["pm_kh"]
    assert [m.to for m in mail.outbox] == [[registration.contact_email]]


def test_manager_sets_the_first_invoices_amount(api_client, world):
    api_client.force_authenticate(world["pm_kh"])
    response = api_client.post(f"{API}{world['kh'].pk}/approve/", {"amount": "3200.50"}, format="json")
    assert response.status_code == 200
    assert Invoice.objects.get().amount == Decimal("3200.50")


@pytest.mark.parametrize("amount", ["0", "-10", "abc"])
def test_a_bad_amount_is_400_and_approves_nothing(api_client, world, amount):
    api_client.force_authenticate(world["pm_kh"])
    response = api_client.post(f"{API}{world['kh'].pk}/approve/", {"amount": amount}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"
    assert Factory.objects.count() == 0


def test_global_admin_approves_any_country(api_client, world):
    api_client.force_authenticate(global_admin())
    assert api_client.post(f"{API}{world['vn'].pk}/approve/", {}, format="json").status_code == 200
    assert Registration.objects.get(pk=world["vn"].pk).status == "approved"


REVIEWS = [
    ("approve", {}),
    ("reject", {"reason": "Not a garment factory."}),
    ("request-changes", {"message": "Give the legal name."}),
]


@pytest.mark.parametrize(("action", "body"), REVIEWS, ids=[r[0] for r in REVIEWS])
@pytest.mark.parametrize("who", ["advisor_kh", "assessor_kh"])
def test_other_staff_of_the_country_get_403_and_nothing_changes(api_client, world, eager_mail, action, body, who):
    api_client.force_authenticate(world[who])
    with eager_mail(execute=True):
        response = api_client.post(f"{API}{world['kh'].pk}/{action}/", body, format="json")
    assert response.status_code == 403
    registration = Registration.objects.get(pk=world["kh"].pk)
    assert (registration.status, registration.review_note, registration.factory_id) == ("submitted", "", None)
    assert Factory.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(("action", "body"), REVIEWS, ids=[r[0] for r in REVIEWS])
def test_another_countrys_manager_gets_404_and_nothing_changes(api_client, world, action, body):
    api_client.force_authenticate(world["pm_vn"])
    response = api_client.post(f"{API}{world['kh'].pk}/{action}/", body, format="json")
    assert response.status_code == 404
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"
    assert Factory.objects.count() == 0


@pytest.mark.parametrize(("action", "body"), REVIEWS, ids=[r[0] for r in REVIEWS])
def test_factory_and_anonymous_cannot_review(api_client, world, action, body):
    url = f"{API}{world['kh'].pk}/{action}/"
    assert api_client.post(url, body, format="json").status_code == 401
    api_client.force_authenticate(factory_user(FactoryBuilder()))
    assert api_client.post(url, body, format="json").status_code == 404
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"


def test_approving_twice_is_400_and_creates_one_factory(api_client, world):
    api_client.force_authenticate(world["pm_kh"])
    url = f"{API}{world['kh'].pk}/approve/"
    assert api_client.post(url, {}, format="json").status_code == 200
    response = api_client.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "This registration is already “Approved”: it cannot be approved."}
    assert Factory.objects.count() == 1
    assert Invoice.objects.count() == 1


def test_a_rejected_registration_cannot_be_approved(api_client, world):
    api_client.force_authenticate(world["pm_kh"])
    response = api_client.post(f"{API}{world['kh_old'].pk}/approve/", {}, format="json")
    assert response.status_code == 400
    assert "already “Rejected”" in response.json()["detail"]
    assert Factory.objects.count() == 0


def test_reject_needs_a_reason(api_client, world, eager_mail):
    api_client.force_authenticate(world["pm_kh"])
    url = f"{API}{world['kh'].pk}/reject/"
    with eager_mail(execute=True):
        for body in ({}, {"reason": "   "}):
            response = api_client.post(url, body, format="json")
            assert response.status_code == 400
            assert list(response.json()) == ["reason"]
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"
    assert mail.outbox == []
    with eager_mail(execute=True):
        response = api_client.post(url, {"reason": "Not a garment factory."}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["review_note"]) == ("rejected", "Not a garment factory.")
    assert "Not a garment factory." in mail.outbox[0].body


def test_request_changes_needs_a_message(api_client, world):
    api_client.force_authenticate(world["pm_kh"])
    response = api_client.post(f"{API}{world['kh'].pk}/request-changes/", {"message": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["message"]
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"


# --- duplicates -----------------------------------------------------------------------------------------------


@pytest.fixture
def namesakes(world):
    kh = country("KH")
    factory = FactoryBuilder(name="ANGKOR KNITS CO LTD", country=kh, normalized_name=normalize_name("Angkor Knits"))
    FactoryBuilder(name="Angkor Knits", country=country("VN"), normalized_name="angkor knits")  # another country
    twin = RegistrationBuilder(factory_name="Angkor Knits Limited", country=kh)
    similar = FactoryBuilder(name="Angkor Knit", country=kh, normalized_name="angkor knit")  # fuzzy only
    alone = RegistrationBuilder(factory_name="Preah Vihear Textiles", country=kh)
    return {"factory": factory, "twin": twin, "similar": similar, "alone": alone}


def test_the_list_flags_likely_duplicates(api_client, world, namesakes):
    api_client.force_authenticate(world["pm_kh"])
    rows = {row["id"]: row["likely_duplicate"] for row in api_client.get(API).json()["results"]}
    assert rows == {
        world["kh"].pk: True,  # a factory and a pending registration share its name
        namesakes["twin"].pk: True,
        namesakes["alone"].pk: False,
        world["kh_old"].pk: False,  # reviewed: no longer flagged
    }


def test_the_detail_lists_likely_duplicates_with_similar_names(api_client, world, namesakes):
    api_client.force_authenticate(world["pm_kh"])
    body = api_client.get(f"{API}{world['kh'].pk}/").json()
    assert sorted(body["likely_duplicates"], key=lambda d: (d["kind"], d["id"])) == sorted(
        [
            {"kind": "factory", "id": namesakes["factory"].pk, "name": "ANGKOR KNITS CO LTD"},
            {"kind": "factory", "id": namesakes["similar"].pk, "name": "Angkor Knit"},
            {"kind": "registration", "id": namesakes["twin"].pk, "name": "Angkor Knits Limited"},
        ],
        key=lambda d: (d["kind"], d["id"]),
    )
    alone = api_client.get(f"{API}{namesakes['alone'].pk}/").json()
    assert alone["likely_duplicates"] == []
    assert alone["likely_duplicate"] is False


def test_list_query_count_does_not_grow(api_client, world, django_assert_max_num_queries):
    api_client.force_authenticate(world["pm_kh"])
    with CaptureQueriesContext(connection) as few:
        assert len(_ids(api_client.get(API))) == 2
    for n in range(30):
        RegistrationBuilder(factory_name=f"Mekong {n}", reviewed_by=world["pm_kh"])
        FactoryBuilder(name=f"Mekong {n} Co., Ltd.", normalized_name=f"mekong {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api_client.get(API, {"page_size": 100})
    assert len(_ids(response)) == 32
    assert sum(row["likely_duplicate"] for row in response.json()["results"]) == 30


# --- the pages ------------------------------------------------------------------------------------------------


def _login(client, user):
    if user.needs_two_factor:
        with_totp(user)
    client.force_login(user)


def test_list_page_pending_first_with_duplicate_flags_filters_and_search(client, world, namesakes):
    _login(client, world["pm_kh"])
    response = client.get("/factories/registrations/")
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert rows[-1] == world["kh_old"]
    assert {r.pk for r in rows if r.likely_duplicate} == {world["kh"].pk, namesakes["twin"].pk}
    html = response.content.decode()
    assert html.count('<span class="badge warn">Likely duplicate</span>') == 2
    assert "Saigon Stitch" not in html
    assert list(client.get("/factories/registrations/", {"status": "rejected"}).context["page"].object_list) == [
        world["kh_old"]
    ]
    searched = client.get("/factories/registrations/", {"q": "vihear"}).context["page"].object_list
    assert list(searched) == [namesakes["alone"]]


def test_list_page_paginates(client, world):
    for n in range(30):
        RegistrationBuilder(factory_name=f"Factory {n}")
    _login(client, world["pm_kh"])
    page = client.get("/factories/registrations/").context["page"]
    assert (len(page.object_list), page.paginator.count) == (25, 32)
    assert len(client.get("/factories/registrations/", {"page": 2}).context["page"].object_list) == 7


def test_list_page_is_for_programme_staff_only(client, world):
    client.force_login(factory_user(FactoryBuilder()))
    assert client.get("/factories/registrations/").status_code == 404
    client.logout()
    assert client.get("/factories/registrations/").status_code == 302  # to sign in


def test_staff_see_registrations_in_the_navigation(client, world):
    _login(client, world["advisor_kh"])
    html = client.get("/factories/registrations/").content.decode()
    assert '<a href="/factories/registrations/" aria-current="page">Registrations</a>' in html
    assert '<a href="/factories/">Factories</a>' in html


def test_detail_page_shows_everything_duplicates_history_and_the_review_forms(client, world, namesakes):
    _login(client, world["pm_kh"])
    response = client.get(f"/factories/registrations/{world['kh'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    registration = world["kh"]
    for text in (registration.factory_name, registration.contact_email, registration.address, "Cambodia"):
        assert text in html
    assert f'href="/factories/{namesakes["factory"].pk}/"' in html
    assert f'href="/factories/{namesakes["similar"].pk}/"' in html
    assert f'href="/factories/registrations/{namesakes["twin"].pk}/"' in html
    assert '<section aria-labelledby="history">' in html
    assert 'value="5000.00"' in html  # the approval amount defaults to the country's fee
    for action in ("approve", "reject", "request-changes"):
        assert f'action="/factories/registrations/{registration.pk}/{action}/"' in html


def test_other_staff_of_the_country_read_without_the_forms(client, world):
    _login(client, world["advisor_kh"])
    response = client.get(f"/factories/registrations/{world['kh'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Angkor Knits Co., Ltd." in html
    assert "/approve/" not in html
    assert "Only the country's programme manager reviews registrations." in html


def test_detail_page_of_another_country_is_404(client, world):
    _login(client, world["pm_vn"])
    assert client.get(f"/factories/registrations/{world['kh'].pk}/").status_code == 404
    assert client.post(f"/factories/registrations/{world['kh'].pk}/approve/", {}).status_code == 404
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"


def test_advisor_posting_a_review_form_gets_403(client, world):
    _login(client, world["advisor_kh"])
    url = f"/factories/registrations/{world['kh'].pk}/"
    assert client.post(url + "approve/", {"approve-amount": ""}).status_code == 403
    assert client.post(url + "reject/", {"reject-reason": "No"}).status_code == 403
    assert client.post(url + "reject/", {"reject-reason": ""}).status_code == 403
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"
    assert Factory.objects.count() == 0


def test_manager_approves_on_the_page(client, world):
    _login(client, world["pm_kh"])
    url = f"/factories/registrations/{world['kh'].pk}/"
    response = client.post(url + "approve/", {"approve-amount": "4100"})
    assert response.status_code == 302
    assert response["Location"] == url
    registration = Registration.objects.get(pk=world["kh"].pk)
    assert registration.status == "approved"
    assert registration.factory.invoices.get().amount == Decimal("4100.00")
    html = client.get(url).content.decode()
    assert "Registration approved" in html
    assert "/approve/" not in html  # reviewed: no more forms
    # approving again from a stale page: a clear error, nothing more created
    again = client.post(url + "approve/", {"approve-amount": ""})
    assert again.status_code == 400
    assert "already “Approved”" in again.content.decode()
    assert Factory.objects.count() == 1


def test_reject_and_request_changes_on_the_page_need_text(client, world):
    _login(client, world["pm_kh"])
    url = f"/factories/registrations/{world['kh'].pk}/"
    response = client.post(url + "reject/", {"reject-reason": ""})
    assert response.status_code == 400
    assert set(response.context["reject_form"].errors) == {"reason"}
    response = client.post(url + "request-changes/", {"changes-message": "  "})
    assert response.status_code == 400
    assert set(response.context["changes_form"].errors) == {"message"}
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"
    assert client.post(url + "reject/", {"reject-reason": "Duplicate of Angkor Knits."}).status_code == 302
    assert Registration.objects.get(pk=world["kh"].pk).status == "rejected"


def test_approving_a_registration_whose_name_is_taken_is_400_and_creates_nothing(api_client, world):
    FactoryBuilder(name="Angkor Knits Co., Ltd.", country=country("KH"))
    api_client.force_authenticate(world["pm_kh"])
    response = api_client.post(f"{API}{world['kh'].pk}/approve/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "A factory named “Angkor Knits Co., Ltd.” is already in the Cambodia programme: reject this "
        "registration as a duplicate, or ask for changes if it is another factory."
    }
    assert Registration.objects.get(pk=world["kh"].pk).status == "submitted"
    assert (Factory.objects.count(), Invoice.objects.count()) == (1, 0)
