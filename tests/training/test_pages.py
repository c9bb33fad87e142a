"""The training pages: a factory books in the browser and sees its remaining days; staff keep the catalogue,
take attendance and see allowance use; certificates are PDFs; seminar actions join the improvement plan."""

from datetime import timedelta

import pytest

from advisory.models import ImprovementPlanItem
from tests.builders import BuyerAuthorisationBuilder, FactoryBuilder, buyer_user, factory_user, staff, with_totp
from tests.training.conftest import new_session, today
from training.models import Attendance, Course, Enrolment, Participant, Seminar, TrainingSession
from training.services import attendance_record, enrol, seminar_create, seminar_join

pytestmark = pytest.mark.django_db


def test_a_factory_books_in_the_browser_and_its_remaining_days_go_down(client, world):
    session = new_session(world)
    client.force_login(world.user)
    page = client.get("/training/").content.decode()
    assert "25 of 25 participant-days remain in this cycle." in page
    assert "Fire safety" in page
    response = client.post(f"/training/sessions/{session.pk}/", {"participants": "3", "names": "Sok Dara\nChan Lina"})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert (enrolment.factory, enrolment.participant_days) == (world.factory, 6)
    assert "19 of 25 participant-days remain in this cycle." in client.get("/training/").content.decode()
    page = client.get(f"/training/factories/{world.factory.pk}/").content.decode()
    assert "Chan Lina" in page
    assert "6 participant-days" in page


def test_the_booking_form_shows_the_refusal_and_saves_nothing(client, world):
    session = new_session(world, capacity=40)
    client.force_login(world.user)
    for participants, message in (("0", "Enrol at least one participant."), ("13", "only 25 remain")):
        response = client.post(f"/training/sessions/{session.pk}/", {"participants": participants})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Enrolment.objects.exists()


def test_staff_keep_the_catalogue_and_take_attendance(client, world):
    with_totp(world.manager)
    client.force_login(world.manager)
    start = today() + timedelta(days=3)
    assert client.post("/training/", {"form": "course", "course-title": "Wages", "course-days": "1",
                                      "course-modality": "virtual"}).status_code == 302  # fmt: skip
    course = Course.objects.get(title="Wages")
    response = client.post("/training/", {"form": "session", "session-course": course.pk, "session-days": "2",
                                          "session-start_date": str(start), "session-capacity": "10"})  # fmt: skip
    assert response.status_code == 200
    assert "lasts 1 day(s)" in response.content.decode()
    assert not TrainingSession.objects.filter(course=course).exists()
    response = client.post("/training/", {"form": "seminar", "seminar-title": "OSH", "seminar-date": str(start),
                                          "seminar-length": "half_day", "seminar-modality": "onsite",
                                          "seminar-capacity": "81"})  # fmt: skip
    assert "from 1 to 80 participants" in response.content.decode()
    assert not Seminar.objects.exists()

    session = new_session(world, start=today() - timedelta(days=0))
    enrol(actor=world.user, session_id=session.pk, factory_id=world.factory.pk, participants=2, names=["Sok", "Lina"])
    sok, lina = Participant.objects.order_by("name").reverse()
    day = today().isoformat()
    page = client.get(f"/training/sessions/{session.pk}/").content.decode()
    assert f"/training/sessions/{session.pk}/attendance/{day}/" in page
    assert client.post(f"/training/sessions/{session.pk}/attendance/{day}/", {"present": [sok.pk]}).status_code == 302
    assert dict(Attendance.objects.values_list("participant__name", "present")) == {"Sok": True, "Lina": False}
    elsewhere = Enrolment.objects.create(
        session=new_session(world), factory=FactoryBuilder(), participants=1, participant_days=2
    )
    stranger = Participant.objects.create(enrolment=elsewhere, name="X")
    response = client.post(f"/training/sessions/{session.pk}/attendance/{day}/", {"present": [lina.pk, stranger.pk]})
    assert response.status_code == 200
    assert "Not enrolled in this session" in response.content.decode()
    assert dict(Attendance.objects.values_list("participant__name", "present")) == {"Sok": True, "Lina": False}
    page = client.get("/training/allowances/").content.decode()
    assert world.factory.name in page


def test_attendance_for_someone_not_enrolled_or_outside_the_session_is_refused(world):
    session = new_session(world, start=today())
    other = new_session(world)
    enrol(actor=world.user, session_id=other.pk, factory_id=world.factory.pk, participants=1, names=["Dara"])
    dara = Participant.objects.get()
    with pytest.raises(Exception, match="Not enrolled in this session"):
        attendance_record(actor=world.manager, session_id=session.pk, day=today(), present={dara.pk: True})
    with pytest.raises(Exception, match="is not a day of this session"):
        attendance_record(actor=world.manager, session_id=session.pk, day=today() + timedelta(days=9), present={})
    with pytest.raises(Exception, match="Only the programme staff"):
        attendance_record(actor=world.user, session_id=session.pk, day=today(), present={})
    assert not Attendance.objects.exists()


def test_a_certificate_of_attendance_is_a_pdf_for_those_who_attended(client, world):
    session = new_session(world, start=today())
    enrol(actor=world.user, session_id=session.pk, factory_id=world.factory.pk, participants=2, names=["Sok", "Lina"])
    sok, lina = Participant.objects.get(name="Sok"), Participant.objects.get(name="Lina")
    attendance_record(actor=world.manager, session_id=session.pk, day=today(), present={sok.pk: True, lina.pk: False})
    client.force_login(world.user)
    response = client.get(f"/training/factories/{world.factory.pk}/certificates/{sok.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 1000
    assert client.get(f"/training/factories/{world.factory.pk}/certificates/{lina.pk}.pdf").status_code == 404
    client.force_login(factory_user(FactoryBuilder()))
    assert client.get(f"/training/factories/{world.factory.pk}/certificates/{sok.pk}.pdf").status_code == 404


def test_a_seminar_action_entered_in_the_browser_joins_the_improvement_plan(client, world):
    held = today() - timedelta(days=2)
    seminar = seminar_create(actor=world.manager, title="Wages", on=held, today=held - timedelta(days=9))
    participation = seminar_join(actor=world.user, seminar_id=seminar.pk, factory_id=world.factory.pk,
                                 participants=2, today=held - timedelta(days=5))  # fmt: skip
    client.force_login(world.user)
    url = f"/training/factories/{world.factory.pk}/seminars/{participation.pk}/actions/"
    assert client.post(url, {"cluster": "WT", "text": "Overtime", "action": "Shift plan"}).status_code == 302
    item = ImprovementPlanItem.objects.get()
    assert (item.source, item.cluster_id, item.text, item.reference) == (
        "seminar", "WT", "Overtime", f"seminar-action:{participation.actions.get().pk}")  # fmt: skip


def test_buyers_and_other_factories_see_no_training_page(client, world):
    grant = BuyerAuthorisationBuilder(factory=world.factory)
    session = new_session(world)
    for user in (buyer_user(grant.buyer), factory_user(FactoryBuilder())):
        client.force_login(user)
        assert client.get(f"/training/factories/{world.factory.pk}/").status_code == 404
    client.force_login(buyer_user(grant.buyer))
    assert client.get(f"/training/sessions/{session.pk}/").status_code == 404
    client.force_login(staff("advisor", "VN"))
    assert client.get(f"/training/sessions/{session.pk}/").status_code in (302, 404)


def test_staff_see_the_catalogue_forms_and_record_bought_days_on_the_factory_page(client, world):
    with_totp(world.advisor)
    client.force_login(world.advisor)
    page = client.get("/training/").content.decode()
    assert "Add a course" in page
    assert "Allowance use per factory" in page
    url = f"/training/factories/{world.factory.pk}/"
    assert "Record bought participant-days" in client.get(url).content.decode()
    response = client.post(f"{url}purchases/", {"participant_days": "5", "invoice_number": "TR-9"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "invoice TR-9" in page
    assert "<dt>Participant-days remaining</dt><dd><strong>30</strong></dd>" in page
    client.force_login(world.user)
    assert client.post(f"{url}purchases/", {"participant_days": "5", "invoice_number": "TR-10"}).status_code == 403
    assert "Record bought participant-days" not in client.get(url).content.decode()


def test_a_factory_joins_a_seminar_from_the_catalogue(client, world):
    seminar = seminar_create(actor=world.manager, title="Overtime", on=today() + timedelta(days=5), cluster="WT")
    client.force_login(world.user)
    assert "Overtime" in client.get("/training/").content.decode()
    assert client.post(f"/training/seminars/{seminar.pk}/join/", {"participants": "81"}).status_code == 302
    assert not seminar.participations.exists()
    assert client.post(f"/training/seminars/{seminar.pk}/join/", {"participants": "3"}).status_code == 302
    assert seminar.participations.get().factory == world.factory
