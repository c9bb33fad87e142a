"""Asking for changes sends the contact a signed link; the form opens pre-filled and goes back to review.
A wrong, tampered, expired or spent link answers a clear page (400)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.utils import timezone

from factories.models import Registration
from factories.services.registration import EDIT_LINK_SALT, registration_edit_token
from tests.builders import RegistrationBuilder, staff

pytestmark = pytest.mark.django_db

EDIT_LINK = re.compile(r"/factories/registrations/edit/[^/\s]+/")


def _ask_for_changes(api_client, registration, eager_mail, message="Give the legal name as registered."):
    api_client.force_authenticate(staff("programme_manager", "KH"))
    with eager_mail(execute=True):
        response = api_client.post(
            f"/api/v1/registrations/{registration.pk}/request-changes/", {"message": message}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["status"] == "changes_requested"
    email = mail.outbox[-1]
    assert email.to == [registration.contact_email]
    assert message in email.body
    return EDIT_LINK.search(email.body).group(0)


def test_the_edit_link_round_trip(client, api_client, eager_mail):
    registration = RegistrationBuilder(factory_name="Lotus", buyers=["Acme"], workers=300)
    link = _ask_for_changes(api_client, registration, eager_mail)

    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Give the legal name as registered." in html
    assert 'value="Lotus"' in html  # pre-filled
    assert 'value="300"' in html
    assert ">\nAcme</textarea>" in html

    form = {**_form_of(registration), "factory_name": "Lotus Stitch (Cambodia) Co., Ltd.", "buyers": "Acme\nZenith"}
    with eager_mail(execute=True):
        response = client.post(link, form)
    assert response.status_code == 302
    assert response["Location"] == "/register/thanks/"
    registration.refresh_from_db()
    assert registration.status == "submitted"
    assert registration.factory_name == "Lotus Stitch (Cambodia) Co., Ltd."
    assert registration.normalized_name == "lotus stitch cambodia"
    assert registration.buyers == ["Acme", "Zenith"]
    assert list(registration.history.values_list("status", flat=True)) == [
        "submitted",
        "changes_requested",
        "submitted",
    ]
    # the link is spent: it edits only a registration that waits for changes
    spent = client.get(link)
    assert spent.status_code == 400
    assert "This registration is no longer waiting for changes." in spent.content.decode()


def _form_of(registration: Registration) -> dict:
    return {
        "factory_name": registration.factory_name,
        "country": registration.country_id,
        "sector": registration.sector,
        "address": registration.address,
        "workers": registration.workers,
        "women_percent": registration.women_percent,
        "contact_name": registration.contact_name,
        "contact_email": registration.contact_email,
        "contact_phone": registration.contact_phone,
        "buyers": "\n".join(registration.buyers),
        "os_id": registration.os_id,
    }


def test_bad_input_on_the_edit_page_keeps_the_request_open(client, api_client, eager_mail):
    registration = RegistrationBuilder()
    link = _ask_for_changes(api_client, registration, eager_mail)
    response = client.post(link, {**_form_of(registration), "sector": "footwear", "country": "ET"})
    assert response.status_code == 400
    assert "The Ethiopia programme does not serve" in response.context["form"].errors["sector"][0]
    response = client.post(link, {**_form_of(registration), "women_percent": "101"})
    assert set(response.context["form"].errors) == {"women_percent"}
    registration.refresh_from_db()
    assert (registration.status, registration.country_id) == ("changes_requested", "KH")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # tampered signature
        lambda token: signing.dumps({"registration": 999_999}, salt=EDIT_LINK_SALT),  # no such registration
        lambda token: signing.dumps({"registration": 1}, salt="another.purpose"),  # signed for something else
        lambda token: "not-a-token",
    ],
    ids=["tampered", "unknown", "wrong-salt", "garbage"],
)
def test_a_bad_link_answers_a_clear_400_page(client, api_client, eager_mail, mangle):
    registration = RegistrationBuilder()
    link = _ask_for_changes(api_client, registration, eager_mail)
    token = link.rsplit("/", 2)[1]
    url = f"/factories/registrations/edit/{mangle(token)}/"
    for response in (client.get(url), client.post(url, _form_of(registration))):
        assert response.status_code == 400
        html = response.content.decode()
        assert "This link does not work" in html
        assert "This link is not valid or has expired. Please register again." in html
    assert Registration.objects.get(pk=registration.pk).status == "changes_requested"


def test_an_expired_link_answers_400(client):
    registration = RegistrationBuilder(status="changes_requested", review_note="Fix the address.")
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        token = registration_edit_token(registration)
    response = client.get(f"/factories/registrations/edit/{token}/")
    assert response.status_code == 400
    assert "not valid or has expired" in response.content.decode()
