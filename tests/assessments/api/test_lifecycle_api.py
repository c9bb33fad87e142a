"""The assessment lifecycle through the API, each step by the role that takes it (R-ASM-3..7, R-ADV-2,
R-RPT-1, R-ACC-1): plan → start → findings → submit → response → accept (or the deadline) → finalise →
improvement plan → publish → the authorised buyer reads it."""

from datetime import date

import pytest

from assessments.models import Assessment
from assessments.services.questions import questions_of
from factories.models import BuyerRead
from tests.assessments.api.helpers import ASSESSMENTS, as_user, url
from tests.assessments.builders import assessable_factory, in_feedback, manager_of, team
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, buyer_user, factory_user

pytestmark = pytest.mark.django_db
STAFF_ONLY = {"planned_date", "days", "assessors"}


def test_the_whole_lifecycle_through_the_api(api_client, time_machine):
    time_machine.move_to("2026-04-20 03:00Z")  # Monday 20 April, 10:00 in Phnom Penh
    factory, _ = assessable_factory()
    manager, first, second = team()
    worker = factory_user(factory)
    buyer = buyer_user(BuyerAuthorisationBuilder(factory=factory).buyer)
    stranger = buyer_user(BuyerBuilder())

    # Plan (R-ASM-3): staff see the schedule; for the factory and the buyer it does not exist.
    response = as_user(api_client, manager).post(ASSESSMENTS, {
        "factory": factory.pk, "planned_date": "2026-04-20", "modality": "onsite", "assessors": [first.pk, second.pk],
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["planned_date"], body["days"], body["assessors"]) == (
        "planned", "2026-04-20", 2, sorted([first.pk, second.pk]))  # fmt: skip
    assessment = Assessment.objects.get(pk=body["id"])
    for outsider in (worker, buyer):
        assert as_user(api_client, outsider).get(url(assessment)).status_code == 404
        assert as_user(api_client, outsider).get(ASSESSMENTS).json()["count"] == 0

    # Start: the assessors arrive; the factory sees an assessment under way, but no findings yet.
    response = as_user(api_client, first).post(url(assessment, "start"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["started_on"]) == ("in_progress", "2026-04-20")
    seen = as_user(api_client, worker).get(url(assessment)).json()
    assert seen["status"] == "in_progress"
    assert seen["findings"] == []
    assert not STAFF_ONLY & set(seen)

    # Findings: every question, exits locked (critical OSH-2).
    questions = list(questions_of(assessment))
    answers = [{"question": q.code, "result": "non_compliant" if q.code == "OSH.2.01" else "compliant",
                "notes": "Locked at 10:00." if q.code == "OSH.2.01" else ""} for q in questions]  # fmt: skip
    response = as_user(api_client, second).put(url(assessment, "findings"), answers, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"saved": len(questions), "answered": len(questions), "total": len(questions)}
    assert as_user(api_client, worker).get(url(assessment)).json()["findings"] == []  # still a draft

    # Submit → feedback: the deadline is the fifth working day after (R-ASM-6).
    response = as_user(api_client, first).post(url(assessment, "submit"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["submitted_on"]) == ("feedback", "2026-04-20")
    assert response.json()["feedback_deadline"] > "2026-04-24"

    # The factory responds; the programme replies; the factory accepts.
    response = as_user(api_client, worker).post(url(assessment, "responses"),
                                                {"question": "OSH.2.01", "text": "Unlocked the same day."},
                                                format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert (response.json()["question"], response.json()["from_factory"]) == ("OSH.2.01", True)
    response = as_user(api_client, manager).post(url(assessment, "replies"),
                                                 {"question": "OSH.2.01", "text": "Noted; we will verify."},
                                                 format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    seen = as_user(api_client, worker).get(url(assessment)).json()
    exits = next(f for f in seen["findings"] if f["question"] == "OSH.2.01")
    assert (exits["result"], exits["critical_issue"], exits["cluster"], exits["factory_response"]) == (
        "non_compliant", "OSH-2", "OSH", "Unlocked the same day.")  # fmt: skip
    assert [(m["from_factory"], m["text"]) for m in exits["thread"]] == [
        (True, "Unlocked the same day."), (False, "Noted; we will verify.")]  # fmt: skip
    assert len(seen["findings"]) == len(questions)
    response = as_user(api_client, worker).post(url(assessment, "accept-findings"))
    assert response.status_code == 200, response.json()
    assert response.json()["findings_accepted"] is True

    # Finalise: the non-compliance joins the improvement plan (R-ADV-2).
    response = as_user(api_client, manager).post(url(assessment, "finalise"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "finalised"
    plan = as_user(api_client, worker).get(f"/api/v1/factories/{factory.pk}/improvement-plan/").json()
    from_assessment = [i for i in plan["items"] if i["source"] == "assessment"]
    assert [(i["cluster"], i["critical_issue"]) for i in from_assessment] == [("OSH", "OSH-2")]

    # Publish: the authorised buyer reads the report (logged, R-ACC-2), without the thread; others 404.
    assert as_user(api_client, buyer).get(url(assessment)).status_code == 404
    response = as_user(api_client, manager).post(url(assessment, "publish"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"
    response = as_user(api_client, buyer).get(url(assessment))
    assert response.status_code == 200
    report = response.json()
    assert not STAFF_ONLY & set(report)
    exits = next(f for f in report["findings"] if f["question"] == "OSH.2.01")
    assert (exits["factory_response"], exits["thread"]) == ("Unlocked the same day.", [])
    assert BuyerRead.objects.filter(buyer_id=buyer.buyer_id, kind="assessment_report", object_id=assessment.pk).exists()
    assert [row["id"] for row in as_user(api_client, buyer).get(ASSESSMENTS).json()["results"]] == [assessment.pk]
    assert as_user(api_client, stranger).get(url(assessment)).status_code == 404
    assert as_user(api_client, stranger).get(ASSESSMENTS).json()["count"] == 0


def test_after_the_deadline_the_factory_cannot_respond_and_the_manager_finalises(api_client, time_machine):
    """R-ASM-6: the feedback period ends at the country's midnight after the fifth working day."""
    time_machine.move_to("2026-04-22 03:00Z")
    assessment = in_feedback(submitted_on=date(2026, 4, 21))
    worker, manager = factory_user(assessment.factory), manager_of(assessment)
    response = as_user(api_client, manager).post(url(assessment, "finalise"))
    assert response.status_code == 409
    assert str(assessment.feedback_deadline) in response.json()["detail"]

    time_machine.move_to(f"{assessment.feedback_deadline.isoformat()} 16:30Z")  # 23:30 in Phnom Penh: still open
    body = {"question": "COMP.5.01", "text": "Paid."}
    response = as_user(api_client, worker).post(url(assessment, "responses"), body, format="json")
    assert response.status_code == 201, response.json()

    time_machine.move_to(f"{assessment.feedback_deadline.isoformat()} 17:30Z")  # past midnight there
    response = as_user(api_client, worker).post(url(assessment, "responses"), {"question": "COMP.5.01", "text": "Late"},
                                                format="json")  # fmt: skip
    assert response.status_code == 400
    assert "feedback period is over" in response.json()["detail"]
    response = as_user(api_client, manager).post(url(assessment, "finalise"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "finalised"
    assert as_user(api_client, worker).post(url(assessment, "accept-findings")).status_code == 409


def test_a_manager_corrects_a_finalised_assessment_with_a_revision(api_client, time_machine):
    time_machine.move_to("2026-04-22 03:00Z")
    assessment = in_feedback(submitted_on=date(2026, 4, 21))
    manager = manager_of(assessment)
    body = {"question": "COMP.5.01", "result": "compliant", "notes": "Payslips found.", "reason": "Records arrived."}
    assert as_user(api_client, manager).post(url(assessment, "revisions"), body, format="json").status_code == 409
    as_user(api_client, factory_user(assessment.factory)).post(url(assessment, "accept-findings"))
    as_user(api_client, manager).post(url(assessment, "finalise"))

    response = as_user(api_client, manager).post(url(assessment, "revisions"), body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["number"], response.json()["previous_result"], response.json()["result"]) == (
        1, "non_compliant", "compliant")  # fmt: skip
    detail = api_client.get(url(assessment)).json()
    assert detail["revision"] == 1
    assert next(f for f in detail["findings"] if f["question"] == "COMP.5.01")["result"] == "compliant"
    assessor = assessment.assessors.first()
    assert as_user(api_client, assessor).post(url(assessment, "revisions"), body, format="json").status_code == 403


def test_reschedule_and_cancel_a_planned_assessment(api_client, time_machine):
    time_machine.move_to("2026-04-01 03:00Z")
    factory, _ = assessable_factory()
    manager, first, second = team()
    other = team()[1]
    created = as_user(api_client, manager).post(ASSESSMENTS, {
        "factory": factory.pk, "planned_date": "2026-04-20", "modality": "onsite", "assessors": [first.pk, second.pk],
    }, format="json").json()  # fmt: skip
    target = f"{ASSESSMENTS}{created['id']}/"
    response = api_client.patch(target, {"planned_date": "2026-05-04", "assessors": [first.pk, other.pk], "days": 3},
                                format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert (response.json()["planned_date"], response.json()["days"], response.json()["assessors"]) == (
        "2026-05-04", 3, sorted([first.pk, other.pk]))  # fmt: skip
    assert api_client.patch(target, {"status": "in_progress"}, format="json").status_code == 400
    assert as_user(api_client, first).patch(target, {"days": 2}, format="json").status_code == 403
    assert as_user(api_client, factory_user(factory)).patch(target, {"days": 2}, format="json").status_code == 404

    assert as_user(api_client, manager).post(f"{target}cancel/", {"reason": ""}, format="json").status_code == 400
    response = api_client.post(f"{target}cancel/", {"reason": "Factory closed for the holiday."}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert api_client.post(f"{target}cancel/", {"reason": "Again."}, format="json").status_code == 409
