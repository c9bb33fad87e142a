"""Progress reports (R-RPT-2/3/4): drafts saved as they are written, submission refused with the list of
missing mandatory answers, plan counts computed (never typed), sign-off of rectified critical issues,
release to the factory's authorised buyers."""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advisory.models import CriticalSignOff, ImprovementPlanItem, ProgressReport, ReportTemplate
from advisory.reference import PROGRESS_REPORT_1
from advisory.services.plan import plan_for, self_diagnosis_completed
from betterwork.accounts.models import Role, User
from betterwork.common.exceptions import ApplicationError, InvalidTransition
from betterwork.common.notifications import notify
from factories.models import Milestone, ServiceCycle
from factories.prefill import report_1_suggestions
from factories.services.common import require, save_with_history
from factories.services.cycles import milestone_complete

R = ProgressReport.Status
Item = ImprovementPlanItem
# Progress Report 2 (written by the programme): what R-RPT-3 asks for, beside the computed status of issues.
REPORT_2_QUESTIONS = [
    {"key": "social_dialogue", "type": "text", "required": True, "text": gettext_lazy("Social dialogue")},
    {"key": "management_systems", "type": "text", "required": True, "text": gettext_lazy("Management systems")},
    {"key": "recommendations", "type": "text", "required": True, "text": gettext_lazy("Recommendations")},
    {"key": "comments", "type": "text", "required": False, "text": gettext_lazy("Other comments")},
]
CRITICAL_RECTIFIED = "critical_rectified"  # PR1: ids of critical-issue items the factory reports fixed


def questions(report: ProgressReport) -> list[dict[str, Any]]:
    if report.number == 1:
        return [q for q in report.template.questions() if q.get("type") != "count"]
    return REPORT_2_QUESTIONS


def report_get(*, cycle: ServiceCycle, number: int) -> ProgressReport:
    """The cycle's report; a Progress Report 1 draft gets the training and seminars attended suggested into its
    empty answers (never over the factory's own text)."""
    template = ReportTemplate.objects.get(key=PROGRESS_REPORT_1, version=1) if number == 1 else None
    report, _created = ProgressReport.objects.get_or_create(cycle=cycle, number=number, defaults={"template": template})
    if number == 1 and report.status == ProgressReport.Status.DRAFT:
        missing = {k: v for k, v in report_1_suggestions(cycle).items() if not report.answers.get(k)}
        if missing:
            report.answers = {**report.answers, **missing}
            report.save(update_fields=["answers"])
    return report


def _writer_action(report: ProgressReport) -> str:
    return "write_report_1" if report.number == 1 else "write_report_2"


def _validated(report: ProgressReport, answers: dict[str, Any]) -> dict[str, Any]:
    by_key = {q["key"]: q for q in questions(report)}
    unknown = sorted(set(answers) - set(by_key) - ({CRITICAL_RECTIFIED} if report.number == 1 else set()))
    if unknown:
        raise ApplicationError(
            _("These are not questions of this report: %(keys)s.") % {"keys": ", ".join(unknown)}, field="answers"
        )
    errors = {}
    for key, value in answers.items():
        kind = by_key.get(key, {}).get("type")
        if value in (None, "", []):
            continue
        if kind == "yes_no" and not isinstance(value, bool):
            errors[key] = [_("Answer yes (true) or no (false).")]
        elif kind == "date":
            try:
                date.fromisoformat(str(value))
            except ValueError:
                errors[key] = [_("Give a date as YYYY-MM-DD.")]
        elif kind == "multi_choice" and (
            not isinstance(value, list) or not set(value) <= set(by_key[key].get("choices", []))
        ):
            errors[key] = [_("Choose among the listed actions.")]
        elif kind == "text" and not isinstance(value, str):
            errors[key] = [_("Write text.")]
    if CRITICAL_RECTIFIED in answers:
        ids = answers[CRITICAL_RECTIFIED]
        critical = Item.objects.filter(plan__factory_id=report.cycle.factory_id, critical_issue__isnull=False)
        if (
            not isinstance(ids, list)
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
            or set(ids) - set(critical.values_list("pk", flat=True))
        ):
            errors[CRITICAL_RECTIFIED] = [_("List the ids of the critical-issue items you report as fixed.")]
    if errors:
        raise ApplicationError(_("Some answers are not valid."), {"answers": errors})
    return answers


def report_save_draft(*, report_id: int, actor: Any, answers: dict[str, Any]) -> ProgressReport:
    """Save what is written so far (a draft may be incomplete). A submitted report no longer changes."""
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",)).select_related("cycle__factory").get(pk=report_id)
        )
        require(actor, _writer_action(report), report.cycle.factory)
        if report.status != R.DRAFT:
            raise ApplicationError(
                _("This report was submitted on %(day)s: it can no longer be edited.")
                % {"day": timezone.localdate(report.submitted_at)}
            )
        report.answers = {**report.answers, **_validated(report, answers)}
        save_with_history(report, actor=actor, reason="draft saved")
    return report


def plan_counts(report: ProgressReport) -> dict[str, Any]:
    """R-RPT-2 1B, computed from the plan: issues self-identified, followed up, completed by the advisor."""
    plan = plan_for(report.cycle.factory)
    items = plan.items.all()
    return {
        "self_diagnosis_completed": self_diagnosis_completed(plan),
        "issues_self_identified": items.filter(source=Item.Source.SELF_DIAGNOSIS).count(),
        "issues_followed_up": items.exclude(action="").count(),
        "issues_completed": items.filter(status=Item.Status.COMPLETED).count(),
        "issues_open": items.filter(status__in=Item.OPEN_STATUSES).count(),
        "by_status": dict(items.values_list("status").annotate(n=Count("pk"))),
    }


def report_submit(*, report_id: int, actor: Any) -> ProgressReport:
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",)).select_related("cycle__factory").get(pk=report_id)
        )
        require(actor, _writer_action(report), report.cycle.factory)
        if report.status != R.DRAFT:
            raise InvalidTransition(_("This report is already submitted."))
        missing = [q for q in questions(report) if q.get("required") and report.answers.get(q["key"]) in
                   (None, "", [])]  # fmt: skip
        if missing:
            raise ApplicationError(
                _("Answer these mandatory questions before submitting: %(questions)s.")
                % {"questions": "; ".join(f"“{q['text']}”" for q in missing)},
                {"missing": [q["key"] for q in missing]},
            )
        report.computed = plan_counts(report)
        report.status, report.submitted_at, report.submitted_by = R.SUBMITTED, timezone.now(), actor
        save_with_history(report, actor=actor, reason="submitted")
        kind = Milestone.Kind.PROGRESS_REPORT_1 if report.number == 1 else Milestone.Kind.PROGRESS_REPORT_2
        milestone_complete(cycle_id=report.cycle_id, kind=kind)
    return report


def report_sign_off(*, report_id: int, item_id: int, actor: Any, note: str = "") -> CriticalSignOff:
    """The advisor confirms a critical issue the factory reports as fully rectified (R-RPT-2)."""
    report = ProgressReport.objects.select_related("cycle__factory").get(pk=report_id)
    require(actor, "sign_off", report.cycle.factory)
    if report.number != 1 or report.status != R.SUBMITTED:
        raise ApplicationError(_("Critical issues are signed off on a submitted Progress Report 1."))
    if item_id not in report.answers.get(CRITICAL_RECTIFIED, []):
        raise ApplicationError(_("The factory does not report this issue as fixed in this report."), field="item")
    item = Item.objects.get(pk=item_id, plan__factory=report.cycle.factory, critical_issue__isnull=False)
    sign_off, _created = CriticalSignOff.objects.get_or_create(
        report=report, item=item, defaults={"signed_by": actor, "note": note}
    )
    return sign_off


def report_release(*, report_id: int, actor: Any) -> ProgressReport:
    """PR1: the factory releases it once the advisor signed off every critical issue it reports fixed.
    PR2: the programme manager releases it after review. Authorised buyers can then read it."""
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",)).select_related("cycle__factory").get(pk=report_id)
        )
        require(actor, "write_report_1" if report.number == 1 else "release_report_2", report.cycle.factory)
        if report.status != R.SUBMITTED:
            raise InvalidTransition(_("Only a submitted report is released."))
        if report.number == 1:
            waiting = set(report.answers.get(CRITICAL_RECTIFIED, [])) - set(
                report.sign_offs.values_list("item_id", flat=True)
            )
            if waiting:
                raise ApplicationError(
                    _("The enterprise advisor has not yet signed off %(n)s critical issue(s) you report as fixed.")
                    % {"n": len(waiting)},
                    {"waiting": sorted(waiting)},
                )
        report.status, report.released_at, report.released_by = R.RELEASED, timezone.now(), actor
        save_with_history(report, actor=actor, reason="released")
        _tell_authorised_buyers(report)
    return report


def _tell_authorised_buyers(report: ProgressReport) -> None:
    """R-ACC-1: the factory's authorised buyers hear that a report is there for them."""
    factory = report.cycle.factory
    buyers = User.objects.filter(
        is_active=True, role=Role.BUYER, buyer_id__in=factory.authorisations.active().values("buyer_id")
    )
    notify(
        buyers,
        key=f"progress-report:{report.pk}:released",
        url=f"/factories/{factory.pk}/reports/{report.number}/",
        text=lambda: (
            _("Progress Report %(number)s released: %(factory)s") % {"number": report.number, "factory": factory.name},
            _("Progress Report %(number)s of %(factory)s is available to you.")
            % {"number": report.number, "factory": factory.name},
        ),
    )
