"""Planning and rescheduling pages (R-ASM-3, R-CYC-2): the programme manager's forms, errors on their fields."""

from datetime import date

import pytest

from assessments.models import Assessment, Schedule
from betterwork.accounts.models import Role
from tests.assessments.builders import PLANNED, assessable_factory, manager_of, planned_assessment, team
from tests.assessments.pages.helpers import login, page
from tests.builders import BuyerBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db
URL = "/assessments/plan/"


def _data(factory, assessors, **kwargs):
    data = {"factory": factory.pk, "planned_date": PLANNED.isoformat(), "modality": "onsite",
            "assessors": [a.pk for a in assessors], "days": 2}  # fmt: skip
    data.update(kwargs)
    return data


def test_the_programme_manager_plans_an_assessment(client):
    factory, _cycle = assessable_factory()
    manager, first, second = team()
    html = page(login(client, manager), f"{URL}?factory={factory.pk}")
    assert f'value="{factory.pk}" selected' in html
    assert (first.get_full_name() or first.get_username()) in html
    response = client.post(URL, _data(factory, [first, second]))
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/"
    assert assessment.schedule.planned_date == PLANNED
    assert set(assessment.assessors.all()) == {first, second}


def test_a_date_inside_the_initial_advisory_phase_is_shown_on_the_date(client):
    """R-CYC-2: the service's message appears next to the planned date; nothing is planned."""
    factory, _cycle = assessable_factory()
    manager, first, second = team()
    response = login(client, manager).post(URL, _data(factory, [first, second], planned_date="2026-03-02"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "inside the initial advisory phase" in form.errors["planned_date"][0]
    assert "inside the initial advisory phase" in response.content.decode()
    assert not Assessment.objects.exists()


def test_bad_inputs_show_on_their_fields(client):
    factory, _cycle = assessable_factory()
    manager, first, second = team()
    login(client, manager)
    response = client.post(URL, _data(factory, [first]))
    assert response.status_code == 200
    assert "exactly two different assessors" in response.context["form"].errors["assessors"][0]
    response = client.post(URL, _data(factory, [first, second], days=9, planned_date="not a date"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"days", "planned_date"}
    foreign = staff(Role.ASSESSOR, "BD")
    response = client.post(URL, _data(factory, [first, foreign]))
    assert response.status_code == 200
    assert "assessors" in response.context["form"].errors
    assert not Assessment.objects.exists()


def test_a_double_booking_shows_on_the_assessors(client):
    booked = planned_assessment()
    factory, _cycle = assessable_factory()
    assessors = list(booked.assessors.all())
    response = login(client, manager_of(booked)).post(URL, _data(factory, assessors, planned_date="2026-04-21"))
    assert response.status_code == 200
    assert "already assess" in response.context["form"].errors["assessors"][0]
    assert Assessment.objects.count() == 1


def test_who_may_plan(client):
    """Factory and buyer users: the page does not exist (404); staff who do not plan: 403."""
    factory, _cycle = assessable_factory()
    for user in (factory_user(factory), buyer_user(BuyerBuilder())):
        login(client, user)
        assert client.get(f"{URL}?factory={factory.pk}").status_code == 404
        assert client.post(URL, {"factory": factory.pk}).status_code == 404
    for role in (Role.ADVISOR, Role.ASSESSOR):
        login(client, staff(role))
        assert client.get(f"{URL}?factory={factory.pk}").status_code == 403
    login(client, staff(Role.PROGRAMME_MANAGER, "BD"))
    html = page(client, f"{URL}?factory={factory.pk}")  # another country's factory is not offered
    assert factory.name not in html
    client.logout()
    assert client.get(URL).status_code == 302
    assert not Assessment.objects.exists()


def test_rescheduling(client):
    assessment = planned_assessment()
    url = f"/assessments/{assessment.pk}/reschedule/"
    manager = manager_of(assessment)
    login(client, manager)
    html = page(client, url)
    assert 'value="2026-04-20"' in html
    assessors = [a.pk for a in assessment.assessors.all()]
    response = client.post(url, {"planned_date": "2026-02-02", "modality": "onsite", "assessors": assessors, "days": 2})
    assert response.status_code == 200
    assert "inside the initial advisory phase" in response.context["form"].errors["planned_date"][0]
    assert Schedule.objects.get().planned_date == PLANNED
    response = client.post(url, {"planned_date": "2026-05-04", "modality": "onsite", "assessors": assessors, "days": 3})
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.planned_date, schedule.days) == (date(2026, 5, 4), 3)
    html = page(client, f"/assessments/{assessment.pk}/")
    assert "2026-04-20 → 2026-05-04" in html  # the schedule's history, staff only
    for user in (factory_user(assessment.factory), buyer_user(BuyerBuilder())):
        login(client, user)
        assert client.get(url).status_code == 404
    login(client, staff(Role.ADVISOR))
    assert client.get(url).status_code == 403
