"""Done when (issue 3): a factory goes from the public form to `active` in the browser and through the API —
registered anonymously, approved by its programme manager, paid; the contact's account exists and the approval
email carries a working set-password link."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from betterwork.accounts.models import User
from factories.models import Factory, Registration
from tests.builders import PASSWORD, staff, with_totp

pytestmark = pytest.mark.django_db

SET_PASSWORD_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)")


def _set_password_path(contact_email: str) -> str:
    approval = next(m for m in mail.outbox if m.to == [contact_email] and "Choose your password" in m.body)
    return SET_PASSWORD_LINK.search(approval.body).group(1)


def _contact_signs_in_with_a_new_password(client, contact_email: str, factory: Factory) -> None:
    """Follow the emailed link, choose a password, sign in, see the factory."""
    client.logout()
    page = client.get(_set_password_path(contact_email), follow=True)
    assert page.status_code == 200
    assert 'name="password1"' in page.content.decode()  # a valid link: the form, not "Bad Token"
    done = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else page.request["PATH_INFO"],
        {
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert done.status_code == 302
    user = User.objects.get(email=contact_email)
    assert user.check_password(PASSWORD)
    signed_in = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert signed_in.status_code == 302
    home = client.get("/")
    assert f"<h1>{factory.name}</h1>" in home.content.decode()


def test_from_the_public_form_to_active_in_the_browser(client, eager_mail):
    # 1. anyone registers on the public page
    with eager_mail(execute=True):
        response = client.post(
            "/register/",
            {
                "factory_name": "Golden Thread Garments Co., Ltd.",
                "country": "KH",
                "sector": "footwear",
                "address": "National Road 4, Kandal",
                "workers": "2400",
                "women_percent": "84.5",
                "contact_name": "Dara Sok",
                "contact_email": "dara@goldenthread.example",
                "contact_phone": "+855 23 000 000",
                "buyers": "Acme Apparel",
                "os_id": "",
            },
        )
    assert response.status_code == 302
    registration = Registration.objects.get()

    # 2. the country's programme manager reviews it and approves it
    manager = staff("programme_manager", "KH", email="pm.kh@programme.example")
    with_totp(manager)
    client.force_login(manager)
    home = client.get("/").content.decode()
    assert "Golden Thread Garments Co., Ltd." in home
    detail = client.get(f"/factories/registrations/{registration.pk}/")
    assert detail.status_code == 200
    with eager_mail(execute=True):
        approved = client.post(f"/factories/registrations/{registration.pk}/approve/", {"approve-amount": ""})
    assert approved.status_code == 302
    factory = Factory.objects.get()
    assert factory.status == "awaiting_payment"
    invoice = factory.invoices.get()

    # 3. the programme manager records the payment on the invoices page
    page = client.get(f"/factories/{factory.pk}/invoices/")
    assert invoice.number in page.content.decode()
    paid = client.post(
        f"/factories/{factory.pk}/invoices/record-payment/",
        {"payment-paid_on": timezone.localdate().isoformat(), "payment-reference": "BANK-77"},
    )
    assert paid.status_code == 302

    factory.refresh_from_db()
    invoice.refresh_from_db()
    assert factory.status == "active"
    assert (invoice.paid_on, invoice.payment_reference) == (timezone.localdate(), "BANK-77")
    history = client.get(f"/factories/{factory.pk}/").content.decode()
    assert "Awaiting payment" in history
    assert f"invoice {invoice.number} paid" in history

    # 4. the contact's account exists and the emailed link lets them in
    contact = User.objects.get(email="dara@goldenthread.example")
    assert (contact.role, contact.factory_id, contact.has_usable_password()) == ("factory", factory.pk, False)
    _contact_signs_in_with_a_new_password(client, "dara@goldenthread.example", factory)


def test_from_the_public_form_to_active_through_the_api(api_client, eager_mail):
    # 1. anonymous registration
    with eager_mail(execute=True):
        response = api_client.post(
            "/api/v1/registrations/",
            {
                "factory_name": "Mekong Knitwear",
                "country": "VN",
                "sector": "apparel",
                "address": "Lot 5, Binh Duong",
                "workers": 900,
                "women_percent": 72,
                "contact_name": "Lan Nguyen",
                "contact_email": "lan@mekong.example",
            },
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["status"] == "submitted"
    registration_id = response.json()["id"]

    # 2. approval by the country's programme manager
    api_client.force_authenticate(staff("programme_manager", "VN"))
    with eager_mail(execute=True):
        response = api_client.post(f"/api/v1/registrations/{registration_id}/approve/", {}, format="json")
    assert response.status_code == 200
    factory_id = response.json()["factory"]
    assert response.json() == {"factory": factory_id, "status": "approved"}
    factory = api_client.get(f"/api/v1/factories/{factory_id}/").json()
    assert (factory["status"], factory["current_cycle"], factory["country"]) == ("awaiting_payment", None, "VN")
    invoices = api_client.get(f"/api/v1/factories/{factory_id}/invoices/").json()["results"]
    assert [(i["cycle_number"], i["paid_on"]) for i in invoices] == [(1, None)]

    # 3. payment
    today = timezone.localdate().isoformat()
    response = api_client.post(f"/api/v1/factories/{factory_id}/record-payment/", {"paid_on": today}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    invoices = api_client.get(f"/api/v1/factories/{factory_id}/invoices/").json()["results"]
    assert [(i["cycle_number"], i["paid_on"], i["is_overdue"]) for i in invoices] == [(1, today, False)]

    # 4. the contact's account and the set-password link
    contact = User.objects.get(email="lan@mekong.example")
    assert (contact.role, contact.factory_id) == ("factory", factory_id)
    assert _set_password_path("lan@mekong.example").startswith("/accounts/password/reset/key/")
    api_client.force_authenticate(contact)
    assert api_client.get(f"/api/v1/factories/{factory_id}/").json()["status"] == "active"
