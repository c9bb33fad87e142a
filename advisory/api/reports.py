"""Progress reports (API.md "Progress reports", R-RPT-2/3/4, R-ACC-1/2).

`GET|PUT /api/v1/cycles/{id}/progress-reports/{1|2}/`, and `.../submit/`, `.../sign-off/`, `.../release/`.
The services in advisory.services.reports do every rule; this module only finds the report the caller may
see and shapes the answer. Buyers see a report only once released and only while authorised (else 404);
their reads are logged (R-ACC-2). Nothing here says when the assessment falls (R-ASM-3).
"""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from advisory.models import ImprovementPlanItem, ProgressReport
from advisory.services.plan import plan_for
from advisory.services.reports import (
    CRITICAL_RECTIFIED,
    plan_counts,
    questions,
    report_get,
    report_release,
    report_save_draft,
    report_sign_off,
    report_submit,
)
from betterwork.accounts.models import Role
from betterwork.accounts.policy import get_visible_or_404
from betterwork.common.api.permissions import VIEW
from betterwork.common.exceptions import ApplicationError
from factories.models import ServiceCycle
from factories.services.buyers import buyer_read_record

NUMBER = r"progress-reports/(?P<number>[12])"


def is_buyer(user: Any) -> bool:
    return getattr(user, "effective_role", None) == Role.BUYER


def report_for(user: Any, cycle_id: int, number: int, *, channel: str, log: bool = True) -> ProgressReport:
    """The report the user may see, or Http404. Factory users and the country's staff: the report (a draft
    is created on first access). Buyers: only a released report of a factory that authorises them."""
    cycle = get_visible_or_404(user, ServiceCycle, pk=cycle_id)
    if is_buyer(user):
        report = (
            ProgressReport.objects.filter(cycle=cycle, number=number, status=ProgressReport.Status.RELEASED)
            .select_related("cycle__factory")
            .first()
        )
        if report is None:
            raise Http404
        if log:
            buyer_read_record(
                user=user, factory=report.cycle.factory, kind="progress_report", object_id=report.pk, channel=channel
            )
        return report
    report = report_get(cycle=cycle, number=number)
    return ProgressReport.objects.select_related("cycle__factory", "template").get(pk=report.pk)


def critical_items(report: ProgressReport) -> list[ImprovementPlanItem]:
    """PR1: the factory's critical-issue items, which it may report as fixed."""
    return list(
        ImprovementPlanItem.objects.filter(plan__factory_id=report.cycle.factory_id, critical_issue__isnull=False)
        .select_related("critical_issue")
        .order_by("pk")
    )


def report_data(report: ProgressReport, *, for_buyer: bool = False) -> dict[str, Any]:
    draft = report.status == ProgressReport.Status.DRAFT
    data: dict[str, Any] = {
        "id": report.pk,
        "cycle": report.cycle_id,
        "number": report.number,
        "status": report.status,
        "answers": report.answers,
        "computed": {} if draft else report.computed,
        "questions": questions(report),
        "submitted_at": report.submitted_at,
        "released_at": report.released_at,
        "sign_offs": [
            {"item": s.item_id, "note": s.note, "signed_by": s.signed_by_id, "signed_at": s.signed_at}
            for s in report.sign_offs.all().order_by("pk")
        ],
    }
    if draft:
        data["live_counts"] = plan_counts(report)
    if report.number == 1 and not for_buyer:
        data["critical_items"] = [
            {"id": i.pk, "critical_issue": i.critical_issue_id, "text": i.text, "status": i.status}
            for i in critical_items(report)
        ]
    if report.status == ProgressReport.Status.RELEASED:
        # R-RPT-4: a released report comes with the current improvement plan.
        items = plan_for(report.cycle.factory).items.order_by("pk")
        data["improvement_plan"] = [
            {
                "id": i.pk,
                "source": i.source,
                "cluster": i.cluster_id,
                "text": i.text,
                "action": i.action,
                "status": i.status,
                "critical_issue": i.critical_issue_id,
            }
            for i in items
        ]
    return data


class AnswersInputSerializer(serializers.Serializer):
    answers = serializers.DictField(help_text="Answers keyed by the template's question keys; merged into the draft.")


class SignOffInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The critical-issue improvement-plan item the factory reports fixed.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReportOutputSerializer(serializers.Serializer):
    """Shape of the answer (documentation only; the view builds the dict)."""

    id = serializers.IntegerField()
    cycle = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ProgressReport.Status.choices)
    answers = serializers.DictField()
    computed = serializers.DictField(help_text="Plan counts taken at submission (empty while a draft).")
    live_counts = serializers.DictField(required=False, help_text="While a draft: the plan counts today.")
    questions = serializers.ListField(child=serializers.DictField())
    submitted_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    sign_offs = serializers.ListField(child=serializers.DictField())


NUMBER_PARAM = OpenApiParameter("number", int, OpenApiParameter.PATH, enum=[1, 2])


class ProgressReportViewSet(viewsets.GenericViewSet):
    """Progress Report 1 (the factory writes and releases it; the advisor signs off the critical issues it
    reports fixed) and 2 (the advisor writes it, the programme manager releases it)."""

    policy_model = ServiceCycle
    policy = {"report": VIEW, "submit": VIEW, "sign_off": VIEW, "release": VIEW}  # the services decide
    serializer_class = ReportOutputSerializer
    queryset = ServiceCycle.objects.none()
    lookup_value_regex = r"\d+"

    def _report(self, pk: str, number: str, *, log: bool = True) -> ProgressReport:
        report = report_for(self.request.user, int(pk), int(number), channel="api", log=log)
        if is_buyer(self.request.user) and self.request.method != "GET":
            raise Http404  # buyers read; nothing else exists for them
        return report

    def _answer(self, report_id: int) -> Response:
        report = ProgressReport.objects.select_related("cycle__factory", "template").get(pk=report_id)
        return Response(report_data(report, for_buyer=is_buyer(self.request.user)))

    @extend_schema(parameters=[NUMBER_PARAM], request=AnswersInputSerializer, responses=ReportOutputSerializer)
    @action(detail=True, methods=["get", "put"], url_path=NUMBER, url_name="progress-report")
    def report(self, request: Request, pk: str | None = None, number: str = "1") -> Response:
        report = self._report(pk, number, log=request.method == "GET")
        if request.method == "PUT":
            payload = AnswersInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            report_save_draft(report_id=report.pk, actor=request.user, answers=payload.validated_data["answers"])
        return self._answer(report.pk)

    @extend_schema(parameters=[NUMBER_PARAM], request=None, responses=ReportOutputSerializer)
    @action(detail=True, methods=["post"], url_path=NUMBER + "/submit", url_name="progress-report-submit")
    def submit(self, request: Request, pk: str | None = None, number: str = "1") -> Response:
        report = self._report(pk, number, log=False)
        report_submit(report_id=report.pk, actor=request.user)
        return self._answer(report.pk)

    @extend_schema(parameters=[NUMBER_PARAM], request=SignOffInputSerializer, responses=ReportOutputSerializer)
    @action(detail=True, methods=["post"], url_path=NUMBER + "/sign-off", url_name="progress-report-sign-off")
    def sign_off(self, request: Request, pk: str | None = None, number: str = "1") -> Response:
        report = self._report(pk, number, log=False)
        payload = SignOffInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if report.number != 1:
            raise ApplicationError(_("Critical issues are signed off on a submitted Progress Report 1."))
        report_sign_off(
            report_id=report.pk,
            item_id=payload.validated_data["item"],
            actor=request.user,
            note=payload.validated_data["note"],
        )
        return self._answer(report.pk)

    @extend_schema(parameters=[NUMBER_PARAM], request=None, responses=ReportOutputSerializer)
    @action(detail=True, methods=["post"], url_path=NUMBER + "/release", url_name="progress-report-release")
    def release(self, request: Request, pk: str | None = None, number: str = "1") -> Response:
        report = self._report(pk, number, log=False)
        report_release(report_id=report.pk, actor=request.user)
        return self._answer(report.pk)


def register(router: DefaultRouter) -> None:
    router.register("cycles", ProgressReportViewSet, basename="cycle-progress-report")


__all__ = ["CRITICAL_RECTIFIED", "register", "report_data", "report_for"]
