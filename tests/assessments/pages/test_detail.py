"""The assessment page, its report and its actions (R-ASM-3..6, R-RPT-1), as each role at each status."""

from datetime import date

import pytest
import time_machine

from assessments.models import Assessment, FindingMessage, FindingRevision
from assessments.services.feedback import assessment_finalise, assessment_publish, finding_respond
from assessments.services.questions import questions_of
from betterwork.accounts.models import Role
from factories.models import BuyerRead
from tests.assessments.builders import (
    PLANNED,
    assessable_factory,
    assessor_of,
    finalised,
    in_feedback,
    in_progress,
    manager_of,
    planned_assessment,
    published,
)
from tests.assessments.pages.helpers import login, page
from tests.builders import BuyerAuthorisationBuilder, BuyerBuilder, buyer_user, factory_user, staff

pytestmark = pytest.mark.django_db
FEEDBACK_DAY = date(2026, 4, 22)  # inside the feedback period of `in_feedback()` (submitted on 2026-04-21)


def url(assessment, rest=""):
    return f"/assessments/{assessment.pk}/{rest}"


def _status(client, user, assessment):
    login(client, user)
    return client.get(url(assessment)).status_code


def _authorised_buyer(factory):
    buyer = BuyerBuilder()
    BuyerAuthorisationBuilder(factory=factory, buyer=buyer)
    return buyer_user(buyer)


def _name(user):
    return user.get_full_name() or user.get_username()


def test_a_planned_assessment_as_each_role(client):
    """R-ASM-3: staff of the country see it with its date and assessors; the factory, buyers and other
    countries get the same 404 as for an assessment that never existed; the assigned assessors may start it."""
    assessment = planned_assessment()
    assessor = assessor_of(assessment)
    html = page(login(client, manager_of(assessment)), url(assessment))
    assert "2026-04-20" in html
    assert _name(assessor) in html
    assert url(assessment, "reschedule/") in html
    assert 'value="cancel"' in html
    assert 'value="start"' not in html
    html = page(login(client, assessor), url(assessment))
    assert 'value="start"' in html
    assert url(assessment, "fieldwork/") in html
    html = page(login(client, staff(Role.ASSESSOR)), url(assessment))
    assert 'value="start"' not in html
    assert url(assessment, "fieldwork/") not in html
    html = page(login(client, staff(Role.ADVISOR)), url(assessment))
    assert "2026-04-20" in html
    assert 'value="cancel"' not in html
    nowhere = client.get("/assessments/999999/")
    for user in (factory_user(assessment.factory), _authorised_buyer(assessment.factory), staff(Role.ADVISOR, "BD")):
        login(client, user)
        response = client.get(url(assessment))
        assert response.status_code == 404, user.role
        assert response.content == client.get("/assessments/999999/").content
        assert client.get(url(assessment, "print/")).status_code == 404
        assert client.post(url(assessment), {"action": "cancel", "reason": "x"}).status_code == 404
    assert nowhere.status_code == 404
    client.logout()
    assert client.get(url(assessment)).status_code == 302
    assert Assessment.objects.get().status == Assessment.Status.PLANNED


def test_the_manager_cancels_a_planned_assessment(client):
    assessment = planned_assessment()
    login(client, manager_of(assessment))
    response = client.post(url(assessment), {"action": "cancel", "reason": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Assessment.objects.get().status == Assessment.Status.PLANNED
    login(client, staff(Role.ADVISOR))
    assert client.post(url(assessment), {"action": "cancel", "reason": "Flood"}).status_code == 403
    login(client, manager_of(assessment))
    assert client.post(url(assessment), {"action": "cancel", "reason": "Flood"}).status_code == 302
    assert Assessment.objects.get().status == Assessment.Status.CANCELLED
    login(client, factory_user(assessment.factory))
    assert client.get(url(assessment)).status_code == 404  # cancelled before it started: never existed


def test_the_assessor_starts_the_assessment(client):
    assessment = planned_assessment()
    assessor = assessor_of(assessment)
    login(client, assessor)
    with time_machine.travel(date(2026, 4, 20), tick=False):
        response = client.post(url(assessment), {"action": "start", "started_on": "2026-04-25"})
        assert response.status_code == 200
        assert "cannot start in the future" in response.context["start_form"].errors["started_on"][0]
        response = client.post(url(assessment), {"action": "start", "started_on": "2026-04-10"})
        assert "inside the initial advisory phase" in response.context["start_form"].errors["started_on"][0]
        assert Assessment.objects.get().status == Assessment.Status.PLANNED
        login(client, staff(Role.ASSESSOR))
        assert client.post(url(assessment), {"action": "start", "started_on": "2026-04-20"}).status_code == 403
        login(client, assessor)
        response = client.post(url(assessment), {"action": "start", "started_on": "2026-04-20"})
    assert response.status_code == 302
    assert response["Location"] == url(assessment, "fieldwork/")
    assert Assessment.objects.get().started_on == PLANNED


def test_in_progress_the_factory_sees_only_that_it_is_under_way(client):
    assessment = in_progress()
    html = page(login(client, factory_user(assessment.factory)), url(assessment))
    assert "The assessment is under way." in html
    assert 'id="findings-heading"' not in html
    assert _name(assessor_of(assessment)) not in html
    assert "Planned date" not in html
    assert _status(client, factory_user(assessable_factory()[0]), assessment) == 404
    assert _status(client, _authorised_buyer(assessment.factory), assessment) == 404
    html = page(login(client, assessor_of(assessment)), url(assessment))
    assert url(assessment, "fieldwork/") in html


def test_the_factory_responds_during_the_feedback_period_and_accepts(client):
    """R-ASM-6: a response per finding (errors on the field, nothing saved), the programme's reply, then the
    factory accepts the findings after a confirmation step."""
    assessment = in_feedback(non_compliant=("OSH.2.01",))
    finding = assessment.findings.get(question__global_code="OSH.2.01")
    user = factory_user(assessment.factory)
    with time_machine.travel(FEEDBACK_DAY, tick=False):
        login(client, user)
        html = page(client, url(assessment))
        assert "Critical issues" in html
        assert "OSH-2" in html
        assert f'name="f{finding.pk}-text"' in html
        assert 'value="respond"' in html
        assert "?confirm=accept" in html
        assert 'value="accept"' not in html
        assert "Planned date" not in html
        assert "History" not in html
        response = client.post(url(assessment), {"action": "respond", "finding": finding.pk, f"f{finding.pk}-text": ""})
        assert response.status_code == 200
        assert response.context["groups"]  # the page again, with the error next to the field
        assert "This field is required." in response.content.decode()
        assert not FindingMessage.objects.exists()
        response = client.post(
            url(assessment), {"action": "respond", "finding": finding.pk, f"f{finding.pk}-text": "Exits are clear now."}
        )
        assert response.status_code == 302
        assert FindingMessage.objects.get().from_factory
        manager = manager_of(assessment)
        login(client, manager)
        html = page(client, url(assessment))
        assert "Exits are clear now." in html
        assert 'value="reply"' in html
        assert 'value="finalise"' not in html  # the factory may still respond
        client.post(url(assessment), {"action": "reply", "finding": finding.pk, f"f{finding.pk}-text": "Thanks."})
        assert FindingMessage.objects.filter(from_factory=False).count() == 1
        other = factory_user(assessable_factory()[0])
        assert _status(client, other, assessment) == 404
        login(client, user)
        assert 'value="accept"' in page(client, url(assessment) + "?confirm=accept")
        assert client.post(url(assessment), {"action": "accept"}).status_code == 302
        html = page(client, url(assessment))
        assert 'value="respond"' not in html
        assert "Thanks." in html
        login(client, manager)
        assert 'value="finalise"' in page(client, url(assessment))
        assert client.post(url(assessment), {"action": "finalise"}).status_code == 302
    assert Assessment.objects.get().status == Assessment.Status.FINALISED


def test_after_the_deadline_responses_are_refused_with_a_message(client):
    assessment = in_feedback()
    finding = assessment.findings.first()
    login(client, factory_user(assessment.factory))
    with time_machine.travel(FEEDBACK_DAY, tick=False):
        html = page(client, url(assessment))
    assert 'value="respond"' in html
    response = client.post(url(assessment), {"action": "respond", "finding": finding.pk, f"f{finding.pk}-text": "Late"})
    assert response.status_code == 200
    assert "The feedback period is over (it ended on" in response.content.decode()
    assert not FindingMessage.objects.exists()
    response = client.post(url(assessment), {"action": "accept"})
    assert response.status_code == 200
    assert "The feedback period is already closed." in response.content.decode()
    assert Assessment.objects.get().findings_accepted_at is None


def test_the_manager_publishes_and_corrects(client):
    """R-ASM-6, R-RPT-1: publication; a correction with a reason becomes a numbered revision."""
    assessment = finalised()
    manager = manager_of(assessment)
    login(client, manager)
    html = page(client, url(assessment))
    assert 'value="publish"' in html
    assert 'value="revise"' in html
    code = questions_of(assessment).get(global_code="COMP.5.01").code
    response = client.post(url(assessment), {"action": "revise", "question": code, "result": "non_compliant",
                                             "notes": "Seen on the floor.", "reason": "Typo"})  # fmt: skip
    assert response.status_code == 200
    assert "The correction changes nothing." in response.context["revise_form"].errors["result"][0]
    response = client.post(url(assessment), {"action": "revise", "question": code, "result": "compliant",
                                             "notes": "", "reason": ""})  # fmt: skip
    assert response.status_code == 200
    assert "reason" in response.context["revise_form"].errors
    assert not FindingRevision.objects.exists()
    login(client, factory_user(assessment.factory))
    assert client.post(url(assessment), {"action": "publish"}).status_code == 403
    login(client, manager)
    response = client.post(url(assessment), {"action": "revise", "question": code, "result": "compliant",
                                             "notes": "Paid in full.", "reason": "Payslips found"})  # fmt: skip
    assert response.status_code == 302
    html = page(client, url(assessment))
    assert "Payslips found" in html
    assert _name(manager) in html
    assert client.post(url(assessment), {"action": "publish"}).status_code == 302
    assert Assessment.objects.get().status == Assessment.Status.PUBLISHED


def test_buyers_read_the_published_report_only_without_thread_or_staff_data(client):
    """R-ACC-1/2: an authorised buyer reads the report (the read is logged); others get 404; no thread, no
    schedule, no assessors, no history."""
    with time_machine.travel(FEEDBACK_DAY, tick=False):
        assessment = in_feedback(non_compliant=("OSH.2.01",))
        finding = assessment.findings.get(question__global_code="OSH.2.01")
        finding_respond(assessment_id=assessment.pk, actor=factory_user(assessment.factory),
                        question=finding.question.code, text="A private response")  # fmt: skip
    buyer = _authorised_buyer(assessment.factory)
    assert _status(client, buyer, assessment) == 404
    manager = manager_of(assessment)
    assessment_finalise(assessment_id=assessment.pk, actor=manager)
    assessment_publish(assessment_id=assessment.pk, actor=manager)
    html = page(login(client, buyer), url(assessment))
    assert "Critical issues" in html
    assert "Management systems" in html
    assert "OSH-2" in html
    assert "A private response" not in html
    assert "2026-04-20" in html  # started on
    assert "Planned date" not in html
    assert _name(assessor_of(assessment)) not in html
    assert "History" not in html
    page(client, url(assessment, "print/"))
    reads = BuyerRead.objects.filter(kind="assessment_report", object_id=assessment.pk, channel="web")
    assert reads.count() == 2
    assert client.post(url(assessment), {"action": "accept"}).status_code == 404
    assert _status(client, buyer_user(BuyerBuilder()), assessment) == 404
    html = page(login(client, factory_user(assessment.factory)), url(assessment))
    assert "A private response" in html
    assert "Planned date" not in html
    assert not BuyerRead.objects.filter(user__role=Role.FACTORY).exists()


def test_the_page_and_print_view_as_staff(client):
    assessment = published()
    html = page(login(client, manager_of(assessment)), url(assessment))
    assert "History" in html
    assert "2026-04-20" in html
    assert _name(assessor_of(assessment)) in html
    assert html.count('class="finding finding-') == questions_of(assessment).count()
    printed = page(client, url(assessment, "print/"))
    assert "print-page" in printed
    assert 'name="action"' not in printed


@pytest.mark.parametrize("role", ["manager", "factory", "buyer"])
def test_the_page_renders_in_a_fixed_number_of_queries(client, django_assert_max_num_queries, role):
    """Every question answered, with a thread on several findings: the queries do not grow with them."""
    with time_machine.travel(FEEDBACK_DAY, tick=False):
        assessment = in_feedback(non_compliant=("OSH.2.01", "COMP.5.01", "CL.1.01"))
        user = factory_user(assessment.factory)
        for finding in assessment.findings.select_related("question")[:10]:
            finding_respond(assessment_id=assessment.pk, actor=user, question=finding.question.code, text="Noted")
    manager = manager_of(assessment)
    assessment_finalise(assessment_id=assessment.pk, actor=manager)
    assessment_publish(assessment_id=assessment.pk, actor=manager)
    reader = {"manager": manager, "factory": user, "buyer": _authorised_buyer(assessment.factory)}[role]
    login(client, reader)
    client.get(url(assessment))  # warm up (session, content types)
    with django_assert_max_num_queries(15):
        html = page(client, url(assessment))
    assert html.count('class="finding finding-') == questions_of(assessment).count()
    assert ("Noted" in html) == (role != "buyer")
