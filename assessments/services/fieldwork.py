"""Fieldwork (R-ASM-5/7): the assessors arrive (start), answer the questions as they go (any number per
request, in a fixed number of SQL queries), attach evidence, record access denied as PI-1, and submit:
the factory is told in writing of its critical issues and the feedback period of five working days in
its country's calendar begins (R-ASM-6)."""

from datetime import date, datetime, time
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessments.models import Assessment, Evidence, Finding, Question
from assessments.services.common import locked, require_status, save
from assessments.services.questions import questions_of
from assessments.services.schedule import require_assessable
from betterwork.accounts.models import Role, User
from betterwork.common.exceptions import ApplicationError
from betterwork.common.notifications import notify
from betterwork.common.uploads import checked_upload
from factories.calendars import add_working_days
from factories.models import Milestone
from factories.services.cycles import milestone_complete

FEEDBACK_WORKING_DAYS = 5  # R-ASM-6
MAX_ANSWERS = 1000
ACCESS_DENIED = "PI-1"  # R-ASM-7
S = Assessment.Status


def assessment_start(*, assessment_id: int, actor: Any, started_on: date | None = None) -> Assessment:
    """The assessors have arrived: from now on the factory sees that an assessment is under way."""
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "conduct")
        require_status(assessment, S.PLANNED, message=_("Only a planned assessment can start."))
        today = assessment.factory.country.local_today()
        started_on = started_on or today
        if started_on > today:
            raise ApplicationError(_("An assessment cannot start in the future."), field="started_on")
        require_assessable(assessment.cycle, started_on)
        assessment.status, assessment.started_on = S.IN_PROGRESS, started_on
        save(assessment, actor, "started")
        milestone_complete(
            cycle_id=assessment.cycle_id,
            kind=Milestone.Kind.ASSESSMENT,
            at=timezone.make_aware(datetime.combine(started_on, time(12))),
        )
    return assessment


def _resolve(assessment: Assessment, codes: set[str]) -> dict[str, Question]:
    """Codes → questions of this assessment's set; a country's variant also answers to its global code."""
    questions = list(questions_of(assessment).filter(Q(code__in=codes) | Q(global_code__in=codes)))
    resolved = {q.global_code: q for q in questions}
    resolved.update({q.code: q for q in questions})
    if unknown := sorted(codes - resolved.keys()):
        raise ApplicationError(
            _("These questions are not part of this assessment: %(codes)s.") % {"codes": ", ".join(unknown[:20])},
            field="question",
        )
    return resolved


def findings_save(*, assessment_id: int, actor: Any, answers: list[dict[str, Any]]) -> int:
    """Record answers `{"question": code, "result": …, "notes": …}`; each replaces the earlier answer to its
    question, others stay. Every change is kept in the finding's history. Returns how many changed."""
    if len(answers) > MAX_ANSWERS:
        raise ApplicationError(_("Send at most %(n)s answers at once.") % {"n": MAX_ANSWERS})
    results = set(Finding.Result.values)
    if bad := [a.get("result") for a in answers if a.get("result") not in results]:
        raise ApplicationError(
            _("“%(result)s” is not a result: use compliant, non_compliant or not_applicable.") % {"result": bad[0]},
            field="result",
        )
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "conduct")
        require_status(
            assessment, S.IN_PROGRESS, message=_("Findings are recorded while the assessment is in progress.")
        )
        questions = _resolve(assessment, {str(a.get("question", "")) for a in answers})
        chosen: dict[int, dict[str, Any]] = {}
        for answer in answers:
            question = questions[str(answer["question"])]
            if question.pk in chosen:
                raise ApplicationError(
                    _("Question %(code)s is answered twice.") % {"code": question.code}, field="question"
                )
            chosen[question.pk] = answer
        existing = {f.question_id: f for f in assessment.findings.filter(question_id__in=chosen)}
        now, new, changed = timezone.now(), [], []
        for question_id, answer in chosen.items():
            notes = str(answer.get("notes") or "").strip()
            finding = existing.get(question_id)
            if finding is None:
                new.append(
                    Finding(
                        assessment=assessment, question_id=question_id, result=answer["result"], notes=notes,
                        answered_by=actor, updated_at=now,
                    )
                )  # fmt: skip
            elif (finding.result, finding.notes) != (answer["result"], notes):
                finding.result, finding.notes, finding.answered_by, finding.updated_at = (
                    answer["result"], notes, actor, now,
                )  # fmt: skip
                changed.append(finding)
        if new:
            bulk_create_with_history(new, Finding, default_user=actor, default_change_reason="answered")
        if changed:
            bulk_update_with_history(
                changed, Finding, ["result", "notes", "answered_by", "updated_at"],
                default_user=actor, default_change_reason="answer changed",
            )  # fmt: skip
    return len(new) + len(changed)


def access_denied(*, assessment_id: int, actor: Any, notes: str) -> Finding:
    """R-ASM-7: the assessors were refused entry or records: critical issue PI-1, whatever else is answered."""
    if not notes.strip():
        raise ApplicationError(_("Describe what access was refused, by whom and when."), field="notes")
    assessment = Assessment.objects.select_related("factory").get(pk=assessment_id)
    question = questions_of(assessment).filter(critical_issue_id=ACCESS_DENIED).first()
    if question is None:
        raise ApplicationError(_("The assessment tool has no access-denied question for this country."))
    findings_save(
        assessment_id=assessment_id,
        actor=actor,
        answers=[{"question": question.code, "result": Finding.Result.NON_COMPLIANT, "notes": notes}],
    )
    return assessment.findings.get(question=question)


def evidence_add(*, assessment_id: int, actor: Any, question: str, upload: UploadedFile) -> Evidence:
    """A photo (JPEG, PNG) or a PDF behind an answer; stored privately (never under a public URL), images
    without their metadata."""
    checked = checked_upload(upload, field="file")
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "conduct")
        require_status(assessment, S.IN_PROGRESS, message=_("Evidence is added while the assessment is in progress."))
        target = _resolve(assessment, {question})[question]
        finding = assessment.findings.filter(question=target).first()
        if finding is None:
            raise ApplicationError(_("Answer question %(code)s before adding evidence.") % {"code": target.code},
                                   field="question")  # fmt: skip
        evidence = Evidence(
            finding=finding, name=checked.name, content_type=checked.content_type, size=checked.size,
            uploaded_by=actor,
        )  # fmt: skip
        evidence.file.save(checked.content.name, checked.content, save=False)
        evidence.save()
    return evidence


def unanswered(assessment: Assessment) -> int:
    return questions_of(assessment).exclude(pk__in=assessment.findings.values("question_id")).count()


def assessment_submit(*, assessment_id: int, actor: Any, submitted_on: date | None = None) -> Assessment:
    """Every question answered (unless access was denied, R-ASM-7) → the feedback period starts: the factory
    is informed that day and has until the end of the fifth working day after it (R-ASM-6)."""
    with transaction.atomic():
        assessment = locked(assessment_id, actor, "conduct")
        require_status(assessment, S.IN_PROGRESS, message=_("Only an assessment in progress is submitted."))
        today = assessment.factory.country.local_today()
        submitted_on = submitted_on or today
        if submitted_on > today:
            raise ApplicationError(_("The findings cannot be submitted in the future."), field="submitted_on")
        if submitted_on < assessment.started_on:
            raise ApplicationError(
                _("The findings cannot be submitted before the assessment started (%(day)s).")
                % {"day": assessment.started_on},
                field="submitted_on",
            )
        denied = assessment.findings.filter(
            question__critical_issue_id=ACCESS_DENIED, result=Finding.Result.NON_COMPLIANT
        ).exists()
        if not denied and (missing := unanswered(assessment)):
            raise ApplicationError(
                ngettext(
                    "%(n)s question is not answered yet: answer it (or mark it not applicable) before submitting.",
                    "%(n)s questions are not answered yet: answer them (or mark them not applicable) before "
                    "submitting.",
                    missing,
                )
                % {"n": missing}
            )
        assessment.status, assessment.submitted_on = S.FEEDBACK, submitted_on
        assessment.feedback_deadline = add_working_days(
            assessment.factory.country_id, submitted_on, FEEDBACK_WORKING_DAYS
        )
        save(assessment, actor, "submitted")
        _tell_factory_of_critical_issues(assessment)
    return assessment


def _tell_factory_of_critical_issues(assessment: Assessment) -> None:
    critical = list(
        assessment.findings.filter(result=Finding.Result.NON_COMPLIANT, question__critical_issue__isnull=False)
        .select_related("question__critical_issue")
        .order_by("question__critical_issue__number")
    )
    non_compliant = assessment.findings.filter(result=Finding.Result.NON_COMPLIANT).count()
    issues = list(dict.fromkeys(str(f.question.critical_issue) for f in critical))

    def text() -> tuple[str, str]:
        title = _("Assessment findings: respond by %(deadline)s") % {"deadline": assessment.feedback_deadline}
        lines = [
            ngettext("The assessors recorded %(n)s non-compliance.", "The assessors recorded %(n)s non-compliances.",
                     non_compliant) % {"n": non_compliant},
            _("Critical issues: %(issues)s.") % {"issues": "; ".join(issues)} if issues
            else _("No critical issue was found."),
            _("You may respond to each finding, or accept the findings, until the end of %(deadline)s.")
            % {"deadline": assessment.feedback_deadline},
        ]  # fmt: skip
        return title, "\n".join(lines)

    users = User.objects.filter(role=Role.FACTORY, factory_id=assessment.factory_id, is_active=True)
    notify(users, key=f"assessment:{assessment.pk}:submitted", url=f"/assessments/{assessment.pk}/", text=text)
