"""Report PDFs in the browser (R-RPT-5): `/documents/...pdf` serves the file once made and, meanwhile, a page
that says it is being made and reloads itself every few seconds (`<meta http-equiv="refresh">`: no script).

Who may download what is each report's own rule (reporting.api.documents: the same finders as the API);
hidden → 404, also after a buyer's authorisation is revoked even though the PDF is cached. Buyer downloads are
logged (R-ACC-2, channel "web"); the progress page is not a read.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from reporting.api.documents import (
    RETRY_AFTER,
    assessment_for_pdf,
    deliver,
    plan_factory_for_pdf,
    report_for_pdf,
)
from reporting.models.documents import RenderedDocument

Kind = RenderedDocument.Kind


def _answer(request: HttpRequest, kind: str, obj: Any, back: str) -> HttpResponse:
    document, response = deliver(kind, obj, request.user, channel="web")
    if response is not None:
        return response
    failed = document.status == RenderedDocument.Status.FAILED
    page = render(
        request,
        "reporting/document_status.html",
        {"document": document, "failed": failed, "refresh": RETRY_AFTER, "back": back, "title": str(document)},
        status=202,
    )
    page["Retry-After"] = str(RETRY_AFTER)
    page["Cache-Control"] = "no-store"
    return page


@login_required
def assessment_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_pdf(request.user, pk)
    return _answer(request, Kind.ASSESSMENT_REPORT, assessment, f"/assessments/{assessment.pk}/")


@login_required
def progress_report_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report = report_for_pdf(request.user, pk, number)
    return _answer(request, Kind.PROGRESS_REPORT, report, f"/factories/{report.cycle.factory_id}/reports/{number}/")


@login_required
def improvement_plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    factory = plan_factory_for_pdf(request.user, pk)
    return _answer(request, Kind.IMPROVEMENT_PLAN, factory, f"/factories/{factory.pk}/plan/")


# Included under "documents/".
urlpatterns = [
    path("assessments/<int:pk>/report.pdf", assessment_report_pdf, name="document-assessment-report"),
    path("cycles/<int:pk>/progress-reports/<int:number>/report.pdf", progress_report_pdf,
         name="document-progress-report"),
    path("factories/<int:pk>/improvement-plan.pdf", improvement_plan_pdf, name="document-improvement-plan"),
]  # fmt: skip
