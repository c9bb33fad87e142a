"""Suggestions from the last finalised assessment's non-compliances; attendance and participants through the API;
the session list's query count does not grow with its size."""

from datetime import timedelta

import pytest

from assessments.models import Finding
from tests.assessments.builders import finalised
from tests.builders import factory_user, staff
from tests.training.conftest import new_session, today
from training.models import Attendance, Participant
from training.services import course_create, enrol, seminar_create, session_create

pytestmark = pytest.mark.django_db


def test_suggestions_follow_the_clusters_with_the_most_non_compliances(api_client):
    """Last finalised assessment: OSH.2.01 and COMP.5.01 non-compliant → its OSH and compensation clusters."""
    assessment = finalised()
    factory = assessment.factory
    clusters = set(Finding.objects.filter(assessment=assessment, result="non_compliant")
                   .values_list("question__cluster", flat=True))  # fmt: skip
    assert "OSH" in clusters
    manager = staff("programme_manager", "KH")
    osh = course_create(actor=manager, title="Exits and fire", days=1, cluster="OSH")
    other = course_create(actor=manager, title="Unrelated", days=1, cluster="FL")
    soon = today() + timedelta(days=7)
    wanted = session_create(actor=manager, course=osh, start_date=soon, capacity=10)
    session_create(actor=manager, course=other, start_date=soon, capacity=10)
    seminar = seminar_create(actor=manager, title="Safety day", on=soon, cluster="OSH")
    api_client.force_authenticate(factory_user(factory))
    rows = api_client.get(f"/api/v1/factories/{factory.pk}/training-suggestions/").json()
    by_cluster = {row["cluster"]: row for row in rows}
    assert set(by_cluster) <= clusters
    assert "FL" not in by_cluster
    assert by_cluster["OSH"]["sessions"] == [wanted.pk]
    assert by_cluster["OSH"]["seminars"] == [seminar.pk]
    assert by_cluster["OSH"]["issues"] >= 1


def test_no_assessment_no_suggestions(api_client, world):
    api_client.force_authenticate(world.user)
    assert api_client.get(f"/api/v1/factories/{world.factory.pk}/training-suggestions/").json() == []


def test_attendance_and_names_through_the_api(api_client, world):
    session = new_session(world, start=today())
    enrolment = enrol(actor=world.user, session_id=session.pk, factory_id=world.factory.pk, participants=2,
                      names=["Sok"])  # fmt: skip
    api_client.force_authenticate(world.user)
    url = f"/api/v1/enrollments/{enrolment.pk}/participants/"
    assert api_client.post(url, {"names": ["Lina", "Dara"]}, format="json").status_code == 400  # 3 > 2
    response = api_client.post(url, {"names": ["Lina"]}, format="json")
    assert response.status_code == 200
    assert response.json()["names"] == ["Lina", "Sok"]
    sok, lina = Participant.objects.get(name="Sok"), Participant.objects.get(name="Lina")
    attendance = f"/api/v1/training-sessions/{session.pk}/attendance/"
    body = {"day": str(today()), "records": [{"participant": sok.pk, "present": True},
                                             {"participant": lina.pk, "present": False}]}  # fmt: skip
    assert api_client.post(attendance, body, format="json").status_code == 403  # the factory does not take it
    api_client.force_authenticate(world.advisor)
    assert api_client.post(attendance, body, format="json").status_code == 200
    stranger = {"day": str(today()), "records": [{"participant": sok.pk, "present": False},
                                                 {"participant": 999_999, "present": True}]}  # fmt: skip
    response = api_client.post(attendance, stranger, format="json")
    assert response.status_code == 400
    assert "Not enrolled" in response.json()["participant"][0]
    assert dict(Attendance.objects.values_list("participant__name", "present")) == {"Sok": True, "Lina": False}


def test_the_session_list_query_count_does_not_grow(api_client, world, django_assert_max_num_queries):
    api_client.force_authenticate(world.user)
    new_session(world)
    api_client.get("/api/v1/training-sessions/")
    for _ in range(8):
        session = new_session(world, capacity=30)
        enrol(actor=world.manager, session_id=session.pk, factory_id=world.factory.pk, participants=1)
    with django_assert_max_num_queries(8):
        assert api_client.get("/api/v1/training-sessions/").json()["count"] == 9
    with django_assert_max_num_queries(8):
        assert api_client.get("/api/v1/enrollments/").json()["count"] == 8
