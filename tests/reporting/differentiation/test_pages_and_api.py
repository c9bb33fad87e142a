"""The differentiation page and API (R-DIF-4, R-ACC-1): who sees them, the evaluation form, the JSON shape."""

from datetime import UTC, datetime

import pytest
import time_machine

from factories.models import Factory
from reporting import rules_differentiation  # noqa: F401  (registered by reporting/rules.py once wired)
from reporting.models import Evaluation
from reporting.services.differentiation import JUDGED, evaluation_run
from tests.builders import (
    BuyerAuthorisationBuilder,
    BuyerBuilder,
    FactoryBuilder,
    buyer_user,
    factory_user,
    staff,
    with_totp,
)
from tests.reporting.differentiation.helpers import ALL_MET, assessed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=UTC), tick=False):
        yield


def _advisor():
    advisor = staff("advisor", "KH")
    with_totp(advisor)
    return advisor


def _page(factory):
    return f"/factories/{factory.pk}/differentiation/"


def _api(factory, rest=""):
    return f"/api/v1/factories/{factory.pk}/differentiation/{rest}"


def _form(**overrides):
    body = {"feedback": "Keep the committee meeting monthly."}
    for n in JUDGED:
        body[f"criterion_{n}_met"] = "yes"
        body[f"criterion_{n}_rationale"] = f"Criterion {n} seen."
    body.update(overrides)
    return body


def test_visible_to_staff_the_factory_and_authorised_buyers_only(client, api_client):
    """Never public; hidden → 404 (page and API), whoever asks."""
    factory = assessed(1)
    authorised = buyer_user(BuyerAuthorisationBuilder(factory=factory).buyer)
    assert client.get(_page(factory)).status_code == 302  # anonymous: asked to sign in
    assert api_client.get(_api(factory)).status_code in (401, 403)  # no credentials
    for outsider in (buyer_user(BuyerBuilder()), factory_user(FactoryBuilder()), staff("advisor", "VN")):
        if outsider.is_programme_staff:
            with_totp(outsider)
        client.force_login(outsider)
        api_client.force_authenticate(outsider)
        assert client.get(_page(factory)).status_code == 404
        assert api_client.get(_api(factory)).status_code == 404
    for reader in (authorised, factory_user(factory), _advisor()):
        client.force_login(reader)
        api_client.force_authenticate(reader)
        assert client.get(_page(factory)).status_code == 200
        assert api_client.get(_api(factory)).status_code == 200


def test_before_two_assessments_the_page_shows_provisional_progress_and_no_form(client):
    factory = assessed(1, first=("OSH.2.01",))
    client.force_login(_advisor())
    page = client.get(_page(factory)).content.decode()
    assert "an evaluation needs two" in page
    assert "provisional" in page
    assert "OSH-2" in page  # criterion 1's computed reason
    assert "The evaluation form opens once the factory has two closed assessments." in page
    assert "No evaluation yet." in page
    assert "The stage has not changed." in page
    assert client.post(_page(factory), _form()).status_code == 403


def test_the_advisor_runs_an_evaluation_in_the_browser(client, django_assert_max_num_queries):
    factory = assessed()
    client.force_login(_advisor())
    page = client.get(_page(factory)).content.decode()
    assert "Run an evaluation" in page
    assert 'name="criterion_2_met"' in page
    assert 'name="criterion_1_met"' not in page
    assert "committee meetings of the past year" in page  # the suggestion for criterion 2

    response = client.post(_page(factory), _form(criterion_4_rationale="", criterion_5_met=""))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Give the rationale for criterion 4." in body
    assert "Say whether criterion 5 is met." in body
    assert not Evaluation.objects.exists()

    response = client.post(_page(factory), _form())
    assert response.status_code == 302
    factory.refresh_from_db()
    assert factory.stage == 2
    with django_assert_max_num_queries(40):
        page = client.get(_page(factory)).content.decode()
    assert "is now in stage 2" in page  # the message
    assert "Nothing: the factory is in stage 2." in page
    assert "Keep the committee meeting monthly." in page
    assert "stage 1 → 2" in page


def test_an_authorised_buyer_and_the_factory_read_without_a_form(client):
    factory = assessed()
    evaluation_run(factory=factory, actor=staff("programme_manager", "KH"),
                   judgements={**ALL_MET, 9: {"met": False, "rationale": "No learning plan yet."}},
                   feedback="Write a learning plan with the committee.")  # fmt: skip
    for reader in (buyer_user(BuyerAuthorisationBuilder(factory=factory).buyer), factory_user(factory)):
        client.force_login(reader)
        page = client.get(_page(factory)).content.decode()
        assert "No learning plan yet." in page
        assert "What is missing for stage 2" in page
        assert 'href="#criterion-9"' in page
        assert "Write a learning plan with the committee." in page
        assert "Run an evaluation" not in page
        assert client.post(_page(factory), _form()).status_code == 403


def test_api_reads_the_stage_criteria_and_evaluations(api_client, django_assert_max_num_queries):
    factory = assessed(second=("CHR.5.01",))
    manager = staff("programme_manager", "KH")
    evaluation_run(factory=factory, actor=manager, judgements=ALL_MET, feedback="Fix the HR policy.")
    api_client.force_authenticate(buyer_user(BuyerAuthorisationBuilder(factory=factory).buyer))
    with django_assert_max_num_queries(20):
        body = api_client.get(_api(factory)).json()
    assert (body["stage"], body["eligible"], body["assessments_counted"]) == (1, True, 2)
    assert [c["number"] for c in body["criteria"]] == list(range(1, 10))
    seven = body["criteria"][6]
    assert (seven["met"], seven["computed"], seven["provisional"]) == (False, True, False)
    assert "CHR.5.01" in seven["rationale"]
    assert body["missing"] == [6, 7]  # CHR also has no self-diagnosed item
    [evaluation] = body["evaluations"]
    assert evaluation["feedback"] == "Fix the HR policy."
    assert len(evaluation["judgements"]) == 9
    assert body["stage_changes"] == []


def test_api_evaluation_post(api_client):
    factory = assessed()
    judgements = [{"number": n, **value} for n, value in ALL_MET.items()]
    api_client.force_authenticate(factory_user(factory))
    assert api_client.post(_api(factory, "evaluations/"), {"judgements": judgements}, format="json").status_code == 403
    api_client.force_authenticate(buyer_user(BuyerBuilder()))
    assert api_client.post(_api(factory, "evaluations/"), {"judgements": judgements}, format="json").status_code == 404

    api_client.force_authenticate(staff("advisor", "KH"))
    short = [j for j in judgements if j["number"] != 3] + [{"number": 3, "met": True, "rationale": ""}]
    response = api_client.post(_api(factory, "evaluations/"), {"judgements": short}, format="json")
    assert response.status_code == 400
    assert "Criterion 3" in response.json()["criterion_3_rationale"][0]
    twice = [*judgements, judgements[0]]
    assert api_client.post(_api(factory, "evaluations/"), {"judgements": twice}, format="json").status_code == 400

    response = api_client.post(_api(factory, "evaluations/"), {"judgements": judgements, "feedback": "Great."},
                               format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["stage"], body["stage_after"], body["all_met"], body["feedback"]) == (2, 2, True, "Great.")
    assert Factory.objects.get(pk=factory.pk).stage == 2
    assert api_client.get(_api(factory)).json()["stage_changes"][0]["stage_to"] == 2


def test_api_refuses_an_evaluation_before_two_assessments(api_client):
    factory = assessed(1)
    api_client.force_authenticate(staff("advisor", "KH"))
    judgements = [{"number": n, **value} for n, value in ALL_MET.items()]
    response = api_client.post(_api(factory, "evaluations/"), {"judgements": judgements}, format="json")
    assert response.status_code == 400
    assert "only after two closed assessments" in response.json()["detail"]
    body = api_client.get(_api(factory)).json()
    assert body["eligible"] is False
    assert body["criteria"][0]["provisional"] is True


def test_the_page_and_the_api_use_a_fixed_number_of_queries(client, api_client):
    """More evaluations (and stage changes) cost no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factory = assessed()
    advisor = _advisor()
    client.force_login(advisor)
    api_client.force_authenticate(advisor)

    def counts():
        with CaptureQueriesContext(connection) as page:
            assert client.get(_page(factory)).status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert api_client.get(_api(factory)).status_code == 200
        return len(page), len(api)

    evaluation_run(factory=factory, actor=advisor, judgements=ALL_MET)
    once = counts()
    for met in (False, True, False):
        evaluation_run(factory=factory, actor=advisor, judgements={**ALL_MET, 2: {"met": met, "rationale": "Minutes."}})
    assert counts() == once


def test_feedback_is_written_at_any_time_and_read_by_the_factory_and_its_buyers(client, api_client):
    """R-DIF-4: before two assessments too; the factory is told; an empty text is refused and nothing is kept."""
    from betterwork.common.models import Notification
    from reporting.models import ProgressFeedback

    factory = assessed(1)
    own = factory_user(factory)
    authorised = buyer_user(BuyerAuthorisationBuilder(factory=factory).buyer)
    client.force_login(_advisor())
    refused = client.post(_page(factory), {"do": "feedback", "text": "   "})
    assert refused.status_code == 200
    assert "Write the feedback to the factory." in refused.content.decode()
    assert not ProgressFeedback.objects.exists()
    sent = client.post(_page(factory), {"do": "feedback", "text": "Hold the committee meeting every month."})
    assert sent.status_code == 302
    assert Notification.objects.filter(recipient=own, key__contains=":feedback:").count() == 1
    for reader in (own, authorised):
        client.force_login(reader)
        page = client.get(_page(factory)).content.decode()
        assert "Hold the committee meeting every month." in page
        assert 'name="do" value="feedback"' not in page  # readers only
        assert client.post(_page(factory), {"do": "feedback", "text": "Mine."}).status_code == 403
    api_client.force_authenticate(authorised)
    assert [f["text"] for f in api_client.get(_api(factory)).json()["feedback"]] == [
        "Hold the committee meeting every month."
    ]
    assert api_client.post(_api(factory, "feedback/"), {"text": "Mine."}, format="json").status_code == 403


def test_feedback_through_the_api(api_client):
    factory = assessed(0)
    api_client.force_authenticate(_advisor())
    created = api_client.post(_api(factory, "feedback/"), {"text": "Start the self-diagnosis."}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["text"] == "Start the self-diagnosis."
    assert created.json()["written_on"] == "2026-11-24"
    assert api_client.post(_api(factory, "feedback/"), {"text": ""}, format="json").status_code == 400
    assert len(api_client.get(_api(factory)).json()["feedback"]) == 1
