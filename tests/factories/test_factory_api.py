"""/api/v1/factories/: the profile by role, payment, invoices, suspension, exit (R-REG-1/3), and the renewal task.

Hidden factories answer 404; a visible factory the caller may not manage answers 403; buyers never get contact
details nor invoices."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from betterwork.accounts.models import Role
from factories.models import Factory, Invoice, ServiceCycle
from factories.tasks import renewals_suspend_overdue
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    FactoryBuilder,
    InvoiceBuilder,
    ServiceCycleBuilder,
    buyer_user,
    country,
    factory_user,
    global_admin,
    staff,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/factories/"
TODAY = timezone.localdate


@pytest.fixture
def world():
    kh, vn = country("KH"), country("VN")
    unpaid = FactoryBuilder(
        name="Angkor Apparel",
        country=kh,
        status=Factory.Status.AWAITING_PAYMENT,
        contact_name="Dara Sok",
        contact_email="dara@angkor.example",
        contact_phone="+855 1",
    )
    invoice = InvoiceBuilder(factory=unpaid, number="KH-2026-00001")
    other = FactoryBuilder(name="Bayon Knits", country=kh)
    vn_factory = FactoryBuilder(name="Saigon Stitch", country=vn)
    buyer = BuyerBuilder(name="Acme")
    BuyerAuthorisationBuilder(factory=unpaid, buyer=buyer)
    users = SimpleNamespace(
        pm_kh=staff(Role.PROGRAMME_MANAGER, "KH"),
        pm_vn=staff(Role.PROGRAMME_MANAGER, "VN"),
        advisor_kh=staff(Role.ADVISOR, "KH"),
        advisor_vn=staff(Role.ADVISOR, "VN"),
        assessor_kh=staff(Role.ASSESSOR, "KH"),
        factory=factory_user(unpaid),
        other_factory=factory_user(other),
        buyer=buyer_user(buyer),
        admin=global_admin(),
    )
    return SimpleNamespace(unpaid=unpaid, invoice=invoice, other=other, vn=vn_factory, users=users)


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _unchanged(world) -> None:
    world.unpaid.refresh_from_db()
    world.invoice.refresh_from_db()
    assert world.unpaid.status == "awaiting_payment"
    assert (world.invoice.paid_on, world.invoice.payment_reference) == (None, "")
    assert Invoice.objects.count() == 1


# --- record-payment --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["pm_kh", "admin"])
def test_payment_activates_the_factory(api_client, world, who):
    response = _as(api_client, getattr(world.users, who)).post(
        f"{URL}{world.unpaid.pk}/record-payment/", {"paid_on": TODAY().isoformat(), "reference": "TT-1"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"]) == (world.unpaid.pk, "active")
    world.invoice.refresh_from_db()
    assert (world.invoice.paid_on, world.invoice.payment_reference) == (TODAY(), "TT-1")
    assert world.invoice.paid_recorded_by == getattr(world.users, who)
    record = world.unpaid.history.latest()
    assert (record.status, record.history_user, record.history_change_reason) == (
        "active",
        getattr(world.users, who),
        "invoice KH-2026-00001 paid",
    )


@pytest.mark.parametrize("who", ["advisor_kh", "assessor_kh", "factory", "buyer"])
def test_others_who_see_the_factory_get_403_on_payment(api_client, world, who):
    response = _as(api_client, getattr(world.users, who)).post(
        f"{URL}{world.unpaid.pk}/record-payment/", {"paid_on": TODAY().isoformat()}, format="json"
    )
    assert response.status_code == 403
    _unchanged(world)


@pytest.mark.parametrize("who", ["pm_vn", "advisor_vn", "other_factory"])
def test_others_who_cannot_see_the_factory_get_404_on_payment(api_client, world, who):
    response = _as(api_client, getattr(world.users, who)).post(
        f"{URL}{world.unpaid.pk}/record-payment/", {"paid_on": TODAY().isoformat()}, format="json"
    )
    assert response.status_code == 404
    _unchanged(world)


def test_anonymous_payment_is_401(api_client, world):
    response = api_client.post(f"{URL}{world.unpaid.pk}/record-payment/", {"paid_on": "2026-01-01"}, format="json")
    assert response.status_code == 401
    _unchanged(world)


def test_a_payment_dated_before_its_invoice_is_400_on_paid_on_and_changes_nothing(api_client, world):
    before = (world.invoice.issued_on - timedelta(days=1)).isoformat()
    response = _as(api_client, world.users.pm_kh).post(
        f"{URL}{world.unpaid.pk}/record-payment/", {"paid_on": before}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["paid_on"]
    assert "before invoice KH-2026-00001 was issued" in response.json()["paid_on"][0]
    _unchanged(world)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"paid_on": (TODAY() + timedelta(days=1)).isoformat()}, "A payment cannot be dated in the future."),
        ({}, "This field is required."),
        ({"paid_on": "yesterday"}, None),
    ],
    ids=["future", "missing", "not-a-date"],
)
def test_bad_payment_dates_are_400_on_paid_on(api_client, world, body, message):
    response = _as(api_client, world.users.pm_kh).post(f"{URL}{world.unpaid.pk}/record-payment/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["paid_on"]
    if message:
        assert response.json()["paid_on"] == [message]
    _unchanged(world)


def test_with_no_open_invoice_payment_issues_and_pays_the_next_cycles(api_client, world):
    """A renewal not yet invoiced: record-payment issues cycle 2's invoice and pays it; suspended → active."""
    factory = FactoryBuilder(name="Chenla Shoes", status=Factory.Status.SUSPENDED)
    InvoiceBuilder(
        factory=factory, cycle_number=1, issued_on=TODAY() - timedelta(days=400), paid_on=TODAY() - timedelta(days=390)
    )
    response = _as(api_client, world.users.pm_kh).post(
        f"{URL}{factory.pk}/record-payment/", {"paid_on": TODAY().isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    renewal = factory.invoices.get(cycle_number=2)
    assert (renewal.issued_on, renewal.paid_on, renewal.amount) == (TODAY(), TODAY(), Decimal("5000.00"))


def test_an_exited_factory_cannot_pay(api_client, world):
    factory = FactoryBuilder(status=Factory.Status.EXITED, exit_reason="Closed")
    response = _as(api_client, world.users.pm_kh).post(
        f"{URL}{factory.pk}/record-payment/", {"paid_on": TODAY().isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert factory.invoices.count() == 0
    assert Factory.objects.get(pk=factory.pk).status == "exited"


# --- invoices --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["pm_kh", "advisor_kh", "assessor_kh", "factory", "admin"])
def test_staff_and_the_factory_read_its_invoices(api_client, world, who):
    paid = InvoiceBuilder(
        factory=world.other, number="KH-2025-00009", issued_on=TODAY() - timedelta(days=400), paid_on=TODAY()
    )
    response = _as(api_client, getattr(world.users, who)).get(f"{URL}{world.unpaid.pk}/invoices/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": world.invoice.pk,
            "factory": world.unpaid.pk,
            "number": "KH-2026-00001",
            "cycle_number": 1,
            "amount": "5000.00",
            "currency": "USD",
            "issued_on": world.invoice.issued_on.isoformat(),
            "due_on": world.invoice.due_on.isoformat(),
            "paid_on": None,
            "payment_reference": "",
            "is_overdue": False,
        }
    ]
    assert paid.pk not in {row["id"] for row in body["results"]}


@pytest.mark.parametrize("who", ["buyer", "other_factory", "pm_vn"])
def test_buyers_and_outsiders_get_404_on_invoices(api_client, world, who):
    assert _as(api_client, getattr(world.users, who)).get(f"{URL}{world.unpaid.pk}/invoices/").status_code == 404


def test_overdue_is_computed_from_the_dates(api_client, world):
    world.invoice.issued_on, world.invoice.due_on = TODAY() - timedelta(days=40), TODAY() - timedelta(days=1)
    world.invoice.save()
    rows = _as(api_client, world.users.pm_kh).get(f"{URL}{world.unpaid.pk}/invoices/").json()["results"]
    assert [r["is_overdue"] for r in rows] == [True]


def test_manager_issues_the_next_invoice(api_client, world):
    client = _as(api_client, world.users.pm_kh)
    response = client.post(f"{URL}{world.unpaid.pk}/invoices/", {}, format="json")
    assert response.status_code == 400  # the first one is unpaid
    assert "KH-2026-00001 is still unpaid" in response.json()["detail"]
    assert Invoice.objects.count() == 1

    client.post(f"{URL}{world.unpaid.pk}/record-payment/", {"paid_on": TODAY().isoformat()}, format="json")
    response = client.post(f"{URL}{world.unpaid.pk}/invoices/", {"amount": "4500"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["cycle_number"], body["amount"], body["paid_on"], body["is_overdue"]) == (2, "4500.00", None, False)
    assert body["number"].startswith(f"KH-{TODAY().year}-")


@pytest.mark.parametrize(("who", "status"), [("advisor_kh", 403), ("factory", 403), ("buyer", 403), ("pm_vn", 404)])
def test_only_the_manager_issues_invoices(api_client, world, who, status):
    world.invoice.paid_on = TODAY()
    world.invoice.save()
    response = _as(api_client, getattr(world.users, who)).post(f"{URL}{world.unpaid.pk}/invoices/", {}, format="json")
    assert response.status_code == status
    assert Invoice.objects.count() == 1


# --- exit and suspension -----------------------------------------------------------------------------------------


def test_exit_requires_a_reason(api_client, world):
    factory = ServiceCycleBuilder(factory=FactoryBuilder(name="Dangrek Denim")).factory
    client = _as(api_client, world.users.pm_kh)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = client.post(f"{URL}{factory.pk}/exit/", body, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["reason"]
    factory.refresh_from_db()
    assert (factory.status, factory.exit_reason) == ("active", "")
    assert factory.cycles.get().status == "open"

    response = client.post(f"{URL}{factory.pk}/exit/", {"reason": "The factory closed."}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["exit_reason"]) == ("exited", "The factory closed.")
    assert factory.cycles.get().status == ServiceCycle.Status.CLOSED
    assert factory.history.latest().history_user == world.users.pm_kh


@pytest.mark.parametrize("action", ["exit", "suspend"])
@pytest.mark.parametrize(("who", "status"), [("advisor_kh", 403), ("other_factory", 403), ("pm_vn", 404)])
def test_only_the_manager_suspends_or_exits(api_client, world, action, who, status):
    response = _as(api_client, getattr(world.users, who)).post(
        f"{URL}{world.other.pk}/{action}/", {"reason": "Because"}, format="json"
    )
    assert response.status_code == status
    assert Factory.objects.get(pk=world.other.pk).status == "active"


def test_manager_suspends_an_active_factory_not_an_unpaid_one(api_client, world):
    client = _as(api_client, world.users.pm_kh)
    response = client.post(f"{URL}{world.other.pk}/suspend/", {"reason": "Renewal unpaid"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert Factory.objects.get(pk=world.other.pk).history.latest().history_change_reason == "Renewal unpaid"
    response = client.post(f"{URL}{world.unpaid.pk}/suspend/", {}, format="json")
    assert response.status_code == 400
    assert "cannot become" in response.json()["detail"]
    _unchanged(world)


# --- the renewal task (R-REG-3) ----------------------------------------------------------------------------------


def test_unpaid_renewals_past_due_suspend_active_factories_only_and_idempotently():
    today = TODAY()
    past, future = today - timedelta(days=1), today + timedelta(days=5)

    def factory_with(status, cycle_number, due_on, paid=False):
        factory = FactoryBuilder(status=status)
        for n in range(1, cycle_number):
            InvoiceBuilder(factory=factory, cycle_number=n, issued_on=today - timedelta(days=400), paid_on=today)
        InvoiceBuilder(
            factory=factory,
            cycle_number=cycle_number,
            issued_on=due_on - timedelta(days=30),
            due_on=due_on,
            paid_on=today if paid else None,
        )
        return factory

    overdue = factory_with("active", 2, past)
    overdue_3 = factory_with("active", 3, past)
    due_later = factory_with("active", 2, future)
    due_today = factory_with("active", 2, today)
    first_invoice = factory_with("active", 1, past)  # a first invoice is not a renewal
    paid = factory_with("active", 2, past, paid=True)
    already = factory_with("suspended", 2, past)
    awaiting = factory_with("awaiting_payment", 2, past)

    assert sorted(renewals_suspend_overdue(today.isoformat())) == sorted([overdue.pk, overdue_3.pk])
    assert renewals_suspend_overdue(today.isoformat()) == []  # idempotent
    statuses = dict(Factory.objects.values_list("pk", "status"))
    assert statuses == {
        overdue.pk: "suspended",
        overdue_3.pk: "suspended",
        due_later.pk: "active",
        due_today.pk: "active",
        first_invoice.pk: "active",
        paid.pk: "active",
        already.pk: "suspended",
        awaiting.pk: "awaiting_payment",
    }
    record = Factory.objects.get(pk=overdue.pk).history.latest()
    assert (record.history_user, record.history_change_reason) == (None, "renewal invoice unpaid past its due date")
    assert Factory.objects.get(pk=overdue.pk).history.filter(status="suspended").count() == 1


def test_the_task_defaults_to_today():
    factory = FactoryBuilder()
    InvoiceBuilder(factory=factory, cycle_number=1, paid_on=TODAY())
    InvoiceBuilder(factory=factory, cycle_number=2, issued_on=TODAY() - timedelta(days=31), due_on=TODAY())
    assert renewals_suspend_overdue() == []
    assert renewals_suspend_overdue((TODAY() + timedelta(days=1)).isoformat()) == [factory.pk]


# --- the profile: PATCH by role -----------------------------------------------------------------------------------


def test_factory_user_changes_workers_but_not_the_name(api_client, world):
    client = _as(api_client, world.users.factory)
    response = client.patch(f"{URL}{world.unpaid.pk}/", {"workers": 910, "production_status": "suspended"}, "json")
    assert response.status_code == 200
    assert (response.json()["workers"], response.json()["production_status"]) == (910, "suspended")
    response = client.patch(f"{URL}{world.unpaid.pk}/", {"name": "Renamed", "workers": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "You may not change: name.", "fields": ["name"]}
    world.unpaid.refresh_from_db()
    assert (world.unpaid.name, world.unpaid.workers) == ("Angkor Apparel", 910)
    assert world.unpaid.history.latest().history_user == world.users.factory


def test_status_and_stage_are_not_changed_by_patch(api_client, world):
    response = _as(api_client, world.users.pm_kh).patch(
        f"{URL}{world.unpaid.pk}/", {"status": "active", "stage": 2, "workers": 5}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == ["stage", "status"]
    world.unpaid.refresh_from_db()
    assert (world.unpaid.status, world.unpaid.stage, world.unpaid.workers) == ("awaiting_payment", 1, 850)


def test_advisor_changes_the_name_but_cannot_assign_an_advisor(api_client, world):
    client = _as(api_client, world.users.advisor_kh)
    response = client.patch(f"{URL}{world.unpaid.pk}/", {"name": "Angkor Apparel Ltd", "os_id": "KH123"}, "json")
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["os_id"]) == ("Angkor Apparel Ltd", "KH123")
    assert Factory.objects.get(pk=world.unpaid.pk).normalized_name == "angkor apparel"
    response = client.patch(f"{URL}{world.unpaid.pk}/", {"advisor": world.users.advisor_kh.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == ["advisor"]
    assert Factory.objects.get(pk=world.unpaid.pk).advisor is None


def test_manager_assigns_an_advisor_of_its_country_only(api_client, world):
    client = _as(api_client, world.users.pm_kh)
    for wrong in (world.users.advisor_vn, world.users.assessor_kh):
        response = client.patch(f"{URL}{world.unpaid.pk}/", {"advisor": wrong.pk}, format="json")
        assert response.status_code == 400
        assert response.json() == {"advisor": ["The enterprise advisor must be an advisor of Cambodia."]}
    assert client.patch(f"{URL}{world.unpaid.pk}/", {"advisor": 999_999}, format="json").status_code == 400
    assert Factory.objects.get(pk=world.unpaid.pk).advisor is None

    response = client.patch(f"{URL}{world.unpaid.pk}/", {"advisor": world.users.advisor_kh.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["advisor"] == world.users.advisor_kh.pk
    response = client.patch(f"{URL}{world.unpaid.pk}/", {"advisor": None}, format="json")
    assert (response.status_code, response.json()["advisor"]) == (200, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"workers": 0}, "workers"),
        ({"workers": 100_001}, "workers"),
        ({"women_percent": 101}, "women_percent"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"production_status": "paused"}, "production_status"),
    ],
)
def test_bad_profile_values_are_400_on_the_field(api_client, world, body, field):
    response = _as(api_client, world.users.pm_kh).patch(f"{URL}{world.unpaid.pk}/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Factory.objects.get(pk=world.unpaid.pk).workers == 850


def test_a_sector_the_country_does_not_serve_is_refused(api_client, world):
    bd = FactoryBuilder(country=country("BD"))
    response = _as(api_client, global_admin()).patch(f"{URL}{bd.pk}/", {"sector": "footwear"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"sector": ["The Bangladesh programme does not serve the “footwear” sector."]}
    assert Factory.objects.get(pk=bd.pk).sector == "apparel"


def test_a_name_taken_in_the_country_is_refused(api_client, world):
    response = _as(api_client, world.users.pm_kh).patch(f"{URL}{world.unpaid.pk}/", {"name": "Bayon Knits"}, "json")
    assert response.status_code == 400
    assert response.json() == {"name": ["Another factory of the Cambodia programme has this name."]}
    assert Factory.objects.get(pk=world.unpaid.pk).name == "Angkor Apparel"


@pytest.mark.parametrize(("who", "status"), [("assessor_kh", 403), ("buyer", 403), ("pm_vn", 404), ("advisor_vn", 404)])
def test_who_may_not_change_the_profile(api_client, world, who, status):
    response = _as(api_client, getattr(world.users, who)).patch(f"{URL}{world.unpaid.pk}/", {"workers": 5}, "json")
    assert response.status_code == status
    assert Factory.objects.get(pk=world.unpaid.pk).workers == 850


def test_put_is_not_offered(api_client, world):
    response = _as(api_client, world.users.pm_kh).put(f"{URL}{world.unpaid.pk}/", {"workers": 5}, format="json")
    assert response.status_code == 405


def test_a_factory_user_never_sees_or_changes_another_factory(api_client, world):
    client = _as(api_client, world.users.other_factory)
    assert {row["id"] for row in client.get(URL).json()["results"]} == {world.other.pk}
    target = f"{URL}{world.unpaid.pk}/"
    assert client.get(target).status_code == 404
    assert client.patch(target, {"workers": 5}, format="json").status_code == 404
    assert client.get(f"{target}invoices/").status_code == 404
    assert client.post(f"{target}record-payment/", {"paid_on": TODAY().isoformat()}, format="json").status_code == 404
    assert client.post(f"{target}exit/", {"reason": "x"}, format="json").status_code == 404
    assert Factory.objects.get(pk=world.unpaid.pk).workers == 850
    _unchanged(world)


# --- output by role, filters -----------------------------------------------------------------------------------

CONTRACT = {"id", "name", "country", "sector", "address", "workers", "women_percent", "status", "stage"}
CONTACTS = {"contact_name", "contact_email", "contact_phone"}


@pytest.mark.parametrize("who", ["pm_kh", "advisor_kh", "factory", "admin"])
def test_staff_and_the_factory_get_contact_details(api_client, world, who):
    body = _as(api_client, getattr(world.users, who)).get(f"{URL}{world.unpaid.pk}/").json()
    assert set(body) >= CONTRACT | CONTACTS | {"current_cycle", "os_id", "production_status", "advisor"}
    assert (body["contact_name"], body["contact_email"]) == ("Dara Sok", "dara@angkor.example")


def test_buyers_never_get_contact_details(api_client, world):
    client = _as(api_client, world.users.buyer)
    detail = client.get(f"{URL}{world.unpaid.pk}/").json()
    rows = client.get(URL).json()["results"]
    for body in (detail, *rows):
        assert set(body) >= CONTRACT
        assert not set(body) & (CONTACTS | {"advisor", "exit_reason"})
    assert "dara@angkor.example" not in str(rows)


def test_filters_by_production_status_and_advisor_and_ordering(api_client, world):
    advisor = world.users.advisor_kh
    world.other.advisor, world.other.production_status = advisor, "suspended"
    world.other.save()
    client = _as(api_client, world.users.pm_kh)

    def ids(params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    assert ids({"production_status": "suspended"}) == [world.other.pk]
    assert ids({"advisor": advisor.pk}) == [world.other.pk]
    assert client.get(URL, {"advisor": world.users.advisor_vn.pk}).status_code == 400  # not one of theirs
    assert ids({"ordering": "status"}) == [world.other.pk, world.unpaid.pk]  # active < awaiting_payment
    assert ids({"ordering": "-status"}) == [world.unpaid.pk, world.other.pk]


def test_invoice_list_query_count_does_not_grow(api_client, world, django_assert_max_num_queries):
    client = _as(api_client, world.users.pm_kh)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{URL}{world.unpaid.pk}/invoices/").json()["count"] == 1
    world.invoice.paid_on = TODAY()
    world.invoice.save()
    for n in range(2, 12):
        InvoiceBuilder(factory=world.unpaid, cycle_number=n, paid_on=TODAY() if n < 11 else None)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(f"{URL}{world.unpaid.pk}/invoices/").json()["count"] == 11


def test_buyers_cannot_filter_or_sort_on_what_they_may_not_read(api_client, world):
    world.unpaid.production_status = "suspended"
    world.unpaid.advisor = world.users.advisor_kh
    world.unpaid.save()
    client = _as(api_client, world.users.buyer)
    for params in ({"production_status": "running"}, {"advisor": world.users.advisor_vn.pk}):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [world.unpaid.pk]  # the filter is ignored
    assert client.get(URL, {"ordering": "production_status"}).status_code == 200
