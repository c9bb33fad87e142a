"""After the visit (R-ASM-6): the feedback period (the factory responds per finding, in a thread with the
programme, or accepts the findings), finalisation (immutable; every non-compliance becomes an
improvement-plan item, R-ADV-2), audited corrections, and publication (R-RPT-1)."""

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, Finding, FindingMessage, FindingRevision
from assessments.services.common import locked, require_status, save
from assessments.signals import assessment_published, assessment_revised
from betterwork.accounts.models import Role, User
from betterwork.common.exceptions import ApplicationError, InvalidTransition
from betterwork.common.notifications import notify
from factories.models import Milestone
from factories.services.common import save_with_history
from factories.services.cycles import milestone_complete
from factories.signals import plan_items_arrived

S = Assessment.Status
MAX_MESSAGE = 5000


def feedback_open(assessment: Assessment) -> bool:
    """The factory may still respond: not accepted early, and its country's day has not passed the deadline."""
    return (
        assessment.status == S.FEEDBACK
        and assessment.findings_accepted_at is None
        and assessment.factory.country.local_today() <= assessment.feedback_deadline
    )


def _finding(assessment: Assessment, question: str) -> Finding:
    finding = (
        assessment.findings.select_related("question")
        .filter(Q(question__code=question) | Q(question__global_code=question))
        .first()
    )
    if finding is None:
        raise ApplicationError(
            _("Question %(code)s has no finding in this assessment.") % {"code": question}, field="question"
        )
    return finding


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Write the response."), field="text")
    if len(text) > MAX_MESSAGE:
        raise ApplicationError(_("Keep it under %(n)s characters.") % {"n": MAX_MESSAGE}, field="text")
    return text


def finding_respond(*, assessment_id: int, actor: Any, question: str, text: str) -> FindingMessage:
    """The factory's response to one finding, until the end of the feedback deadline."""
    text = _text(text)
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "respond")
        if not feedback_open(assessment):
            raise ApplicationError(
                _("The feedback period is over (it ended on %(deadline)s): responses can no longer be added.")
                % {"deadline": assessment.feedback_deadline}
                if assessment.status == S.FEEDBACK and assessment.findings_accepted_at is None
                else _("The findings are no longer open for responses.")
            )
        message = FindingMessage.objects.create(
            finding=_finding(assessment, question), author=actor, from_factory=True, text=text
        )
        staff = User.objects.filter(is_active=True, country_id=assessment.factory.country_id).filter(
            role=Role.PROGRAMME_MANAGER
        ) | User.objects.filter(pk=assessment.factory.advisor_id)
        notify(
            staff,
            key=f"assessment:{assessment.pk}:response:{message.pk}",
            url=f"/assessments/{assessment.pk}/",
            text=lambda: (
                _("%(factory)s responded to finding %(code)s")
                % {"factory": assessment.factory.name, "code": message.finding.question.code},
                text[:500],
            ),
        )
    return message


def finding_reply(*, assessment_id: int, actor: Any, question: str, text: str) -> FindingMessage:
    """The programme answers in the finding's thread, until the assessment is finalised."""
    text = _text(text)
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "discuss")
        require_status(assessment, S.FEEDBACK, message=_("The thread is open during the feedback period."))
        message = FindingMessage.objects.create(
            finding=_finding(assessment, question), author=actor, from_factory=False, text=text
        )
        notify(
            User.objects.filter(role=Role.FACTORY, factory_id=assessment.factory_id, is_active=True),
            key=f"assessment:{assessment.pk}:reply:{message.pk}",
            url=f"/assessments/{assessment.pk}/",
            text=lambda: (_("The programme replied on finding %(code)s") % {"code": message.finding.question.code},
                          text[:500]),
        )  # fmt: skip
    return message


def findings_accept(*, assessment_id: int, actor: Any) -> Assessment:
    """The factory accepts the findings: the feedback period closes early (R-ASM-6)."""
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "respond")
        if not feedback_open(assessment):
            raise InvalidTransition(_("The feedback period is already closed."))
        assessment.findings_accepted_at, assessment.findings_accepted_by = timezone.now(), actor
        save(assessment, actor, "findings accepted")
    return assessment


def assessment_finalise(*, assessment_id: int, actor: Any) -> Assessment:
    """Once the feedback period is over: immutable from now on, and every non-compliance joins the
    improvement plan (source "assessment")."""
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "manage")
        require_status(assessment, S.FEEDBACK, message=_("Only an assessment in its feedback period is finalised."))
        if feedback_open(assessment):
            raise InvalidTransition(
                _("The factory may respond until the end of %(deadline)s: finalise after that, or once it accepts "
                  "the findings.") % {"deadline": assessment.feedback_deadline}
            )  # fmt: skip
        assessment.status, assessment.finalised_at, assessment.finalised_by = S.FINALISED, timezone.now(), actor
        save(assessment, actor, "finalised")
        findings_to_plan(assessment, assessment.findings.filter(result=Finding.Result.NON_COMPLIANT), actor)
    return assessment


def findings_to_plan(assessment: Assessment, findings: Any, actor: Any) -> None:
    """Send non-compliant findings to the improvement plan (R-ADV-2; each once, by its reference). Used by
    finalisation, by corrections, and by the demo for assessments it writes as already finalised."""
    entries = [
        {
            "cluster": f.question.cluster_id,
            "text": f"{f.question.text}\n{f.notes}".strip(),
            "critical_issue": f.question.critical_issue_id,
            "question": f.question.code,
            "compliance_point": f.question.compliance_point.name,
            "reference": f"assessment:{assessment.pk}:{f.question.code}",
            "raised_on": assessment.started_on,
        }
        for f in findings.select_related("question__compliance_point").order_by("question__position", "pk")
    ]
    if entries:
        plan_items_arrived.send(
            sender=Assessment, factory=assessment.factory, source="assessment", entries=entries, actor=actor
        )


def finding_revise(
    *, assessment_id: int, actor: Any, question: str, result: str, notes: str, reason: str
) -> FindingRevision:
    """A correction to a finalised assessment: a new numbered revision with the old and new answer, who and
    why; the finding's history records it too. A new non-compliance joins the improvement plan."""
    if result not in Finding.Result.values:
        raise ApplicationError(_("“%(result)s” is not a result.") % {"result": result}, field="result")
    if not reason.strip():
        raise ApplicationError(_("Say why the finding is corrected."), field="reason")
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "manage")
        require_status(assessment, *Assessment.CLOSED, message=_("Corrections are made to finalised assessments."))
        finding = _finding(assessment, question)
        notes = (notes or "").strip()
        if (finding.result, finding.notes) == (result, notes):
            raise ApplicationError(_("The correction changes nothing."), field="result")
        assessment.revision += 1
        save(assessment, actor, f"revision {assessment.revision}")
        revision = FindingRevision.objects.create(
            assessment=assessment, number=assessment.revision, finding=finding, previous_result=finding.result,
            result=result, previous_notes=finding.notes, notes=notes, reason=reason.strip(), revised_by=actor,
        )  # fmt: skip
        finding.result, finding.notes, finding.answered_by = result, notes, actor
        save_with_history(finding, actor=actor, reason=f"revision {assessment.revision}: {reason.strip()}")
        if result == Finding.Result.NON_COMPLIANT:
            findings_to_plan(assessment, assessment.findings.filter(pk=finding.pk), actor)
        assessment_revised.send(sender=Assessment, assessment=assessment)
    return revision


def assessment_publish(*, assessment_id: int, actor: Any) -> Assessment:
    """Release the report to the factory and its authorised buyers (R-RPT-1, R-ACC-1)."""
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "manage")
        require_status(assessment, S.FINALISED, message=_("Only a finalised assessment is published."))
        assessment.status, assessment.published_at, assessment.published_by = S.PUBLISHED, timezone.now(), actor
        save(assessment, actor, "published")
        milestone_complete(cycle_id=assessment.cycle_id, kind=Milestone.Kind.ASSESSMENT_REPORT_RELEASE)
        assessment_published.send(sender=Assessment, assessment=assessment)
        factory = assessment.factory
        readers = User.objects.filter(is_active=True).filter(
            role=Role.FACTORY, factory_id=factory.pk
        ) | User.objects.filter(
            is_active=True, role=Role.BUYER, buyer_id__in=factory.authorisations.active().values("buyer_id")
        )
        notify(
            readers,
            key=f"assessment:{assessment.pk}:published",
            url=f"/assessments/{assessment.pk}/",
            text=lambda: (
                _("Assessment report released: %(factory)s") % {"factory": factory.name},
                _("The assessment report of %(factory)s is available.") % {"factory": factory.name},
            ),
        )
    return assessment


def feedback_periods_ended() -> int:
    """The sweep's automatic step for assessments (R-CYC-8, R-ASM-6): tell the country's programme managers,
    once, that an assessment's feedback period is over (deadline passed or findings accepted) and it can be
    finalised. Idempotent (one notification per assessment and manager). Returns how many assessments."""
    waiting = [
        assessment
        for assessment in Assessment.objects.filter(status=S.FEEDBACK).select_related("factory__country")
        if not feedback_open(assessment)
    ]
    managers = User.objects.filter(
        role=Role.PROGRAMME_MANAGER, is_active=True, country_id__in={a.factory.country_id for a in waiting}
    )
    for assessment in waiting:
        notify(
            [m for m in managers if m.country_id == assessment.factory.country_id],
            key=f"assessment:{assessment.pk}:feedback-over",
            url=f"/assessments/{assessment.pk}/",
            text=lambda assessment=assessment: (
                _("Ready to finalise: %(factory)s") % {"factory": assessment.factory.name},
                _("The feedback period is over: finalise the assessment, then publish its report."),
            ),
        )
    return len(waiting)
