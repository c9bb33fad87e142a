"""Factory pages: the staff list (filters, sorting, constant queries), the profile with its "Edit profile" form by
role and its status history, the invoices page with the programme manager's forms, and the staff home's
registrations and overdue invoices."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from betterwork.accounts.models import Role
from factories.models import Factory, Invoice, Registration
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    FactoryBuilder,
    InvoiceBuilder,
    RegistrationBuilder,
    ServiceCycleBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
    with_totp,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def section(html: str, label: str) -> str:
    match = re.search(rf'<section aria-labelledby="{label}">(.*?)</section>', html, re.DOTALL)
    assert match, f"no section {label!r}"
    return match.group(1)


def _login(client, user):
    if user.needs_two_factor and not Authenticator.objects.filter(user=user).exists():
        with_totp(user)
    client.force_login(user)
    return user


@pytest.fixture
def world():
    kh = country("KH")
    advisor = staff(Role.ADVISOR, "KH", first_name="Sokha", last_name="Lim")
    angkor = FactoryBuilder(
        name="Angkor Apparel",
        country=kh,
        status=Factory.Status.AWAITING_PAYMENT,
        contact_email="dara@angkor.example",
        advisor=advisor,
    )
    invoice = InvoiceBuilder(factory=angkor, number="KH-2026-00001")
    bayon = FactoryBuilder(name="Bayon Knits", country=kh, production_status="suspended")
    buyer = BuyerBuilder(name="Acme")
    BuyerAuthorisationBuilder(factory=angkor, buyer=buyer)
    users = SimpleNamespace(
        pm_kh=staff(Role.PROGRAMME_MANAGER, "KH"),
        pm_vn=staff(Role.PROGRAMME_MANAGER, "VN"),
        advisor_kh=advisor,
        advisor_vn=staff(Role.ADVISOR, "VN"),
        assessor_kh=staff(Role.ASSESSOR, "KH"),
        factory=factory_user(angkor),
        other_factory=factory_user(bayon),
        buyer=buyer_user(buyer),
    )
    return SimpleNamespace(angkor=angkor, invoice=invoice, bayon=bayon, users=users)


# --- the list ------------------------------------------------------------------------------------------------


def test_list_filters_by_production_status_and_advisor_and_sorts_by_status(client, world):
    _login(client, world.users.pm_kh)

    def names(params):
        response = client.get("/factories/", params)
        assert response.status_code == 200
        return [f.name for f in response.context["page"].object_list]

    assert names({"production_status": "suspended"}) == ["Bayon Knits"]
    assert names({"advisor": world.users.advisor_kh.pk}) == ["Angkor Apparel"]
    assert names({"sort": "status"}) == ["Bayon Knits", "Angkor Apparel"]  # active, then awaiting payment
    html = client.get("/factories/").content.decode()
    assert '<option value="status"' in html
    assert "Sokha Lim" in html  # the advisor column and the advisor filter
    options = re.search(r'<select name="advisor".*?</select>', html, re.DOTALL).group(0)
    assert "Sokha Lim" in options
    assert world.users.advisor_vn.username not in options  # only the country's advisors


def test_buyers_get_no_advisor_filter(client, world):
    _login(client, world.users.buyer)
    response = client.get("/factories/")
    assert [f.name for f in response.context["page"].object_list] == ["Angkor Apparel"]
    assert 'name="advisor"' not in response.content.decode()


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.GLOBAL_ADMIN])
def test_list_page_query_count_does_not_grow(client, django_assert_max_num_queries, role):
    user = _login(client, staff(role, "KH") if role != Role.GLOBAL_ADMIN else global_admin())

    def add(n):
        for _ in range(n):
            made = FactoryBuilder(country=country("KH"), advisor=staff(Role.ADVISOR, "KH"))
            ServiceCycleBuilder(factory=made)

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/factories/", {"sort": "status"}).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/factories/", {"sort": "status"})
    assert len(response.context["page"].object_list) == 23
    assert user.is_programme_staff


# --- the profile ---------------------------------------------------------------------------------------------


def _profile_fields(response) -> set[str]:
    form = response.context["profile_form"]
    return set(form.fields) if form is not None else set()


def test_each_role_gets_the_fields_it_may_change(client, world):
    expected = {
        "factory": {
            "address", "workers", "women_percent", "production_status", "contact_name", "contact_email",
            "contact_phone",
        },
        "advisor_kh": {
            "name", "sector", "address", "workers", "women_percent", "production_status", "os_id", "contact_name",
            "contact_email", "contact_phone",
        },
        "pm_kh": {
            "name", "sector", "address", "workers", "women_percent", "production_status", "os_id", "advisor",
            "contact_name", "contact_email", "contact_phone",
        },
        "assessor_kh": set(),
        "buyer": set(),
    }  # fmt: skip
    for who, fields in expected.items():
        _login(client, getattr(world.users, who))
        response = client.get(f"/factories/{world.angkor.pk}/")
        assert response.status_code == 200
        assert _profile_fields(response) == fields, who
        assert (f'action="/factories/{world.angkor.pk}/edit/"' in response.content.decode()) == bool(fields)


def test_factory_user_edits_workers_and_cannot_rename(client, world):
    _login(client, world.users.factory)
    url = f"/factories/{world.angkor.pk}/edit/"
    response = client.post(
        url,
        {
            "profile-name": "Renamed",  # not in its form: ignored
            "profile-address": "New address",
            "profile-workers": "910",
            "profile-women_percent": "80.0",
            "profile-production_status": "running",
            "profile-contact_email": "hr@angkor.example",
        },
    )
    assert response.status_code == 302
    world.angkor.refresh_from_db()
    assert (world.angkor.name, world.angkor.workers, world.angkor.contact_email) == (
        "Angkor Apparel",
        910,
        "hr@angkor.example",
    )
    assert world.angkor.history.latest().history_user == world.users.factory


def test_profile_errors_are_shown_next_to_the_field(client, world):
    _login(client, world.users.factory)
    response = client.post(
        f"/factories/{world.angkor.pk}/edit/",
        {"profile-workers": "0", "profile-women_percent": "120", "profile-production_status": "running"},
    )
    assert response.status_code == 400
    assert set(response.context["profile_form"].errors) == {"workers", "women_percent"}
    assert 'id="id_profile-workers_error"' in response.content.decode()
    assert Factory.objects.get(pk=world.angkor.pk).workers == 850


def test_manager_assigns_only_an_advisor_of_the_country(client, world):
    _login(client, world.users.pm_kh)
    base = {
        "profile-name": "Angkor Apparel",
        "profile-sector": "apparel",
        "profile-workers": "850",
        "profile-women_percent": "78.5",
        "profile-production_status": "running",
    }
    response = client.post(
        f"/factories/{world.angkor.pk}/edit/", {**base, "profile-advisor": world.users.advisor_vn.pk}
    )
    assert response.status_code == 400
    assert set(response.context["profile_form"].errors) == {"advisor"}
    assert Factory.objects.get(pk=world.angkor.pk).advisor == world.users.advisor_kh
    response = client.post(f"/factories/{world.angkor.pk}/edit/", {**base, "profile-advisor": ""})
    assert response.status_code == 302
    assert Factory.objects.get(pk=world.angkor.pk).advisor is None


def test_a_sector_the_country_does_not_serve_is_a_form_error(client, world):
    bd = FactoryBuilder(name="Dhaka Denim", country=country("BD"))
    _login(client, global_admin())
    response = client.post(
        f"/factories/{bd.pk}/edit/",
        {
            "profile-name": "Dhaka Denim",
            "profile-sector": "footwear",
            "profile-workers": "850",
            "profile-women_percent": "78.5",
            "profile-production_status": "running",
        },
    )
    assert response.status_code == 400
    assert response.context["profile_form"].errors["sector"] == [
        "The Bangladesh programme does not serve the “footwear” sector."
    ]
    assert Factory.objects.get(pk=bd.pk).sector == "apparel"


@pytest.mark.parametrize(("who", "status"), [("assessor_kh", 403), ("buyer", 403), ("other_factory", 404)])
def test_who_may_not_edit_the_profile(client, world, who, status):
    _login(client, getattr(world.users, who))
    response = client.post(f"/factories/{world.angkor.pk}/edit/", {"profile-workers": "5"})
    assert response.status_code == status
    assert Factory.objects.get(pk=world.angkor.pk).workers == 850


def test_status_history_with_who_when_why_for_staff_and_the_factory(client, world):
    _login(client, world.users.pm_kh)
    client.post(f"/factories/{world.angkor.pk}/invoices/record-payment/", {"payment-paid_on": TODAY().isoformat()})
    for who in ("pm_kh", "factory"):
        _login(client, getattr(world.users, who))
        html = client.get(f"/factories/{world.angkor.pk}/").content.decode()
        history = section(html, "status-history")
        assert "Active" in history
        assert "Awaiting payment" in history
        assert "invoice KH-2026-00001 paid" in history
        assert world.users.pm_kh.username in history
        assert "dara@angkor.example" in html


def test_buyers_see_no_contact_history_or_form(client, world):
    _login(client, world.users.buyer)
    response = client.get(f"/factories/{world.angkor.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "dara@angkor.example" not in html
    assert 'aria-labelledby="status-history"' not in html
    assert "/invoices/" not in html  # no invoices tab
    assert response.context["profile_form"] is None


# --- invoices --------------------------------------------------------------------------------------------------


def test_invoices_page_lists_invoices_with_an_overdue_badge_and_the_managers_forms(client, world):
    InvoiceBuilder(
        factory=world.bayon,
        number="KH-2025-00007",
        issued_on=TODAY() - timedelta(days=60),
        due_on=TODAY() - timedelta(days=30),
    )
    _login(client, world.users.pm_kh)
    response = client.get(f"/factories/{world.bayon.pk}/invoices/")
    assert response.status_code == 200
    html = response.content.decode()
    listing = section(html, "invoice-list")
    assert "KH-2025-00007" in listing
    assert "KH-2026-00001" not in listing  # another factory's
    assert '<span class="badge warn">Overdue</span>' in listing
    assert '<th scope="row">KH-2025-00007</th>' in listing
    for action in ("invoices/record-payment/", "invoices/issue/", "suspend/", "exit/"):
        assert f'action="/factories/{world.bayon.pk}/{action}"' in html
    assert 'aria-current="page">Invoices</a>' in html


@pytest.mark.parametrize("who", ["advisor_kh", "assessor_kh", "factory"])
def test_others_read_the_invoices_without_the_forms(client, world, who):
    _login(client, getattr(world.users, who))
    response = client.get(f"/factories/{world.angkor.pk}/invoices/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "KH-2026-00001" in html
    assert '<span class="badge">Open</span>' in html
    assert "/record-payment/" not in html


@pytest.mark.parametrize("who", ["buyer", "other_factory", "pm_vn"])
def test_buyers_and_outsiders_get_404_on_the_invoices_page(client, world, who):
    _login(client, getattr(world.users, who))
    assert client.get(f"/factories/{world.angkor.pk}/invoices/").status_code == 404
    response = client.post(
        f"/factories/{world.angkor.pk}/invoices/record-payment/", {"payment-paid_on": TODAY().isoformat()}
    )
    assert response.status_code == 404
    assert Invoice.objects.get(pk=world.invoice.pk).paid_on is None


def test_advisor_posting_the_managers_forms_gets_403(client, world):
    _login(client, world.users.advisor_kh)
    base = f"/factories/{world.angkor.pk}/"
    assert client.post(base + "invoices/record-payment/", {"payment-paid_on": TODAY().isoformat()}).status_code == 403
    assert client.post(base + "exit/", {"exit-reason": "Closed"}).status_code == 403
    assert client.post(base + "exit/", {"exit-reason": ""}).status_code == 403
    world.angkor.refresh_from_db()
    assert world.angkor.status == "awaiting_payment"
    assert Invoice.objects.get(pk=world.invoice.pk).paid_on is None


def test_a_payment_before_the_invoice_is_a_form_error_and_changes_nothing(client, world):
    _login(client, world.users.pm_kh)
    before = (world.invoice.issued_on - timedelta(days=1)).isoformat()
    response = client.post(f"/factories/{world.angkor.pk}/invoices/record-payment/", {"payment-paid_on": before})
    assert response.status_code == 400
    errors = response.context["payment_form"].errors
    assert list(errors) == ["paid_on"]
    assert "before invoice KH-2026-00001 was issued" in errors["paid_on"][0]
    assert 'id="id_payment-paid_on_error"' in response.content.decode()
    assert Invoice.objects.get(pk=world.invoice.pk).paid_on is None
    assert Factory.objects.get(pk=world.angkor.pk).status == "awaiting_payment"


def test_issuing_while_an_invoice_is_unpaid_is_a_clear_error(client, world):
    _login(client, world.users.pm_kh)
    response = client.post(f"/factories/{world.angkor.pk}/invoices/issue/", {"issue-amount": ""})
    assert response.status_code == 400
    assert "Invoice KH-2026-00001 is still unpaid" in response.content.decode()
    assert Invoice.objects.count() == 1


def test_manager_issues_suspends_and_exits_on_the_page(client, world):
    _login(client, world.users.pm_kh)
    base = f"/factories/{world.bayon.pk}/"
    assert client.post(base + "invoices/issue/", {"issue-amount": "4200"}).status_code == 302
    assert world.bayon.invoices.get().amount == 4200
    assert client.post(base + "suspend/", {"suspend-reason": "Renewal unpaid"}).status_code == 302
    assert Factory.objects.get(pk=world.bayon.pk).status == "suspended"
    response = client.post(base + "exit/", {"exit-reason": "  "})
    assert response.status_code == 400
    assert set(response.context["exit_form"].errors) == {"reason"}
    assert Factory.objects.get(pk=world.bayon.pk).status == "suspended"
    assert client.post(base + "exit/", {"exit-reason": "The factory closed."}).status_code == 302
    bayon = Factory.objects.get(pk=world.bayon.pk)
    assert (bayon.status, bayon.exit_reason) == ("exited", "The factory closed.")


# --- the staff home ------------------------------------------------------------------------------------------


def test_staff_home_lists_registrations_to_review_and_overdue_invoices(client, world):
    kh, vn = country("KH"), country("VN")
    twin = RegistrationBuilder(factory_name="Angkor Apparel Co., Ltd.", country=kh)
    FactoryBuilder(name="ANGKOR APPAREL LIMITED", country=kh, normalized_name="angkor apparel")
    alone = RegistrationBuilder(factory_name="Preah Vihear Textiles", country=kh)
    RegistrationBuilder(factory_name="Reviewed Already", country=kh, status="rejected", review_note="No")
    RegistrationBuilder(factory_name="Hanoi Shoes", country=vn)
    world.invoice.issued_on, world.invoice.due_on = TODAY() - timedelta(days=45), TODAY() - timedelta(days=15)
    world.invoice.save()
    InvoiceBuilder(factory=FactoryBuilder(name="Saigon Stitch", country=vn), due_on=TODAY() - timedelta(days=1))

    _login(client, world.users.advisor_kh)
    response = client.get("/")
    html = response.content.decode()
    assert [r.pk for r in response.context["registrations_to_review"]] == [twin.pk, alone.pk]
    registrations = section(html, "registrations")
    assert "Angkor Apparel Co., Ltd." in registrations
    assert registrations.count("Likely duplicate") == 1
    assert "Reviewed Already" not in registrations
    assert "Hanoi Shoes" not in html
    overdue = section(html, "overdue")
    assert "Angkor Apparel" in overdue
    assert "KH-2026-00001" in overdue
    assert "Saigon Stitch" not in html


def test_staff_home_empty_states_and_constant_queries(client, django_assert_max_num_queries):
    _login(client, staff(Role.PROGRAMME_MANAGER, "ET"))
    with CaptureQueriesContext(connection) as empty:
        html = client.get("/").content.decode()
    assert "No registration is waiting for review." in section(html, "registrations")
    assert "No invoice is overdue." in section(html, "overdue")
    et = country("ET")
    for n in range(8):
        RegistrationBuilder(factory_name=f"Addis {n}", country=et)
        factory = FactoryBuilder(name=f"Addis Mill {n}", country=et, normalized_name=f"addis {n}")
        InvoiceBuilder(factory=factory, issued_on=TODAY() - timedelta(days=40), due_on=TODAY() - timedelta(days=5))
    with django_assert_max_num_queries(len(empty.captured_queries)):
        response = client.get("/")
    assert len(response.context["registrations_to_review"]) == 8
    assert len(response.context["overdue_invoices"]) == 8
    assert Registration.objects.filter(country=et).count() == 8
