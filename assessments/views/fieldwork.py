"""The assessors' fieldwork page (R-ASM-5/7): every question of the assessment's tool, grouped by cluster and
compliance point, answered as they go (one answer at a time with JavaScript, or everything that changed with
the Save button), evidence, access denied (PI-1) and submission (R-ASM-6). The rules are in
assessments.services.fieldwork; these views only translate between forms and services.

Only the assessment's assessors use it (`conduct`): users who cannot see the assessment get 404, programme
staff who can see it but were not sent get 403. Factory and buyer users get 404 whatever the status: the
findings are the assessors' drafts until submission (R-ASM-3, R-ASM-5).

The page renders in a fixed number of SQL queries whatever the number of questions: the questions in one
query, the findings and their evidence in two more, mapped by question id.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Assessment, Evidence, Finding, Question
from assessments.services.fieldwork import (
    access_denied,
    assessment_start,
    assessment_submit,
    evidence_add,
    findings_save,
)
from assessments.services.questions import questions_of
from betterwork.accounts.policy import get_visible_or_404, may, visible
from betterwork.common.exceptions import ApplicationError, InvalidTransition, NotPermitted

S = Assessment.Status
R = Finding.Result
ANSWERS = ("yes", "no", "na")  # what the radio buttons post
UNANSWERED_LISTED = 20  # how many unanswered question codes the submit section links to


def answer_result(question: Question, answer: str) -> str:
    """An assessor's answer → the finding (R-ASM-5): the question's polarity decides what “yes” means."""
    return R.NOT_APPLICABLE if answer == "na" else question.result_for(answer)


def result_answer(question: Question, result: str) -> str:
    """A stored finding → the radio button that shows it."""
    if result == R.NOT_APPLICABLE:
        return "na"
    if result == R.NON_COMPLIANT:
        return question.noncompliant_answer
    return "no" if question.noncompliant_answer == "yes" else "yes"


# --- access --------------------------------------------------------------------------------------------------


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    """The assessment, if `request.user` is one of its assessors; 404 if hidden (or not programme staff), 403
    for other staff who see it."""
    if not request.user.is_programme_staff:
        raise Http404
    assessment = visible(request.user, Assessment).select_related("factory__country", "cycle").filter(pk=pk).first()
    if assessment is None:
        raise Http404
    if not may(request.user, "conduct", assessment):
        raise PermissionDenied
    return assessment


def _url(request: HttpRequest, name: str, *args: Any) -> str:
    """Reverse one of this module's URLs in whatever namespace assessments.urls is included under."""
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    return reverse(f"{namespace}:{name}" if namespace else name, args=args)


def _page(request: HttpRequest, assessment: Assessment, anchor: str = "") -> HttpResponse:
    return redirect(_url(request, "assessment-fieldwork", assessment.pk) + (f"#{anchor}" if anchor else ""))


def _fail(request: HttpRequest, error: ApplicationError) -> None:
    if isinstance(error, NotPermitted):
        raise PermissionDenied from error
    messages.error(request, error.message)


# --- the page ------------------------------------------------------------------------------------------------


@dataclass
class Row:
    question: Question
    finding: Finding | None
    answer: str = ""

    @property
    def evidence(self) -> list[Evidence]:
        return list(self.finding.evidence.all()) if self.finding else []


@dataclass
class Point:
    point: Any
    rows: list[Row] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(1 for r in self.rows if r.finding)

    @property
    def complete(self) -> bool:
        return self.answered == len(self.rows)


@dataclass
class Group:
    cluster: Any
    points: list[Point] = field(default_factory=list)
    answered: int = 0
    total: int = 0


def _groups(assessment: Assessment) -> tuple[list[Group], list[Row]]:
    """Clusters → compliance points → rows, in the tool's order. Three queries whatever the size."""
    questions = questions_of(assessment).select_related("cluster", "compliance_point", "critical_issue")
    findings = {
        f.question_id: f
        for f in assessment.findings.prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
        )
    }
    groups: dict[str, Group] = {}
    rows: list[Row] = []
    for question in questions:
        finding = findings.get(question.pk)
        row = Row(question, finding, result_answer(question, finding.result) if finding else "")
        rows.append(row)
        group = groups.setdefault(question.cluster_id, Group(question.cluster))
        if not group.points or group.points[-1].point.pk != question.compliance_point_id:
            group.points.append(Point(question.compliance_point))
        group.points[-1].rows.append(row)
        group.total += 1
        group.answered += finding is not None
    return list(groups.values()), rows


def _originals(rows: list[Row]) -> str:
    """What the form showed, for the Save button to post only what the assessor changed (R-ASM-5)."""
    return json.dumps({str(r.question.pk): [r.answer, r.finding.notes if r.finding else ""] for r in rows})


@login_required
@require_GET
def fieldwork_page(request: HttpRequest, pk: int) -> HttpResponse:
    """All questions, grouped and collapsible, with answers, notes, evidence, progress, access denied, submit."""
    assessment = _assessment(request, pk)
    urls = {
        name.replace("-", "_"): _url(request, f"assessment-fieldwork-{name}", assessment.pk)
        for name in ("save", "answer", "evidence", "access-denied", "submit", "start")
    }
    context: dict[str, Any] = {"assessment": assessment, "urls": urls, "detail_url": f"/assessments/{assessment.pk}/"}
    if assessment.status != S.IN_PROGRESS:
        return render(request, "assessments/fieldwork_closed.html", context)
    groups, rows = _groups(assessment)
    answered = sum(g.answered for g in groups)
    unanswered = [r.question for r in rows if r.finding is None]
    limit = settings.BETTERWORK["EVIDENCE_MAX_BYTES"]
    context.update(
        groups=groups,
        answered=answered,
        total=len(rows),
        unanswered=unanswered[:UNANSWERED_LISTED],
        unanswered_count=len(unanswered),
        originals=_originals(rows),
        sees_evidence=may(request.user, "see_evidence", assessment),
        evidence_base=urls["evidence"],
        evidence_limit_mb=limit // 1_048_576,
        denied=next(
            (r.finding for r in rows if r.finding and r.question.critical_issue_id == "PI-1"
             and r.finding.result == R.NON_COMPLIANT),
            None,
        ),
    )  # fmt: skip
    return render(request, "assessments/fieldwork.html", context)


# --- saving --------------------------------------------------------------------------------------------------


def _changed_answers(request: HttpRequest, assessment: Assessment) -> tuple[list[dict[str, Any]], list[str]]:
    """The answers whose value differs from what the page showed (the hidden `originals`): only those are
    saved, so two assessors working on different questions never overwrite each other. Returns the answers
    and the codes of questions with notes but no answer (skipped)."""
    try:
        originals = json.loads(request.POST.get("originals", ""))
        if not isinstance(originals, dict):
            raise ValueError
    except ValueError:
        raise ApplicationError(_("The form is out of date: reload the page and answer again.")) from None
    answers, skipped = [], []
    questions = questions_of(assessment).only("pk", "code", "noncompliant_answer")
    for question in questions:
        shown = originals.get(str(question.pk))
        shown_answer, shown_notes = (str(v or "") for v in [*(shown if isinstance(shown, list) else []), "", ""][:2])
        answer = request.POST.get(f"r{question.pk}", "") or shown_answer
        notes = request.POST.get(f"n{question.pk}")
        notes = shown_notes if notes is None else notes.strip()
        if (answer, notes) == (shown_answer, shown_notes.strip()):
            continue
        if answer not in ANSWERS:
            if notes:
                skipped.append(question.code)
            continue
        answers.append({"question": question.code, "result": answer_result(question, answer), "notes": notes})
    return answers, skipped


@login_required
@require_POST
def fieldwork_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The Save button (works without JavaScript): every answer the assessor changed, in one call."""
    assessment = _assessment(request, pk)
    try:
        answers, skipped = _changed_answers(request, assessment)
        saved = findings_save(assessment_id=assessment.pk, actor=request.user, answers=answers) if answers else 0
    except ApplicationError as error:
        _fail(request, error)
    else:
        if saved or not skipped:
            messages.success(
                request, ngettext("%(n)s answer saved.", "%(n)s answers saved.", saved) % {"n": saved}
            )  # fmt: skip
        if skipped:
            messages.warning(
                request,
                _("Notes are kept only with an answer: choose Yes, No or Not applicable for %(codes)s.")
                % {"codes": ", ".join(skipped)},
            )
    return _page(request, assessment)


def _progress(assessment: Assessment) -> dict[str, Any]:
    """Answered and total questions, overall and per cluster (two queries)."""
    totals = dict(questions_of(assessment).order_by().values_list("cluster_id").annotate(n=Count("pk")))
    done: dict[str, int] = defaultdict(int)
    for cluster_id, n in (
        assessment.findings.order_by().values_list("question__cluster_id").annotate(n=Count("pk"))
    ):  # fmt: skip
        done[cluster_id] = n
    return {
        "answered": sum(done.values()),
        "total": sum(totals.values()),
        "clusters": {code: {"answered": done[code], "total": n} for code, n in totals.items()},
    }


@login_required
@require_POST
def fieldwork_answer(request: HttpRequest, pk: int) -> JsonResponse:
    """One answer, saved as soon as the assessor changes it (static/js/fieldwork.js): `question` (id), `answer`
    (yes, no, na) and `notes`. Answers JSON with the finding and the progress."""
    assessment = _assessment(request, pk)
    answer = request.POST.get("answer", "")
    question = questions_of(assessment).filter(pk=request.POST.get("question") or 0).first() if (
        str(request.POST.get("question", "")).isdigit()) else None  # fmt: skip
    if question is None:
        return JsonResponse({"error": _("This question is not part of this assessment.")}, status=400)
    if answer not in ANSWERS:
        return JsonResponse({"error": _("Choose Yes, No or Not applicable.")}, status=400)
    result = answer_result(question, answer)
    try:
        saved = findings_save(
            assessment_id=assessment.pk,
            actor=request.user,
            answers=[{"question": question.code, "result": result, "notes": request.POST.get("notes", "")}],
        )
    except NotPermitted:
        raise PermissionDenied from None
    except ApplicationError as error:
        return JsonResponse({"error": error.message}, status=409 if isinstance(error, InvalidTransition) else 400)
    return JsonResponse({
        "question": question.pk, "code": question.code, "cluster": question.cluster_id, "answer": answer,
        "result": result, "result_label": str(R(result).label), "changed": saved, **_progress(assessment),
    })  # fmt: skip


# --- evidence, access denied, start, submit ------------------------------------------------------------------


@login_required
@require_POST
def fieldwork_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo or PDF behind an answer (the service checks the type by content and the size)."""
    assessment = _assessment(request, pk)
    code = request.POST.get("question", "")
    upload = request.FILES.get("file")
    anchor = f"q-{request.POST.get('anchor', '')}" if str(request.POST.get("anchor", "")).isdigit() else ""
    if upload is None:
        messages.error(request, _("Choose a file to upload (JPEG, PNG or PDF)."))
        return _page(request, assessment, anchor)
    try:
        evidence = evidence_add(assessment_id=assessment.pk, actor=request.user, question=code, upload=upload)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("“%(name)s” is attached to %(code)s.") % {"name": evidence.name, "code": code})
    return _page(request, assessment, anchor)


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """Evidence is the programme's working material: its country's staff only; nobody else learns it exists."""
    assessment = get_visible_or_404(request.user, Assessment, pk=pk)
    if not may(request.user, "see_evidence", assessment):
        raise Http404
    evidence = Evidence.objects.filter(pk=evidence_pk, finding__assessment=assessment).first()
    if evidence is None:
        raise Http404
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.name, content_type=evidence.content_type
    )


@login_required
@require_POST
def fieldwork_access_denied(request: HttpRequest, pk: int) -> HttpResponse:
    """R-ASM-7: access refused → critical issue PI-1; the assessment may then be submitted as it stands."""
    assessment = _assessment(request, pk)
    try:
        access_denied(assessment_id=assessment.pk, actor=request.user, notes=request.POST.get("notes", ""))
    except ApplicationError as error:
        _fail(request, error)
        return _page(request, assessment, "access-denied")
    messages.success(
        request,
        _("Access denied is recorded as critical issue PI-1. You may submit the assessment as it stands."),
    )
    return _page(request, assessment, "submit")


@login_required
@require_POST
def fieldwork_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessors have arrived: from now on the factory sees that an assessment is under way (R-ASM-3)."""
    assessment = _assessment(request, pk)
    try:
        assessment_start(assessment_id=assessment.pk, actor=request.user)
    except ApplicationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The assessment has started: answer the questions as you go."))
    return _page(request, assessment)


@login_required
@require_POST
def fieldwork_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Every question answered (or access denied) → the factory is informed and the feedback period starts."""
    assessment = _assessment(request, pk)
    try:
        assessment = assessment_submit(assessment_id=assessment.pk, actor=request.user)
    except ApplicationError as error:
        _fail(request, error)
        return _page(request, assessment, "submit")
    messages.success(
        request,
        _("The findings are submitted: the factory is informed and may respond until %(deadline)s.")
        % {"deadline": assessment.feedback_deadline},
    )
    return _page(request, assessment)


# Included under "assessments/".
urlpatterns = [
    path("<int:pk>/fieldwork/", fieldwork_page, name="assessment-fieldwork"),
    path("<int:pk>/fieldwork/save/", fieldwork_save, name="assessment-fieldwork-save"),
    path("<int:pk>/fieldwork/answer/", fieldwork_answer, name="assessment-fieldwork-answer"),
    path("<int:pk>/fieldwork/evidence/", fieldwork_evidence, name="assessment-fieldwork-evidence"),
    path("<int:pk>/fieldwork/evidence/<int:evidence_pk>/", evidence_download, name="assessment-evidence"),
    path("<int:pk>/fieldwork/access-denied/", fieldwork_access_denied, name="assessment-fieldwork-access-denied"),
    path("<int:pk>/fieldwork/start/", fieldwork_start, name="assessment-fieldwork-start"),
    path("<int:pk>/fieldwork/submit/", fieldwork_submit, name="assessment-fieldwork-submit"),
]
