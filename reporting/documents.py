"""Report PDFs as a service (R-RPT-5): request one, render it in a worker, reuse it until its data changes.

* `document_request(kind=..., obj=..., language=..., user=...)` computes the document's fingerprint — a hash
  of the data the document shows, the language, the audience and `TEMPLATE_VERSION` — and gets or creates
  its `RenderedDocument`. A new row (or a failed one, after `RETRY_FAILED_AFTER`) is sent to the "pdf" queue
  once the transaction commits (queue "pdf"); with the broker down the request still succeeds and a later
  request re-sends it (as `betterwork.common.email.dispatch` does). Callers (views) check visibility first: this module
  never decides who may read what.
* `document_render(document_id)` (the Celery task's body) claims the row with a conditional update, renders
  it and stores the file. A ready document is never rendered again; two workers given the same row render
  it once. While a row is pending, `finished_at` holds the time a worker claimed it (a claim older than
  `CLAIM_TTL` — a worker killed by its time or memory limit — may be taken over).

Audience: the programme and the factory read the same report (factory responses included); buyers read the
released report without the feedback thread and without the advisor's sign-off table, as on the pages. The
audience is part of the fingerprint (its prefix), so each audience has its own cached file.

R-ASM-3: the assessment PDF never shows the planned date, the schedule or the assessors, for anyone; it exists
for started assessments only (the views answer 404 before).
"""

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from advisory.models import ImprovementPlanItem, ProgressReport
from assessments.models import Assessment, Finding, FindingMessage
from assessments.services.report import grouped, management_rows, report_findings
from betterwork.accounts.models import Role
from betterwork.common.charts import Bar, bar_chart
from factories.models import Factory
from reporting.models.documents import RenderedDocument

logger = logging.getLogger(__name__)

Item = ImprovementPlanItem
Kind = RenderedDocument.Kind
Status = RenderedDocument.Status
PDF_QUEUE = "pdf"
TEMPLATE_VERSION = "1"  # bump when a PDF template or the stylesheet changes: every cached PDF is made again
FULL, BUYER = "full", "buyer"
CLAIM_TTL = timedelta(seconds=180)  # longer than the task's hard time limit (150 s)
RETRY_FAILED_AFTER = timedelta(seconds=60)
REDISPATCH_PENDING_AFTER = timedelta(seconds=120)
STARTED = ("in_progress", "feedback", "finalised", "published")


def audience_of(user: Any) -> str:
    return BUYER if getattr(user, "effective_role", None) == Role.BUYER else FULL


def reader_language(user: Any) -> str:
    """The reader's language: their saved one, else the request's (a supported code)."""
    language = getattr(user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGE_CODE


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


# --- what each kind shows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roles:
    """What `templates/assessments/_report.html` asks of the reader (no forms, no evidence links in a PDF)."""

    buyer: bool
    factory: bool = False
    evidence: bool = False


def _assessment_fingerprint(assessment: Assessment, audience: str) -> list[Any]:
    findings = Finding.objects.filter(assessment=assessment).aggregate(n=Count("pk"), last=Max("updated_at"))
    data: list[Any] = [
        assessment.status, assessment.revision, assessment.modality, assessment.started_on, assessment.submitted_on,
        assessment.feedback_deadline, assessment.findings_accepted_at, assessment.finalised_at,
        assessment.published_at, assessment.factory.name, assessment.cycle.number, findings,
    ]  # fmt: skip
    if audience == FULL:
        data.append(
            FindingMessage.objects.filter(finding__assessment=assessment).aggregate(n=Count("pk"), last=Max("pk"))
        )
    return data


def _assessment_context(assessment: Assessment, audience: str) -> dict[str, Any]:
    """The content of the assessment page's report (R-RPT-1), for an audience rather than a user."""
    R = Finding.Result
    findings = list(report_findings(Finding.objects.filter(assessment=assessment), threads=audience == FULL))
    groups = grouped(findings)
    return {
        "assessment": assessment,
        "roles": Roles(buyer=audience == BUYER),
        "printing": True,
        "show_findings": True,
        "groups": groups,
        "critical": [f for f in findings if f.is_critical],
        "management": management_rows(assessment, findings),
        "totals": {"answered": len(findings), "non_compliant": sum(1 for f in findings if f.result == R.NON_COMPLIANT)},
        "chart": assessment_chart(groups),
    }


def assessment_chart(groups: list[Any]) -> str:
    """Non-compliances per cluster (the page could show the same: `groups` as the page builds them)."""
    return bar_chart(
        [Bar(g.cluster.tr.name, g.non_compliant, "warn") for g in groups],
        title=_("Non-compliances per cluster"),
    )


def plan_chart(items: list[ImprovementPlanItem]) -> str:
    """Improvement-plan items per status, in the workflow's order."""
    counts = dict.fromkeys(ImprovementPlanItem.Status.values, 0)
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    tones = {"completed": "ok", "open": "warn"}
    return bar_chart(
        [Bar(str(label), counts[value], tones.get(value, "info")) for value, label in Item.Status.choices],
        title=_("Improvement-plan items per status"),
    )


def _plan_items(factory_id: int) -> list[ImprovementPlanItem]:
    from advisory.api.plan import plan_items

    return list(plan_items(Factory(pk=factory_id)).order_by("pk"))


def _plan_fingerprint(factory: Factory, audience: str) -> list[Any]:
    from advisory.api.plan import plan_payload

    payload = plan_payload(factory)
    return [factory.name, payload["notice"], payload["self_diagnosis_completed"],
            [(i.pk, i.updated_at) for i in payload["items"]]]  # fmt: skip


def _plan_context(factory: Factory, audience: str) -> dict[str, Any]:
    from advisory.api.plan import plan_payload

    payload = plan_payload(factory)
    return {"factory": factory, "payload": payload, "chart": plan_chart(payload["items"])}


def _report_fingerprint(report: ProgressReport, audience: str) -> list[Any]:
    items = ImprovementPlanItem.objects.filter(plan__factory_id=report.cycle.factory_id)
    return [
        report.status, report.updated_at, report.submitted_at, report.released_at, report.answers, report.computed,
        report.cycle.factory.name, report.cycle.number,
        report.sign_offs.aggregate(n=Count("pk"), last=Max("pk")),
        items.aggregate(n=Count("pk"), last=Max("updated_at")),
    ]  # fmt: skip


def _report_context(report: ProgressReport, audience: str) -> dict[str, Any]:
    """What the progress-report page shows a reader (advisory/views_reports.py), without its forms."""
    from advisory.api.reports import critical_items
    from advisory.layout import report_layout
    from advisory.services.reports import CRITICAL_RECTIFIED, plan_counts

    draft = report.status == ProgressReport.Status.DRAFT
    counts = plan_counts(report) if draft else report.computed
    layout = report_layout(report, counts)
    reported = []
    if report.number == 1 and audience == FULL:
        signed = {s.item_id: s for s in report.sign_offs.select_related("signed_by")}
        fixed = set(report.answers.get(CRITICAL_RECTIFIED, []))
        reported = [{"item": i, "sign_off": signed.get(i.pk)} for i in critical_items(report) if i.pk in fixed]
    released = report.status == ProgressReport.Status.RELEASED
    plan_items = _plan_items(report.cycle.factory_id) if released else None
    return {
        "factory": report.cycle.factory,
        "cycle": report.cycle,
        "report": report,
        "layout": layout,
        "reported": reported,
        "plan_items": plan_items,
        "chart": plan_chart(plan_items) if plan_items else "",
    }


@dataclass(frozen=True)
class Spec:
    template: str
    load: Callable[[int], Any]
    fingerprint: Callable[[Any, str], list[Any]]
    context: Callable[[Any, str], dict[str, Any]]
    title: Callable[[Any], str]
    filename: Callable[[Any], str]


def _load_assessment(pk: int) -> Assessment:
    return Assessment.objects.select_related("factory", "cycle").get(pk=pk, status__in=STARTED)


def _load_report(pk: int) -> ProgressReport:
    return ProgressReport.objects.select_related("cycle__factory", "template").get(pk=pk)


SPECS: dict[str, Spec] = {
    Kind.ASSESSMENT_REPORT: Spec(
        template="reporting/pdf/assessment_report.html",
        load=_load_assessment,
        fingerprint=_assessment_fingerprint,
        context=_assessment_context,
        title=lambda a: _("Assessment report") + f" · {a.factory.name}",
        filename=lambda a: f"assessment-{a.pk}.pdf",
    ),
    Kind.PROGRESS_REPORT: Spec(
        template="reporting/pdf/progress_report.html",
        load=_load_report,
        fingerprint=_report_fingerprint,
        context=_report_context,
        title=lambda r: _("Progress Report %(n)s") % {"n": r.number} + f" · {r.cycle.factory.name}",
        filename=lambda r: f"progress-report-{r.cycle_id}-{r.number}.pdf",
    ),
    Kind.IMPROVEMENT_PLAN: Spec(
        template="reporting/pdf/improvement_plan.html",
        load=lambda pk: Factory.objects.get(pk=pk),
        fingerprint=_plan_fingerprint,
        context=_plan_context,
        title=lambda f: _("Improvement plan") + f" · {f.name}",
        filename=lambda f: f"improvement-plan-{f.pk}.pdf",
    ),
}


def filename_of(kind: str, obj: Any) -> str:
    """The download's name: kind and ids only, never a date (RELIABILITY.md §5.4)."""
    return SPECS[kind].filename(obj)


def fingerprint_of(*, kind: str, obj: Any, language: str, audience: str) -> str:
    """`<audience>:<sha256 of what the document shows>` (fits the model's 64 characters)."""
    spec = SPECS[kind]
    digest = _digest(TEMPLATE_VERSION, kind, obj.pk, language, audience, spec.fingerprint(obj, audience))
    return f"{audience}:{digest[:56]}"


# --- requesting and rendering --------------------------------------------------------------------------------


def _send(document_id: int) -> None:
    """Send the row to the "pdf" queue, once per REDISPATCH_PENDING_AFTER whoever asks (the page polls every
    few seconds). With Redis (broker and cache) down the request still succeeds, as with
    betterwork.common.email.dispatch: the row stays pending and the next request sends it again."""
    from reporting.tasks import render_document

    key = f"reporting:pdf-sent:{document_id}"
    try:
        if cache.add(key, 1, timeout=int(REDISPATCH_PENDING_AFTER.total_seconds())):
            render_document.apply_async((document_id,), queue=PDF_QUEUE)
    except Exception:  # any broker or cache failure: the row is the source of truth
        logger.warning("broker unavailable: document %s will be sent again", document_id, exc_info=True)
        with contextlib.suppress(Exception):  # the cache is down too: nothing to forget
            cache.delete(key)


def document_request(*, kind: str, obj: Any, language: str, user: Any) -> RenderedDocument:
    """The document for this reader: ready, or pending (sent to a worker once the transaction commits).
    The caller has checked that `user` may see `obj` (R-ACC-1, R-ASM-3)."""
    fingerprint = fingerprint_of(kind=kind, obj=obj, language=language, audience=audience_of(user))
    key = {"kind": kind, "object_id": obj.pk, "language": language, "fingerprint": fingerprint}
    try:
        with transaction.atomic():
            document, created = RenderedDocument.objects.get_or_create(**key)
    except IntegrityError:  # another request created it between our get and our insert
        document, created = RenderedDocument.objects.get(**key), False
    now = timezone.now()
    if not created and document.status == Status.FAILED and document.finished_at < now - RETRY_FAILED_AFTER:
        retried = RenderedDocument.objects.filter(pk=document.pk, status=Status.FAILED).update(
            status=Status.PENDING, finished_at=None, error=""
        )
        if retried:
            cache.delete(f"reporting:pdf-sent:{document.pk}")
            document.refresh_from_db()
    if document.status == Status.PENDING:  # new, or its message was lost: `_send` sends once per period
        transaction.on_commit(lambda: _send(document.pk))
    return document


def document_render(document_id: int) -> bool:
    """Render one pending document; False when there was nothing to do (ready, failed, or another worker's)."""
    from celery.exceptions import SoftTimeLimitExceeded

    from betterwork.common.pdf import render_pdf

    claimed_at = timezone.now()
    claimed = (
        RenderedDocument.objects.filter(pk=document_id, status=Status.PENDING)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__lt=claimed_at - CLAIM_TTL))
        .update(finished_at=claimed_at)
    )
    if not claimed:
        return False
    document = RenderedDocument.objects.get(pk=document_id)
    spec = SPECS[document.kind]
    audience = document.fingerprint.split(":", 1)[0]
    try:
        obj = spec.load(document.object_id)
        with translation.override(document.language):
            title = spec.title(obj)
            context = spec.context(obj, audience)
        rendered = render_pdf(spec.template, context, language=document.language, title=title)
    except SoftTimeLimitExceeded:
        _fail(document_id, claimed_at, "The document took too long to make.")
        raise
    except Exception as error:  # a broken template or vanished object: record it, the reader sees "failed"
        logger.exception("rendering %s %s failed", document.kind, document.object_id)
        _fail(document_id, claimed_at, f"{type(error).__name__}: {error}"[:2000])
        return False
    name = f"{document.kind}-{document.object_id}-{document.language}-{document.pk}.pdf"
    document.file.save(name, ContentFile(rendered.content), save=False)
    done = RenderedDocument.objects.filter(pk=document_id, status=Status.PENDING, finished_at=claimed_at).update(
        status=Status.READY, file=document.file.name, size=len(rendered.content), pages=rendered.pages,
        finished_at=timezone.now(), error="",
    )  # fmt: skip
    if not done:  # another worker took the claim over meanwhile and finished first
        document.file.delete(save=False)
        return False
    _forget_superseded(document)
    return True


def _fail(document_id: int, claimed_at: Any, error: str) -> None:
    RenderedDocument.objects.filter(pk=document_id, status=Status.PENDING, finished_at=claimed_at).update(
        status=Status.FAILED, error=error, finished_at=timezone.now()
    )


def _forget_superseded(document: RenderedDocument) -> None:
    """Older documents of the same object, language and audience are never served again: drop their files."""
    audience = document.fingerprint.split(":", 1)[0]
    older = RenderedDocument.objects.filter(
        kind=document.kind, object_id=document.object_id, language=document.language,
        fingerprint__startswith=f"{audience}:", requested_at__lt=document.requested_at,
    ).exclude(status=Status.PENDING)  # fmt: skip
    for old in older:
        if old.file:
            old.file.delete(save=False)
        old.delete()
