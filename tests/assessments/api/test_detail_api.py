"""The assessment detail and list (R-ASM-3): staff-only fields, filters, a fixed number of queries; evidence
(private, staff of the country only); the priority list (R-ASM-4)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Evidence
from assessments.services.questions import questions_of
from tests.assessments.api.helpers import ASSESSMENTS, as_user, url
from tests.assessments.builders import (
    assessable_factory,
    assessor_of,
    in_feedback,
    in_progress,
    manager_of,
    planned_assessment,
    published,
    team,
)
from tests.builders import BuyerAuthorisationBuilder, buyer_user, factory_user, png_bytes, staff

pytestmark = pytest.mark.django_db
PNG = png_bytes()
DAY = date(2026, 4, 21)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-04-22 03:00Z")


def _detail_queries(client, assessment) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(assessment))
    assert response.status_code == 200
    return len(queries)


def test_the_detail_runs_a_fixed_number_of_queries(api_client, django_assert_max_num_queries):
    """An on-site assessment (the full tool, ~250 questions) costs the same queries as a focused one: no N+1,
    for staff and for the factory alike, threads included."""
    large = in_feedback(submitted_on=DAY, started_on=date(2026, 4, 20))
    small = in_feedback(submitted_on=DAY, started_on=date(2026, 4, 20), modality="virtual")
    assert questions_of(large).count() >= 200 > questions_of(small).count()
    for assessment in (large, small):
        worker = factory_user(assessment.factory)
        for text in ("Fixed.", "Fixed again."):
            body = {"question": "OSH.2.01", "text": text}
            response = as_user(api_client, worker).post(url(assessment, "responses"), body, format="json")
            assert response.status_code == 201
            response = as_user(api_client, manager_of(assessment)).post(url(assessment, "replies"),
                                                                        {"question": "OSH.2.01", "text": "Noted."},
                                                                        format="json")  # fmt: skip
            assert response.status_code == 201

    for user_of in (manager_of, lambda a: factory_user(a.factory)):
        counts = []
        for assessment in (large, small):
            api_client.force_authenticate(user_of(assessment))
            with django_assert_max_num_queries(8):
                body = api_client.get(url(assessment)).json()
            assert len(body["findings"]) == questions_of(assessment).count()
            assert sum(len(f["thread"]) for f in body["findings"]) == 4
            counts.append(_detail_queries(api_client, assessment))
        assert counts[0] == counts[1]


def test_staff_see_the_schedule_and_factory_users_never_do(api_client):
    assessment = in_progress(started_on=DAY)
    manager = manager_of(assessment)
    staff_view = as_user(api_client, manager).get(url(assessment)).json()
    assert staff_view["planned_date"] == "2026-04-21"
    assert staff_view["days"] == 2
    assert staff_view["assessors"] == sorted(assessment.assessors.values_list("pk", flat=True))
    worker_view = as_user(api_client, factory_user(assessment.factory)).get(url(assessment)).json()
    assert {"planned_date", "days", "assessors"}.isdisjoint(worker_view)
    assert {"planned_date", "days", "assessors"}.isdisjoint(api_client.get(ASSESSMENTS).json()["results"][0])


def test_list_filters(api_client):
    first = planned_assessment(on=date(2026, 4, 27))
    second = in_progress(started_on=DAY)
    api_client.force_authenticate(manager_of(first))
    ids = lambda **params: sorted(r["id"] for r in api_client.get(ASSESSMENTS, params).json()["results"])  # noqa: E731
    assert ids() == sorted([first.pk, second.pk])
    assert ids(status="planned") == [first.pk]
    assert ids(factory=second.factory_id) == [second.pk]
    assert ids(cycle=first.cycle_id) == [first.pk]
    assert api_client.get(ASSESSMENTS, {"status": "bogus"}).status_code == 400

    api_client.force_authenticate(factory_user(first.factory))
    assert ids() == []
    assert ids(status="planned") == []
    api_client.force_authenticate(factory_user(second.factory))
    assert ids(cycle=first.cycle_id) == [second.pk]  # no cycle filter outside the programme


def test_evidence_is_private_to_the_countrys_staff(api_client, settings):
    assessment = in_progress(started_on=DAY)
    assessor = assessor_of(assessment)
    api_client.force_authenticate(assessor)
    api_client.put(url(assessment, "findings"), [{"question": "OSH.2.01", "result": "non_compliant"}], format="json")

    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(name, content, question="OSH.2.01"):
        return api_client.post(url(assessment, "evidence"),
                               {"question": question, "file": SimpleUploadedFile(name, content)},
                               format="multipart")  # fmt: skip

    response = upload("exit.png", PNG)
    assert response.status_code == 201, response.json()
    assert (response.json()["name"], response.json()["type"], response.json()["size"]) == (
        "exit.png", "image/png", len(PNG))  # fmt: skip
    evidence_id = response.json()["id"]
    for name, content in (("tool.exe", b"MZ\x90\x00" + b"\x00" * 60), ("notes.txt", b"just some text")):
        response = upload(name, content)
        assert response.status_code == 400
        assert "JPEG or PNG" in response.json()["file"][0]
    assert upload("exit2.png", PNG, question="COMP.5.01").status_code == 400  # not answered yet
    settings.BETTERWORK = {**settings.BETTERWORK, "EVIDENCE_MAX_BYTES": 32}
    response = upload("big.png", PNG)
    assert response.status_code == 400
    assert "at most" in response.json()["file"][0]
    assert Evidence.objects.count() == 1
    assert as_user(api_client, manager_of(assessment)).post(url(assessment, "evidence"), {}).status_code == 403

    download = f"{url(assessment)}evidence/{evidence_id}/"
    for user in (manager_of(assessment), staff("advisor", "KH"), assessor):
        response = as_user(api_client, user).get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "image/png"
    assert as_user(api_client, assessor).get(f"{url(assessment)}evidence/{evidence_id + 1}/").status_code == 404
    for user in (factory_user(assessment.factory), staff("advisor", "VN")):
        assert as_user(api_client, user).get(download).status_code == 404


def test_the_buyer_of_a_published_report_gets_no_evidence(api_client):
    assessment = published()
    buyer = buyer_user(BuyerAuthorisationBuilder(factory=assessment.factory).buyer)
    assert as_user(api_client, buyer).get(url(assessment)).status_code == 200
    assert api_client.get(f"{url(assessment)}evidence/1/").status_code == 404
    assert api_client.post(url(assessment, "publish")).status_code == 403


def test_due_for_assessment_and_priority_notes(api_client):
    """R-ASM-4: staff see the ranked list with reasons; the manager adds stakeholder feedback."""
    factory, cycle = assessable_factory()
    manager, _, _ = team()
    api_client.force_authenticate(manager)
    rows = api_client.get(f"{ASSESSMENTS}due/").json()
    row = next(r for r in rows if r["factory"]["id"] == factory.pk)
    assert (row["factory"]["name"], row["cycle"]) == (factory.name, cycle.pk)
    assert row["score"] == sum(reason["points"] for reason in row["reasons"])

    body = {"factory": factory.pk, "kind": "stakeholder", "points": 15, "reason": "A buyer raised overtime."}
    response = api_client.post(f"{ASSESSMENTS}priority-notes/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["cycle"], response.json()["points"]) == (cycle.pk, 15)
    again = next(r for r in api_client.get(f"{ASSESSMENTS}due/").json() if r["factory"]["id"] == factory.pk)
    assert again["score"] == row["score"] + 15
    assert any("A buyer raised overtime." in reason["text"] for reason in again["reasons"])

    assert as_user(api_client, staff("advisor", "KH")).post(f"{ASSESSMENTS}priority-notes/", body,
                                                            format="json").status_code == 403  # fmt: skip
    response = as_user(api_client, staff("programme_manager", "VN")).post(f"{ASSESSMENTS}priority-notes/", body,
                                                                         format="json")  # fmt: skip
    assert response.status_code == 400
    assert "factory" in response.json()
    assert as_user(api_client, factory_user(factory)).get(f"{ASSESSMENTS}due/").status_code == 403
    elsewhere = as_user(api_client, staff("advisor", "VN")).get(f"{ASSESSMENTS}due/")
    assert elsewhere.status_code == 200
    assert factory.pk not in [r["factory"]["id"] for r in elsewhere.json()]
    api_client.force_authenticate(None)
    assert api_client.get(f"{ASSESSMENTS}due/").status_code == 401


def test_every_endpoint_is_documented_in_the_schema():
    """Built from this area's routes alone, so that another area's work in progress cannot hide a gap here."""
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema
    from rest_framework.routers import DefaultRouter

    from assessments.api import views

    router = DefaultRouter()
    views.register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
    paths = schema["paths"]
    base = "/api/v1/assessments/{id}/"
    assert set(paths) == {
        "/api/v1/cat/questions/", "/api/v1/assessments/", base, "/api/v1/assessments/due/",
        "/api/v1/assessments/priority-notes/", f"{base}evidence/{{evidence_id}}/",
        *(f"{base}{name}/" for name in ("cancel", "start", "findings", "access-denied", "evidence", "submit",
                                        "responses", "replies", "accept-findings", "finalise", "revisions",
                                        "publish")),
    }  # fmt: skip
    assert set(paths[base]) == {"get", "patch"}
    assert "put" in paths[f"{base}findings/"]
    listed = {p["name"] for p in paths["/api/v1/assessments/"]["get"]["parameters"]}
    assert listed == {"factory", "status", "cycle", "page", "page_size"}
    assert not any("planned" in name or name == "ordering" for name in listed)
    cat = {p["name"] for p in paths["/api/v1/cat/questions/"]["get"]["parameters"]}
    assert cat >= {"critical_issue", "cluster", "country", "version", "tool", "search"}
