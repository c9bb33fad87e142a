"""`GET /api/v1/cat/questions/`: the public question bank and its filters (R-ASM-1/2)."""

import pytest

from assessments.models import Question
from assessments.services.questions import current_version
from tests.assessments.api.helpers import QUESTIONS

pytestmark = pytest.mark.django_db
ALL = {"page_size": 500}


def _codes(client, **params):
    response = client.get(QUESTIONS, {**ALL, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] <= 500
    return [row["code"] for row in body["results"]]


def test_anyone_reads_the_question_bank_anonymously(api_client):
    response = api_client.get(QUESTIONS)
    assert response.status_code == 200
    row = response.json()["results"][0]
    fields = "code global_code cluster compliance_point text noncompliant_answer critical_issue management_system"
    assert set(row) >= {*fields.split(), "country", "in_full_tool", "in_focused_tool"}
    assert isinstance(row["management_system"], bool)
    assert response.json()["count"] == Question.objects.filter(version=current_version()).count()


def test_country_gives_the_questions_that_apply_there(api_client):
    """R-ASM-1: Jordan's variant replaces the global question; Cambodia (no variant) keeps the global one."""
    jordan = _codes(api_client, country="JO")
    assert "CL.1.01-JO" in jordan
    assert "CL.1.01" not in jordan
    assert "CL.1.01-BD" not in jordan
    cambodia = _codes(api_client, country="kh")
    assert "CL.1.01" in cambodia
    assert not any(code.startswith("CL.1.01-") for code in cambodia)
    row = api_client.get(QUESTIONS, {"country": "JO", "search": "CL.1.01"}).json()["results"][0]
    assert (row["code"], row["global_code"], row["country"]) == ("CL.1.01-JO", "CL.1.01", "JO")


def test_critical_issue_cluster_and_tool_filters(api_client):
    exits = api_client.get(QUESTIONS, {**ALL, "critical_issue": "OSH-2"}).json()["results"]
    assert "OSH.2.01" in [row["code"] for row in exits]
    assert {row["critical_issue"] for row in exits} == {"OSH-2"}

    assert set(_codes(api_client, cluster="CL")) == set(
        Question.objects.filter(version=current_version(), cluster_id="CL").values_list("code", flat=True)
    )
    focused = api_client.get(QUESTIONS, {**ALL, "tool": "focused"}).json()
    expected = Question.objects.filter(version=current_version(), in_focused_tool=True)
    assert focused["count"] == expected.count() < Question.objects.filter(version=current_version()).count()
    assert all(row["in_focused_tool"] for row in focused["results"])
    assert "OSH.2.01" in [row["code"] for row in focused["results"]]  # critical issues are in every tool
    full = api_client.get(QUESTIONS, {**ALL, "tool": "full"}).json()["results"]
    assert all(row["in_full_tool"] for row in full)
    assert api_client.get(QUESTIONS, {"tool": "nonsense"}).status_code == 400


def test_version_defaults_to_the_current_one(api_client):
    assert api_client.get(QUESTIONS, {"version": current_version() + 1}).json()["count"] == 0
    assert (
        api_client.get(QUESTIONS, {"version": current_version()}).json()["count"]
        == api_client.get(QUESTIONS).json()["count"]
    )
