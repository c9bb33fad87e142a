"""The factory's Cycle tab: milestones without the assessment date for factory and buyer users (R-ASM-3),
the advisory allowance, the visits, and recording a visit in the browser."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from factories.models import BuyerAuthorisation, Milestone
from factories.services.cycles import cycle_start
from tests.builders import BuyerBuilder, FactoryBuilder, buyer_user, factory_user, staff, with_totp

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _advisor():
    advisor = staff("advisor", "KH")
    with_totp(advisor)
    return advisor


def test_an_advisor_records_fv1_in_the_browser_and_the_cycle_starts(client):
    factory = FactoryBuilder()
    client.force_login(_advisor())
    page = client.get(f"/factories/{factory.pk}/cycle/").content.decode()
    assert "the next advisory visit (FV1) starts one" in page

    response = client.post(
        f"/factories/{factory.pk}/cycle/",
        {"date": str(TODAY), "kind": "advisory", "modality": "onsite", "days": "1", "topics": "Committee set-up"},
    )
    assert response.status_code == 302
    page = client.get(f"/factories/{factory.pk}/cycle/").content.decode()
    assert "FV1" in page
    # R-CYC-7: the service package: 8 advisory days in cycle 1, one used, seven remain.
    assert '<th scope="row">Advisory visit days</th><td>8</td><td>0</td><td>1</td><td>7 days' in page
    assert "Committee set-up" in page


def test_a_refused_visit_shows_the_reason_next_to_the_field(client):
    factory = FactoryBuilder(country_id="BD")  # phase 2
    advisor = staff("advisor", "BD")
    with_totp(advisor)
    client.force_login(advisor)
    response = client.post(
        f"/factories/{factory.pk}/cycle/", {"date": str(TODAY), "kind": "advisory", "modality": "onsite", "days": "1"}
    )
    assert response.status_code == 200
    assert "phase 2" in response.content.decode()
    assert not factory.cycles.exists()


def test_factory_and_buyer_users_see_the_milestones_but_not_the_assessment_date(client):
    factory = FactoryBuilder()
    cycle = cycle_start(factory_id=factory.pk, on=TODAY - timedelta(days=20))
    assessment_due = date_format(Milestone.objects.get(cycle=cycle, kind="assessment").due_date)
    grant = BuyerAuthorisation.objects.create(factory=factory, buyer=BuyerBuilder(), granted_at=timezone.now())
    for user in (factory_user(factory), buyer_user(grant.buyer)):
        client.force_login(user)
        page = client.get(f"/factories/{factory.pk}/cycle/").content.decode()
        assert "unannounced" in page
        assert assessment_due not in page
        assert "Record a visit" not in page
    client.force_login(_advisor())
    assert assessment_due in client.get(f"/factories/{factory.pk}/cycle/").content.decode()


def test_only_advisors_and_managers_may_post_a_visit(client):
    factory = FactoryBuilder()
    client.force_login(factory_user(factory))
    response = client.post(
        f"/factories/{factory.pk}/cycle/", {"date": str(TODAY), "kind": "advisory", "modality": "virtual", "days": "1"}
    )
    assert response.status_code == 403
    assert not factory.cycles.exists()
    client.force_login(factory_user(FactoryBuilder()))
    assert client.get(f"/factories/{factory.pk}/cycle/").status_code == 404
