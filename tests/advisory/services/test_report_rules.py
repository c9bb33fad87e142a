"""Progress reports and zero-tolerance cases, without HTTP (R-RPT-2/3, R-ADV-7)."""

from datetime import date

import pytest

from advisory.models import ProgressReport, ZeroToleranceCase
from advisory.services.plan import items_from_sources
from advisory.services.reports import (
    CRITICAL_RECTIFIED,
    questions,
    report_get,
    report_release,
    report_save_draft,
    report_sign_off,
    report_submit,
)
from advisory.services.zero_tolerance import case_close, case_open
from betterwork.common.exceptions import ApplicationError, NotPermitted
from betterwork.common.models import Notification
from factories.models import Milestone
from factories.services.cycles import cycle_start
from tests.builders import FactoryBuilder, factory_user, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return cycle_start(factory_id=FactoryBuilder().pk, on=date(2026, 1, 5))


def _complete_answers(report):
    values = {"yes_no": True, "date": "2026-02-01", "text": "Written.", "multi_choice": []}
    return {q["key"]: values[q["type"]] for q in questions(report) if q.get("required")}


def test_pr1_submission_lists_exactly_the_missing_mandatory_answers(cycle):
    user = factory_user(cycle.factory)
    report = report_get(cycle=cycle, number=1)
    required = sorted(q["key"] for q in questions(report) if q.get("required"))
    first = required[0]
    report_save_draft(report_id=report.pk, actor=user, answers={first: _complete_answers(report)[first]})
    with pytest.raises(ApplicationError) as error:
        report_submit(report_id=report.pk, actor=user)
    assert sorted(error.value.extra["missing"]) == required[1:]
    assert ProgressReport.objects.get().status == "draft"
    texts = {q["key"]: q["text"] for q in questions(report)}
    assert all(f"“{texts[key]}”" in error.value.message for key in required[1:])  # the questions, not their keys
    assert required[1] not in error.value.message


def test_answers_are_checked_against_the_template(cycle):
    user = factory_user(cycle.factory)
    report = report_get(cycle=cycle, number=1)
    with pytest.raises(ApplicationError, match="not questions"):
        report_save_draft(report_id=report.pk, actor=user, answers={"issues_completed": 4})  # computed, not typed
    with pytest.raises(ApplicationError) as error:
        report_save_draft(report_id=report.pk, actor=user, answers={"self_diagnosed_before_assessment": "maybe"})
    assert "self_diagnosed_before_assessment" in error.value.extra["answers"]


def test_pr1_goes_from_draft_to_released_with_the_advisors_sign_off(cycle):
    user, advisor = factory_user(cycle.factory), staff("advisor", "KH")
    items_from_sources(factory=cycle.factory, source="assessment", entries=[
        {"cluster": "OSH", "text": "Exit locked", "critical_issue": "OSH-2", "reference": "finding:1"}])  # fmt: skip
    critical = cycle.factory.improvement_plan.items.get()
    report = report_get(cycle=cycle, number=1)
    report_save_draft(report_id=report.pk, actor=user, answers={**_complete_answers(report),
                                                                CRITICAL_RECTIFIED: [critical.pk]})  # fmt: skip
    report_submit(report_id=report.pk, actor=user)
    assert Milestone.objects.get(cycle=cycle, kind="progress_report_1").state == "done"
    assert ProgressReport.objects.get().computed["issues_open"] == 1
    with pytest.raises(ApplicationError, match="no longer be edited"):
        report_save_draft(report_id=report.pk, actor=user, answers={})
    with pytest.raises(ApplicationError, match="not yet signed off"):
        report_release(report_id=report.pk, actor=user)
    with pytest.raises(NotPermitted):
        report_sign_off(report_id=report.pk, item_id=critical.pk, actor=user)

    report_sign_off(report_id=report.pk, item_id=critical.pk, actor=advisor, note="Checked the exits")
    released = report_release(report_id=report.pk, actor=user)
    assert released.status == "released"


def test_pr2_is_written_by_the_advisor_and_released_by_the_manager(cycle):
    advisor, manager = staff("advisor", "KH"), staff("programme_manager", "KH")
    report = report_get(cycle=cycle, number=2)
    with pytest.raises(NotPermitted):
        report_save_draft(report_id=report.pk, actor=factory_user(cycle.factory), answers={})
    report_save_draft(report_id=report.pk, actor=advisor, answers=_complete_answers(report))
    report_submit(report_id=report.pk, actor=advisor)
    with pytest.raises(NotPermitted):
        report_release(report_id=report.pk, actor=advisor)
    assert report_release(report_id=report.pk, actor=manager).status == "released"


def test_a_zero_tolerance_case_alerts_the_manager_at_once_and_closes_with_a_note(cycle):
    manager, assessor = staff("programme_manager", "KH"), staff("assessor", "KH")
    case = case_open(factory=cycle.factory, actor=assessor, category="child_labour",
                     description="A 12-year-old on the finishing line.")  # fmt: skip
    alert = Notification.objects.get(recipient=manager)
    assert "Child labour" in alert.title
    with pytest.raises(NotPermitted):
        case_open(factory=cycle.factory, actor=factory_user(cycle.factory), category="other", description="x")
    with pytest.raises(NotPermitted):
        case_open(factory=cycle.factory, actor=staff("advisor", "VN"), category="other", description="x")
    with pytest.raises(ApplicationError):
        case_close(case_id=case.pk, actor=manager, note=" ")
    closed = case_close(case_id=case.pk, actor=manager, note="Remediation agreed with the family and the school.")
    assert closed.status == "closed"
    assert [e.text for e in closed.log.all()][-1].startswith("Case closed")
    assert ZeroToleranceCase.objects.visible_to(factory_user(cycle.factory)).count() == 0
