"""Enrolment through the API: participant-days against the cycle's allowance (R-TRN-2, R-CYC-7), capacity,
phases (R-CTY-3), factories outside the programme (R-CTY-4) and the bad input of issue 7."""

from datetime import timedelta

import pytest

from factories.models import Country
from tests.builders import BuyerAuthorisationBuilder, FactoryBuilder, buyer_user, factory_user, staff
from tests.training.conftest import new_session, today
from training.models import Enrolment, TrainingPurchase
from training.services import enrol, purchase_record

pytestmark = pytest.mark.django_db


def _allowance(api_client, user, cycle):
    api_client.force_authenticate(user)
    return api_client.get(f"/api/v1/cycles/{cycle.pk}/training-allowance/")


def _enrol(api_client, user, session, participants, **extra):
    api_client.force_authenticate(user)
    return api_client.post("/api/v1/enrollments/", {"session": session.pk, "participants": participants, **extra},
                           format="json")  # fmt: skip


def test_a_factory_enrols_and_its_allowance_goes_down_by_participants_times_days(api_client, world):
    """R-TRN-2: 3 participants × 2 days = 6 participant-days of the 25 included."""
    session = new_session(world)
    assert _allowance(api_client, world.user, world.cycle).json() == {
        "included": 25, "purchased": 0, "used": 0, "remaining": 25}  # fmt: skip
    response = _enrol(api_client, world.user, session, 3, names=["Sok Dara", "Chan Lina"])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["factory"], body["participant_days"], body["paid_only"]) == (world.factory.pk, 6, False)
    assert body["names"] == ["Chan Lina", "Sok Dara"]
    assert _allowance(api_client, world.user, world.cycle).json() == {
        "included": 25, "purchased": 0, "used": 6, "remaining": 19}  # fmt: skip
    # staff enrol the factory in another session; the whole package lists the row too
    other = new_session(world, days=1)
    assert _enrol(api_client, world.advisor, other, 4, factory=world.factory.pk).status_code == 201
    rows = {r["key"]: r for r in api_client.get(f"/api/v1/cycles/{world.cycle.pk}/allowances/").json()}
    assert rows["training_participant_days"]["used"] == "10.0"
    assert rows["seminars"]["included"] == "4.0"
    assert Enrolment.history.filter(factory=world.factory).count() == 2


def test_beyond_the_remaining_days_is_refused_with_the_figure_unless_days_are_bought(api_client, world):
    session = new_session(world, capacity=40, days=2)
    assert _enrol(api_client, world.user, new_session(world, capacity=40), 10).status_code == 201  # 20 used
    response = _enrol(api_client, world.user, session, 3)  # needs 6, 5 remain
    assert response.status_code == 400
    assert "only 5 remain" in response.json()["participants"][0]
    assert response.json()["remaining"] == 5
    assert Enrolment.objects.count() == 1

    api_client.force_authenticate(world.user)
    assert api_client.post("/api/v1/training-purchases/", {"factory": world.factory.pk, "participant_days": 10,
                                                           "invoice_number": "TR-1"}).status_code == 403  # fmt: skip
    api_client.force_authenticate(world.manager)
    bought = api_client.post(
        "/api/v1/training-purchases/", {"factory": world.factory.pk, "participant_days": 10, "invoice_number": "TR-1"}
    )
    assert bought.status_code == 201, bought.json()
    assert api_client.post("/api/v1/training-purchases/", {"factory": world.factory.pk, "participant_days": 2,
                                                           "invoice_number": "TR-1"}).status_code == 400  # fmt: skip
    assert TrainingPurchase.history.count() == 1
    assert _enrol(api_client, world.user, session, 3).status_code == 201
    assert _allowance(api_client, world.user, world.cycle).json() == {
        "included": 25, "purchased": 10, "used": 26, "remaining": 9}  # fmt: skip


@pytest.mark.parametrize("participants", [0, -2, "many"])
def test_zero_negative_or_no_participants_are_refused(api_client, world, participants):
    response = _enrol(api_client, world.user, new_session(world), participants)
    assert response.status_code == 400
    assert "participants" in response.json()
    assert not Enrolment.objects.exists()


def test_a_past_or_full_session_is_refused(api_client, world):
    past = new_session(world, start=today() + timedelta(days=1))
    with pytest.raises(Exception, match="it is past"):
        enrol(actor=world.user, session_id=past.pk, factory_id=world.factory.pk, participants=1,
              today=today() + timedelta(days=3))  # fmt: skip
    small = new_session(world, capacity=5)
    other = FactoryBuilder()
    assert _enrol(api_client, factory_user(other), small, 4).status_code == 201  # paid only: no cycle
    response = _enrol(api_client, world.user, small, 2)
    assert response.status_code == 400
    assert "Only 1 seat(s) are left" in response.json()["participants"][0]
    assert _enrol(api_client, world.user, small, 1).status_code == 201
    third = FactoryBuilder()
    response = _enrol(api_client, factory_user(third), small, 1)
    assert response.status_code == 400
    assert response.json() == {"session": ["This session is full."]}
    assert Enrolment.objects.filter(session=small).count() == 2
    assert _enrol(api_client, world.user, small, 1).status_code == 400  # already enrolled


def test_a_session_longer_than_its_course_and_a_course_over_five_days_are_refused(api_client, world):
    api_client.force_authenticate(world.manager)
    start = str(today() + timedelta(days=5))
    response = api_client.post(
        "/api/v1/training-sessions/", {"course": world.course.pk, "start_date": start, "days": 3, "capacity": 10}
    )
    assert response.status_code == 400
    assert "lasts 2 day(s)" in response.json()["days"][0]
    response = api_client.post("/api/v1/training-courses/", {"title": "Long", "days": 6})
    assert response.status_code == 400
    assert "days" in response.json()
    created = api_client.post(
        "/api/v1/training-sessions/", {"course": world.course.pk, "start_date": start, "capacity": 10}
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["days"], created.json()["seats_left"]) == (2, 10)
    api_client.force_authenticate(world.user)
    assert api_client.post("/api/v1/training-courses/", {"title": "Mine", "days": 1}).status_code == 403
    assert api_client.get("/api/v1/training-sessions/").json()["count"] == 1


def test_the_catalogue_is_the_country_s_and_buyers_see_no_training(api_client, world):
    new_session(world)
    api_client.force_authenticate(world.user)
    assert [c["title"] for c in api_client.get("/api/v1/training-courses/").json()["results"]] == ["Fire safety"]
    for user in (staff("advisor", "VN"), factory_user(FactoryBuilder(country=Country.objects.get(code="VN")))):
        api_client.force_authenticate(user)
        assert api_client.get("/api/v1/training-courses/").json()["count"] == 0
        assert api_client.get(f"/api/v1/cycles/{world.cycle.pk}/training-allowance/").status_code == 404
    grant = BuyerAuthorisationBuilder(factory=world.factory)
    buyer = buyer_user(grant.buyer)
    api_client.force_authenticate(buyer)
    assert api_client.get("/api/v1/training-sessions/").json()["count"] == 0
    assert api_client.get(f"/api/v1/cycles/{world.cycle.pk}/training-allowance/").status_code == 404
    assert api_client.get(f"/api/v1/factories/{world.factory.pk}/training-suggestions/").status_code == 404


def test_a_factory_outside_the_programme_buys_every_participant_day(api_client, world):
    """R-CTY-4: no open cycle → paid only, nothing counted against an allowance."""
    outsider = FactoryBuilder()
    response = _enrol(api_client, factory_user(outsider), new_session(world, capacity=40), 30)
    assert response.status_code == 201
    assert (response.json()["cycle"], response.json()["paid_only"], response.json()["participant_days"]) == (
        None, True, 60)  # fmt: skip
    with pytest.raises(Exception, match="no open service cycle"):
        purchase_record(actor=world.manager, factory_id=outsider.pk, participant_days=5, invoice_number="X-1")


def test_an_onsite_session_in_a_phase_without_onsite_activity_is_refused_naming_the_phase(api_client, world):
    """R-CTY-3, checked at enrolment (per factory, honouring exceptions); a virtual session is fine."""
    onsite, virtual = new_session(world), new_session(world, modality="virtual")
    Country.objects.filter(code="KH").update(phase=Country.Phase.PARTIAL)
    response = _enrol(api_client, world.user, onsite, 2)
    assert response.status_code == 400
    assert "phase 2" in response.json()["modality"][0]
    assert _enrol(api_client, world.user, virtual, 2).status_code == 201
    assert Enrolment.objects.count() == 1


def test_hidden_sessions_and_factories_answer_400_without_saying_more(api_client, world):
    session = new_session(world)
    api_client.force_authenticate(staff("advisor", "VN"))
    response = api_client.post(
        "/api/v1/enrollments/", {"session": session.pk, "factory": world.factory.pk, "participants": 1}
    )
    assert response.status_code == 400
    assert response.json() == {"session": ["Choose a session."]}
    api_client.force_authenticate(world.user)
    other = FactoryBuilder()
    response = api_client.post("/api/v1/enrollments/", {"session": session.pk, "factory": other.pk, "participants": 1})
    assert response.json() == {"factory": ["Choose a factory."]}
    assert not Enrolment.objects.exists()


def test_buyers_may_not_enrol_or_buy(api_client, world):
    session = new_session(world)
    buyer = buyer_user(BuyerAuthorisationBuilder(factory=world.factory).buyer)
    api_client.force_authenticate(buyer)
    body = {"session": session.pk, "factory": world.factory.pk, "participants": 1}
    assert api_client.post("/api/v1/enrollments/", body).status_code == 403
    assert api_client.post("/api/v1/seminar-participations/", {**body, "seminar": 1}).status_code == 403
    assert not Enrolment.objects.exists()
