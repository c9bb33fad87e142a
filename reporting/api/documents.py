"""Report PDFs through the API (API.md: `GET /api/v1/assessments/{id}/report.pdf` — the released report as PDF;
R-RPT-5, R-ACC-1/2, R-ASM-3).

* `GET assessments/{id}/report.pdf` — the programme's staff: any started assessment of their country; the
  factory: from submission (an assessment whose findings it cannot see yet answers 404); buyers: published
  reports of factories that authorise them, while they do.
* `GET cycles/{id}/progress-reports/{1|2}/report.pdf` — whoever may read the report
  (advisory.api.reports.report_for: buyers only once released, while authorised).
* `GET factories/{id}/improvement-plan.pdf` — whoever sees the factory's plan (its users, its country's staff,
  the buyers it authorises).

Ready → 200 `application/pdf` as an attachment named without dates; otherwise 202
`{"status": "pending"|"failed", "url": <this URL>}` with `Retry-After`: ask again. Hidden → 404, also when a
PDF was cached before a buyer's authorisation was revoked (visibility is checked on every request). Buyer
downloads are logged (R-ACC-2); polls that get a 202 are not reads.

These URLs end in `.pdf` without a trailing slash, which the shared router (trailing slash on every route)
cannot express: the module exports `urlpatterns` for `betterwork/api_urls.py`, placed before the router's.
"""

from typing import Any

from django.http import FileResponse, Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from advisory.api.reports import report_for
from advisory.models import ProgressReport
from assessments.models import Assessment, Finding
from betterwork.accounts.policy import get_visible_or_404, visible
from betterwork.common.api.permissions import VIEW
from factories.models import Factory
from factories.services.buyers import buyer_read_record
from reporting.documents import STARTED, document_request, filename_of, reader_language
from reporting.models.documents import RenderedDocument

Kind = RenderedDocument.Kind
RETRY_AFTER = 2  # seconds: a 10-page report takes about as long


def assessment_for_pdf(user: Any, pk: int) -> Assessment:
    """The assessment whose report `user` may download, or Http404 (R-ASM-3: started ones only, and only once
    the user can see its findings: a factory sees nothing before submission)."""
    assessment = visible(user, Assessment).select_related("factory", "cycle").filter(pk=pk, status__in=STARTED).first()
    if assessment is None or not visible(user, Finding).filter(assessment=assessment).exists():
        raise Http404
    return assessment


def report_for_pdf(user: Any, cycle_id: int, number: int) -> ProgressReport:
    """The progress report `user` may read (advisory's own rule), or Http404."""
    if number not in (1, 2):
        raise Http404
    report = report_for(user, cycle_id, number, channel="api", log=False)
    return ProgressReport.objects.select_related("cycle__factory", "template").get(pk=report.pk)


def plan_factory_for_pdf(user: Any, pk: int) -> Factory:
    return get_visible_or_404(user, Factory, pk=pk)


def factory_of(kind: str, obj: Any) -> Factory:
    if kind == Kind.ASSESSMENT_REPORT:
        return obj.factory
    if kind == Kind.PROGRESS_REPORT:
        return obj.cycle.factory
    return obj


def deliver(kind: str, obj: Any, user: Any, *, channel: str) -> tuple[RenderedDocument, FileResponse | None]:
    """The document for this reader, and the file response when it is ready (the read is logged then)."""
    document = document_request(kind=kind, obj=obj, language=reader_language(user), user=user)
    if document.status != RenderedDocument.Status.READY:
        return document, None
    buyer_read_record(user=user, factory=factory_of(kind, obj), kind=kind, object_id=obj.pk, channel=channel)
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=filename_of(kind, obj), content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # a revoked buyer must not keep reading it from a cache
    return document, response


PENDING = inline_serializer(
    "DocumentPending",
    {
        "status": serializers.ChoiceField(choices=["pending", "failed"]),
        "url": serializers.URLField(help_text="Ask this URL again (after Retry-After seconds)."),
    },
)
PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF, as an attachment."),
    202: OpenApiResponse(PENDING, description="Being made: ask again after Retry-After seconds."),
    404: OpenApiResponse(description="No such document for this user."),
}


class DocumentViewSet(viewsets.ViewSet):
    """Report PDFs (R-RPT-5). Visibility comes from each report's own rule; hidden → 404."""

    policy = {"assessment_report": VIEW, "progress_report": VIEW, "improvement_plan": VIEW}  # visibility decides

    def _answer(self, request: Request, kind: str, obj: Any) -> Any:
        document, response = deliver(kind, obj, request.user, channel="api")
        if response is not None:
            return response
        pending = Response(
            {"status": document.status, "url": request.build_absolute_uri(request.path)},
            status=status.HTTP_202_ACCEPTED,
        )
        pending["Retry-After"] = str(RETRY_AFTER)
        return pending

    @extend_schema(responses=PDF_RESPONSES, operation_id="assessments_report_pdf")
    def assessment_report(self, request: Request, pk: int) -> Any:
        return self._answer(request, Kind.ASSESSMENT_REPORT, assessment_for_pdf(request.user, int(pk)))

    @extend_schema(
        responses=PDF_RESPONSES,
        operation_id="cycles_progress_report_pdf",
        parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH, enum=[1, 2])],
    )
    def progress_report(self, request: Request, pk: int, number: int) -> Any:
        return self._answer(request, Kind.PROGRESS_REPORT, report_for_pdf(request.user, int(pk), int(number)))

    @extend_schema(responses=PDF_RESPONSES, operation_id="factories_improvement_plan_pdf")
    def improvement_plan(self, request: Request, pk: int) -> Any:
        return self._answer(request, Kind.IMPROVEMENT_PLAN, plan_factory_for_pdf(request.user, int(pk)))


# Before the router's URLs in betterwork/api_urls.py: `*documents_api.urlpatterns,`.
urlpatterns = [
    path("assessments/<int:pk>/report.pdf", DocumentViewSet.as_view({"get": "assessment_report"}),
         name="assessment-report-pdf"),
    path("cycles/<int:pk>/progress-reports/<int:number>/report.pdf",
         DocumentViewSet.as_view({"get": "progress_report"}), name="cycle-progress-report-pdf"),
    path("factories/<int:pk>/improvement-plan.pdf", DocumentViewSet.as_view({"get": "improvement_plan"}),
         name="factory-improvement-plan-pdf"),
]  # fmt: skip
