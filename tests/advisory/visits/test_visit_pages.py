"""A visit's page and its notes (R-ADV-5): participants, topics, notes, follow-ups and the committee flag are
edited by the advisor who recorded the visit or the country's manager; never its date or days."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from advisory.services import visit_record
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    FactoryBuilder,
    buyer_user,
    factory_user,
    staff,
    with_totp,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _setup():
    factory = FactoryBuilder()
    advisor = staff("advisor", "KH", username="recorder")
    visit = visit_record(factory_id=factory.pk, actor=advisor, on=TODAY - timedelta(days=3), kind="advisory",
                         modality="onsite", days=Decimal("1.5"), topics="OSH")  # fmt: skip
    return factory, advisor, visit


def _patch(client, user, visit, body):
    client.force_authenticate(user)
    return client.patch(f"/api/v1/visits/{visit.pk}/", body, format="json")


def test_the_recording_advisor_and_the_manager_edit_the_notes(api_client):
    _factory, advisor, visit = _setup()
    response = _patch(api_client, advisor, visit, {"notes": "Met HR.", "committee_meeting_held": True})
    assert response.status_code == 200, response.json()
    assert (response.json()["notes"], response.json()["committee_meeting_held"]) == ("Met HR.", True)

    manager = staff("programme_manager", "KH")
    assert _patch(api_client, manager, visit, {"follow_ups": "Send the OSH checklist."}).status_code == 200
    visit.refresh_from_db()
    assert (visit.notes, visit.follow_ups, visit.topics) == ("Met HR.", "Send the OSH checklist.", "OSH")
    assert visit.history.first().history_user == manager


def test_others_may_not_edit_a_visit(api_client):
    factory, _advisor, visit = _setup()
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=factory, buyer=buyer)
    cases = [
        (staff("advisor", "KH", username="another"), 403),
        (staff("assessor", "KH"), 403),
        (factory_user(factory), 403),
        (buyer_user(buyer), 404),
        (staff("advisor", "VN"), 404),
    ]
    for user, expected in cases:
        assert _patch(api_client, user, visit, {"notes": "Changed."}).status_code == expected, user.role
    visit.refresh_from_db()
    assert visit.notes == ""


def test_the_date_and_days_are_not_editable(api_client):
    _factory, advisor, visit = _setup()
    response = _patch(api_client, advisor, visit, {"days": "3", "date": str(TODAY), "notes": "x"})
    assert response.status_code == 400
    assert set(response.json()) >= {"days", "date"}
    visit.refresh_from_db()
    assert (visit.days, visit.date, visit.notes) == (Decimal("1.5"), TODAY - timedelta(days=3), "")


def test_the_visit_page_shows_the_visit_history_and_edit_form(client):
    factory, advisor, visit = _setup()
    with_totp(advisor)
    client.force_login(advisor)
    assert (
        f"/factories/{factory.pk}/visits/{visit.pk}/" in client.get(f"/factories/{factory.pk}/cycle/").content.decode()
    )
    page = client.get(f"/factories/{factory.pk}/visits/{visit.pk}/").content.decode()
    assert "OSH" in page
    assert 'name="notes"' in page
    assert 'name="days"' not in page
    assert "Open a zero-tolerance case" in page
    assert f"/factories/{factory.pk}/zero-tolerance/?visit={visit.pk}" in page

    body = {"participants": "HR manager", "topics": "OSH", "notes": "Good", "follow_ups": ""}
    response = client.post(f"/factories/{factory.pk}/visits/{visit.pk}/", body)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.participants, visit.notes) == ("HR manager", "Good")
    assert "visit notes edited" in client.get(f"/factories/{factory.pk}/visits/{visit.pk}/").content.decode()


def test_another_advisor_reads_but_cannot_edit_and_the_factory_sees_no_case_link(client):
    factory, _advisor, visit = _setup()
    other = staff("advisor", "KH", username="other")
    with_totp(other)
    client.force_login(other)
    page = client.get(f"/factories/{factory.pk}/visits/{visit.pk}/").content.decode()
    assert 'name="notes"' not in page
    assert client.post(f"/factories/{factory.pk}/visits/{visit.pk}/", {"notes": "x"}).status_code == 403

    client.force_login(factory_user(factory))
    response = client.get(f"/factories/{factory.pk}/visits/{visit.pk}/")
    assert response.status_code == 200
    assert "zero-tolerance" not in response.content.decode()
    assert 'name="notes"' not in response.content.decode()
    visit.refresh_from_db()
    assert visit.notes == ""
