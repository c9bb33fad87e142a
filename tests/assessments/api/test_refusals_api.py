"""What the assessments API refuses, and how it says so (API.md "Assessments", R-ASM-3/5, R-CYC-2)."""

from datetime import date

import pytest

from assessments.models import Assessment, Finding
from tests.assessments.api.helpers import ASSESSMENTS, as_user, url
from tests.assessments.builders import (
    assessable_factory,
    assessor_of,
    finalised,
    in_progress,
    manager_of,
    planned_assessment,
    team,
)
from tests.builders import BuyerAuthorisationBuilder, buyer_user, factory_user, global_admin, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-04-22 03:00Z")


def _plan(client, user, factory, **changes):
    body = {"factory": factory.pk, "planned_date": "2026-04-27", "modality": "onsite"} | changes
    return as_user(client, user).post(ASSESSMENTS, body, format="json")


def test_a_date_inside_the_initial_advisory_phase_is_refused_naming_the_phase(api_client):
    """R-CYC-2: not before the initial advisory phase is over."""
    factory, _ = assessable_factory()
    manager, first, second = team()
    response = _plan(api_client, manager, factory, planned_date="2026-03-02", assessors=[first.pk, second.pk])
    assert response.status_code == 400
    assert "initial advisory phase" in response.json()["planned_date"][0]
    assert not Assessment.objects.exists()


def test_an_onsite_assessment_needs_two_assessors_who_are_free(api_client):
    factory, _ = assessable_factory()
    other_factory, _ = assessable_factory()
    manager, first, second = team()
    response = _plan(api_client, manager, factory, assessors=[first.pk])
    assert response.status_code == 400
    assert "two" in response.json()["assessors"][0]
    assert _plan(api_client, manager, factory, assessors=[first.pk, second.pk]).status_code == 201
    response = _plan(api_client, manager, other_factory, planned_date="2026-04-28", assessors=[first.pk, second.pk])
    assert response.status_code == 400
    assert "already assess" in response.json()["assessors"][0]
    assert Assessment.objects.count() == 1


def test_who_may_plan(api_client):
    """The country's programme manager (or a global admin) plans; others who see the factory get 403; a
    factory the caller cannot see is "does not exist" (400 on factory, no hint); anonymous 401."""
    factory, _ = assessable_factory()
    _, first, second = team()
    assessors = [first.pk, second.pk]
    assert _plan(api_client, factory_user(factory), factory, assessors=assessors).status_code == 403
    assert _plan(api_client, staff("advisor", "KH"), factory, assessors=assessors).status_code == 403
    response = _plan(api_client, staff("programme_manager", "VN"), factory, assessors=assessors)
    assert response.status_code == 400
    assert "does not exist" in response.json()["factory"][0]
    api_client.force_authenticate(None)
    assert api_client.post(ASSESSMENTS, {"factory": factory.pk}, format="json").status_code == 401
    assert api_client.get(ASSESSMENTS).status_code == 401
    assert not Assessment.objects.exists()
    assert _plan(api_client, global_admin(), factory, assessors=assessors).status_code == 201


def test_fieldwork_is_for_its_assessors_and_knows_the_questions(api_client):
    assessment = planned_assessment(on=date(2026, 4, 21))
    assessor, manager = assessor_of(assessment), manager_of(assessment)
    assert as_user(api_client, manager).post(url(assessment, "start")).status_code == 403
    assert as_user(api_client, assessor).post(url(assessment, "start"), {"started_on": "2026-04-30"},
                                              format="json").status_code == 400  # fmt: skip
    assert as_user(api_client, assessor).post(url(assessment, "start")).status_code == 200
    assert api_client.post(url(assessment, "start")).status_code == 409
    worker = factory_user(assessment.factory)
    assert as_user(api_client, worker).put(url(assessment, "findings"), [], format="json").status_code == 403

    api_client.force_authenticate(assessor)
    answers = [{"question": "OSH.2.01", "result": "compliant"}, {"question": "NOPE.9.99", "result": "compliant"}]
    response = api_client.put(url(assessment, "findings"), answers, format="json")
    assert response.status_code == 400
    assert "NOPE.9.99" in response.json()["question"][0]
    response = api_client.put(url(assessment, "findings"), [{"question": "OSH.2.01", "result": "maybe"}], format="json")
    assert response.status_code == 400
    assert "result" in response.json()
    response = api_client.put(url(assessment, "findings"), {"question": "OSH.2.01", "result": "compliant"},
                              format="json")  # fmt: skip
    assert response.status_code == 400
    assert not Finding.objects.filter(assessment=assessment).exists()
    response = api_client.put(url(assessment, "findings"), [{"question": "OSH.2.01", "result": "compliant"}],
                              format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["saved"] == 1
    response = api_client.post(url(assessment, "submit"), {}, format="json")
    assert response.status_code == 400
    assert "not answered" in response.json()["detail"]


def test_access_denied_records_pi_1(api_client):
    """R-ASM-7: access refused is critical issue PI-1, and the assessment can be submitted."""
    assessment = in_progress(started_on=date(2026, 4, 21))
    api_client.force_authenticate(assessor_of(assessment))
    assert api_client.post(url(assessment, "access-denied"), {"notes": ""}, format="json").status_code == 400
    response = api_client.post(url(assessment, "access-denied"), {"notes": "Payroll refused by HR."}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["critical_issue"], response.json()["result"]) == ("PI-1", "non_compliant")
    assert api_client.post(url(assessment, "submit"), {}, format="json").json()["status"] == "feedback"


def test_hidden_assessments_answer_404(api_client):
    """R-ASM-3, R-ACC-1: another factory's user, and a buyer before publication, never learn it exists."""
    assessment = finalised()
    other_factory, _ = assessable_factory()
    buyer = buyer_user(BuyerAuthorisationBuilder(factory=assessment.factory).buyer)
    for user in (factory_user(other_factory), buyer, staff("programme_manager", "VN")):
        api_client.force_authenticate(user)
        assert api_client.get(url(assessment)).status_code == 404
        assert api_client.post(url(assessment, "responses"), {"question": "OSH.2.01", "text": "x"},
                               format="json").status_code == 404  # fmt: skip
        assert api_client.post(url(assessment, "publish")).status_code == 404
    assert as_user(api_client, factory_user(assessment.factory)).post(url(assessment, "publish")).status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get(url(assessment)).status_code == 401


def test_unknown_query_parameters_change_nothing(api_client):
    """R-ASM-3: no filter or ordering on the planned date, for anyone; for staff neither."""
    planned_assessment(on=date(2026, 4, 27))
    started = in_progress(started_on=date(2026, 4, 21))
    worker = factory_user(started.factory)
    for user in (worker, manager_of(started)):
        api_client.force_authenticate(user)
        baseline = [row["id"] for row in api_client.get(ASSESSMENTS).json()["results"]]
        assert baseline
        for params in ({"ordering": "schedule__planned_date"}, {"ordering": "-schedule__planned_date"},
                       {"ordering": "planned_date"}, {"planned_date__gte": "2099-01-01"},
                       {"planned_date__lte": "2000-01-01"}, {"schedule__planned_date": "2026-04-27"}):  # fmt: skip
            response = api_client.get(ASSESSMENTS, params)
            assert response.status_code == 200
            assert [row["id"] for row in response.json()["results"]] == baseline, params
