"""Staff agendas: the advisor's milestones, the country's late factories, the iCal feed (staff only)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from advisory.calendar import feed_token
from factories.services.cycles import cycle_start
from tests.builders import FactoryBuilder, factory_user, staff, with_totp

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    advisor, other_advisor = staff("advisor", "KH"), staff("advisor", "KH", username="other-advisor")
    mine = FactoryBuilder(name="Mine Garments", advisor=advisor)
    theirs = FactoryBuilder(name="Theirs Garments", advisor=other_advisor)
    vietnam = FactoryBuilder(name="Saigon Garments", country_id="VN")
    for factory in (mine, theirs, vietnam):
        cycle_start(factory_id=factory.pk, on=TODAY - timedelta(days=140))  # PR1 due in ~10 days; day 100 passed
    return advisor, mine, theirs, vietnam


def test_an_advisor_sees_the_factories_they_advise_with_overdue_flags(client, world):
    advisor = world[0]
    with_totp(advisor)
    client.force_login(advisor)
    page = client.get("/agenda/").content.decode()
    assert "Mine Garments" in page
    assert "Theirs Garments" not in page
    assert "overdue" in page  # the initial advisory phase ended 40 days ago and no sweep has completed it


def test_the_country_overview_lists_late_factories_of_the_country_only(client, world):
    manager = staff("programme_manager", "KH")
    with_totp(manager)
    client.force_login(manager)
    page = client.get("/agenda/country/").content.decode()
    assert "Mine Garments" in page
    assert "Theirs Garments" in page
    assert "Saigon Garments" not in page
    advisor = world[0]
    with_totp(advisor)
    client.force_login(advisor)
    assert client.get("/agenda/country/").status_code == 404


def test_factory_users_have_no_agenda(client, world):
    client.force_login(factory_user(world[1]))
    assert client.get("/agenda/").status_code == 404


def test_the_calendar_feed_needs_a_valid_token_and_dies_with_a_password_change(client, world):
    advisor = world[0]
    token = feed_token(advisor)
    feed = client.get(f"/agenda/calendar/{token}.ics")
    body = feed.content.decode()
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR")
    assert "Assessment — Mine Garments" in body
    assert "Theirs Garments" not in body
    assert client.get(f"/agenda/calendar/{token[:-2]}xx.ics").status_code == 404
    advisor.set_password("a brand new long password")
    advisor.save()
    assert client.get(f"/agenda/calendar/{token}.ics").status_code == 404


def test_a_factory_users_token_gives_no_feed(client, world):
    assert client.get(f"/agenda/calendar/{feed_token(factory_user(world[1]))}.ics").status_code == 404


def test_agenda_queries_do_not_grow_with_factories(client, django_assert_max_num_queries, world):
    advisor = world[0]
    with_totp(advisor)
    client.force_login(advisor)
    client.get("/agenda/")
    for n in range(6):
        factory = FactoryBuilder(advisor=advisor)
        cycle_start(factory_id=factory.pk, on=TODAY - timedelta(days=100 + n))
    with django_assert_max_num_queries(16):
        assert client.get("/agenda/").status_code == 200
