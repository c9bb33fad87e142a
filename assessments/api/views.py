"""/api/v1/ for the question bank and assessments (API.md "Assessment tool (CAT)", "Assessments").

* `GET cat/questions/` — public reference data; filters `critical_issue`, `cluster`, `country`, `version`
  (default: the current version), `tool` (full|focused), `search`.
* `assessments/` — list (summary rows), create (plan, R-ASM-3), `{id}/` detail with the findings the caller
  may see, `PATCH {id}/` to reschedule a planned assessment (planned_date, modality, assessors, days), and
  one POST action per step of the lifecycle: `cancel`, `start`, `PUT findings`, `access-denied`, `evidence`
  (and `GET evidence/{evidence_id}/` for the country's staff), `submit`, `responses`, `replies`,
  `accept-findings`, `finalise`, `revisions`, `publish`. `GET due/` ranks the factories due for assessment
  (R-ASM-4) and `POST priority-notes/` adds stakeholder feedback or an override.

Views stay thin: every rule lives in `assessments.services`. Visibility comes from the queryset (hidden →
404, R-ASM-3); a visible assessment the caller may not act on → 403; a transition in the wrong state → 409.
No ordering backend and no filter touch the planned date: unknown query parameters have no effect.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from assessments.api.filtersets import AssessmentFilterSet, QuestionFilterSet
from assessments.api.serializers import (
    AnswerInputSerializer,
    AssessmentOutputSerializer,
    AssessmentSummarySerializer,
    CandidateOutputSerializer,
    EvidenceInputSerializer,
    EvidenceOutputSerializer,
    FindingOutputSerializer,
    MessageInputSerializer,
    MessageOutputSerializer,
    NotesInputSerializer,
    PlanInputSerializer,
    PriorityNoteInputSerializer,
    PriorityNoteOutputSerializer,
    QuestionOutputSerializer,
    ReasonInputSerializer,
    RescheduleInputSerializer,
    RevisionInputSerializer,
    RevisionOutputSerializer,
    SavedOutputSerializer,
    StartInputSerializer,
    SubmitInputSerializer,
    is_staff,
)
from assessments.models import Assessment, Evidence, Finding, FindingMessage, Question
from assessments.services.feedback import (
    assessment_finalise,
    assessment_publish,
    finding_reply,
    finding_respond,
    finding_revise,
    findings_accept,
)
from assessments.services.fieldwork import access_denied as access_denied_record
from assessments.services.fieldwork import assessment_start, assessment_submit, evidence_add, findings_save
from assessments.services.priority import due_for_assessment, note_add
from assessments.services.questions import questions_of
from assessments.services.schedule import assessment_cancel, assessment_plan, assessment_reschedule
from betterwork.accounts.policy import may, visible
from betterwork.common.api.permissions import PUBLIC, VIEW
from betterwork.common.api.views import PolicyViewSetMixin
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.services.buyers import buyer_read_record

FINDING_ORDER = ("question__cluster__position", "question__compliance_point__position", "question__position",
                 "question__code")  # fmt: skip


class QuestionViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The assessment tool's questions (public reference data, R-ASM-1/2)."""

    policy_model = Question
    policy = {"list": PUBLIC}
    serializer_class = QuestionOutputSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = QuestionFilterSet
    search_fields = ("code", "global_code", "text")


def findings_for(user: Any) -> QuerySet[Finding]:
    """The findings `user` may see (factory users: from submission on), with everything the detail shows, in a
    fixed number of queries whatever the number of questions."""
    messages = FindingMessage.objects.select_related("author").order_by("created_at", "pk")
    return (
        visible(user, Finding)
        .select_related("question")
        .prefetch_related(Prefetch("messages", queryset=messages))
        .order_by(*FINDING_ORDER)
    )


def _today(user: Any) -> Any:
    country = getattr(user, "country", None)
    return country.local_today() if country is not None else timezone.localdate()


class AssessmentViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """Assessments the caller may see (R-ASM-3: a planned or cancelled one does not exist for factory and
    buyer users; buyers see published reports of factories that authorise them). `planned_date`, `days` and
    `assessors` appear for programme staff only."""

    policy_model = Assessment
    policy = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": VIEW,  # the service checks who may plan (the country's programme manager, a global admin)
        "partial_update": "manage",
        "cancel": "manage",
        "start": "conduct",
        "findings": "conduct",
        "access_denied": "conduct",
        "evidence": "conduct",
        "evidence_file": VIEW,  # the country's staff only; anyone else gets 404 (never confirm it exists)
        "submit": "conduct",
        "responses": "respond",
        "replies": "discuss",
        "accept_findings": "respond",
        "finalise": "manage",
        "revisions": "manage",
        "publish": "manage",
        "due": VIEW,  # programme staff only (checked in the view)
        "priority_notes": VIEW,  # the service checks who may plan
    }
    filter_backends = [DjangoFilterBackend]  # no OrderingFilter: nothing orders by the planned date (R-ASM-3)
    filterset_class = AssessmentFilterSet
    lookup_value_regex = r"[0-9]+"

    def get_serializer_class(self) -> type:
        return AssessmentSummarySerializer if self.action == "list" else AssessmentOutputSerializer

    def scoped_queryset(self, queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
        queryset = queryset.select_related("factory")
        if self.action == "list" and is_staff(self.request.user):
            queryset = queryset.select_related("schedule").prefetch_related("assessors")
        return queryset

    def detail_queryset(self) -> QuerySet[Assessment]:
        user = self.request.user
        queryset = (
            visible(user, Assessment)
            .select_related("factory")
            .prefetch_related(Prefetch("findings", queryset=findings_for(user), to_attr="shown_findings"))
        )
        if is_staff(user):
            queryset = queryset.select_related("schedule").prefetch_related("assessors")
        return queryset

    def _out(self, assessment: Assessment, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.detail_queryset().get(pk=assessment.pk)
        return Response(AssessmentOutputSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @staticmethod
    def _payload(serializer_class: type, request: Request, **kwargs: Any) -> dict[str, Any]:
        payload = serializer_class(data=request.data, **kwargs)
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    # Reading ---------------------------------------------------------------------------------------------

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        buyer_read_record(
            user=request.user, factory=assessment.factory, kind="assessment_report", object_id=assessment.pk,
            channel="api",
        )  # fmt: skip
        return self._out(assessment)

    # Planning (R-ASM-3, R-CYC-2) -------------------------------------------------------------------------

    @extend_schema(request=PlanInputSerializer, responses={201: AssessmentOutputSerializer})
    def create(self, request: Request) -> Response:
        """Plan an assessment (the country's programme manager): `status` "planned"."""
        data = self._payload(PlanInputSerializer, request, context=self.get_serializer_context())
        assessment = assessment_plan(
            factory=data["factory"], actor=request.user, planned_date=data["planned_date"], modality=data["modality"],
            assessors=data["assessors"], days=data["days"],
        )  # fmt: skip
        return self._out(assessment, status.HTTP_201_CREATED)

    @extend_schema(request=RescheduleInputSerializer, responses=AssessmentOutputSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Reschedule a planned assessment: any of `planned_date`, `modality`, `assessors`, `days`."""
        assessment = self.get_object()
        given = set(request.data) if isinstance(request.data, dict) else set()
        refused = sorted(given - set(RescheduleInputSerializer().fields))
        if refused:
            raise ValidationError({name: [_("This field cannot be changed here.")] for name in refused})
        data = self._payload(RescheduleInputSerializer, request)
        return self._out(assessment_reschedule(assessment_id=assessment.pk, actor=request.user, **data))

    @extend_schema(request=ReasonInputSerializer, responses=AssessmentOutputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        data = self._payload(ReasonInputSerializer, request)
        return self._out(assessment_cancel(assessment_id=assessment.pk, actor=request.user, reason=data["reason"]))

    # Fieldwork (R-ASM-5/7) -------------------------------------------------------------------------------

    @extend_schema(request=StartInputSerializer, responses=AssessmentOutputSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        data = self._payload(StartInputSerializer, request)
        started = assessment_start(assessment_id=assessment.pk, actor=request.user, started_on=data.get("started_on"))
        return self._out(started)

    @extend_schema(request=AnswerInputSerializer(many=True), responses=SavedOutputSerializer)
    @action(detail=True, methods=["put"])
    def findings(self, request: Request, pk: str | None = None) -> Response:
        """Record answers: each replaces the earlier answer to its question; others stay."""
        assessment = self.get_object()
        if not isinstance(request.data, list):
            raise ApplicationError(_('Send a list of answers: [{"question", "result", "notes"}].'))
        payload = AnswerInputSerializer(data=request.data, many=True)
        if not payload.is_valid():
            errors: dict[str, list[str]] = {}
            found = payload.errors  # {index: {field: [...]}} (DRF ≥ 3.15) or [{field: [...]}, …]
            for index, problems in found.items() if isinstance(found, dict) else enumerate(found):
                if isinstance(problems, dict):
                    for field, messages in problems.items():
                        errors.setdefault(field, []).extend(f"#{int(index) + 1}: {m}" for m in messages)
            raise ValidationError(errors or {"detail": _("Send a list of answers.")})
        saved = findings_save(assessment_id=assessment.pk, actor=request.user,
                              answers=[dict(answer) for answer in payload.validated_data])  # fmt: skip
        return Response(
            {"saved": saved, "answered": assessment.findings.count(), "total": questions_of(assessment).count()}
        )

    @extend_schema(request=NotesInputSerializer, responses=FindingOutputSerializer)
    @action(detail=True, methods=["post"], url_path="access-denied")
    def access_denied(self, request: Request, pk: str | None = None) -> Response:
        """R-ASM-7: access refused → critical issue PI-1 (the finding is returned)."""
        assessment = self.get_object()
        data = self._payload(NotesInputSerializer, request)
        finding = access_denied_record(assessment_id=assessment.pk, actor=request.user, notes=data["notes"])
        finding = findings_for(request.user).get(pk=finding.pk)
        return Response(FindingOutputSerializer(finding, context=self.get_serializer_context()).data)

    @extend_schema(request={"multipart/form-data": EvidenceInputSerializer}, responses={201: EvidenceOutputSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """A photo (JPEG, PNG) or a PDF behind an answered question; stored privately."""
        assessment = self.get_object()
        data = self._payload(EvidenceInputSerializer, request)
        evidence = evidence_add(assessment_id=assessment.pk, actor=request.user, question=data["question"],
                                upload=data["file"])  # fmt: skip
        evidence = Evidence.objects.select_related("finding__question").get(pk=evidence.pk)
        return Response(EvidenceOutputSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("evidence_id", int, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_id>[0-9]+)")
    def evidence_file(self, request: Request, pk: str | None = None, evidence_id: str | None = None) -> Any:
        """Download one evidence file: the country's programme staff only (anyone else: 404)."""
        assessment = self.get_object()
        if not may(request.user, "see_evidence", assessment):
            raise Http404
        evidence = Evidence.objects.filter(pk=evidence_id, finding__assessment=assessment).first()
        if evidence is None:
            raise Http404
        response = FileResponse(
            evidence.file.open("rb"), as_attachment=True, filename=evidence.name, content_type=evidence.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(request=SubmitInputSerializer, responses=AssessmentOutputSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """→ "feedback": the factory is informed; the deadline is the fifth working day after (R-ASM-6)."""
        assessment = self.get_object()
        data = self._payload(SubmitInputSerializer, request)
        submitted = assessment_submit(
            assessment_id=assessment.pk, actor=request.user, submitted_on=data.get("submitted_on")
        )
        return self._out(submitted)

    # Feedback, finalisation, publication (R-ASM-6, R-RPT-1) ---------------------------------------------

    def _message(self, service: Any, request: Request) -> Response:
        assessment = self.get_object()
        data = self._payload(MessageInputSerializer, request)
        message = service(assessment_id=assessment.pk, actor=request.user, question=data["question"], text=data["text"])
        message = FindingMessage.objects.select_related("author", "finding__question").get(pk=message.pk)
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MessageInputSerializer, responses={201: MessageOutputSerializer})
    @action(detail=True, methods=["post"])
    def responses(self, request: Request, pk: str | None = None) -> Response:
        """The factory's response to a finding, until the end of the feedback deadline."""
        return self._message(finding_respond, request)

    @extend_schema(request=MessageInputSerializer, responses={201: MessageOutputSerializer})
    @action(detail=True, methods=["post"])
    def replies(self, request: Request, pk: str | None = None) -> Response:
        """The programme's reply in a finding's thread, during the feedback period."""
        return self._message(finding_reply, request)

    @extend_schema(request=None, responses=AssessmentOutputSerializer)
    @action(detail=True, methods=["post"], url_path="accept-findings")
    def accept_findings(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        return self._out(findings_accept(assessment_id=assessment.pk, actor=request.user))

    @extend_schema(request=None, responses=AssessmentOutputSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, pk: str | None = None) -> Response:
        """Once the feedback period is over: every non-compliance joins the improvement plan."""
        assessment = self.get_object()
        return self._out(assessment_finalise(assessment_id=assessment.pk, actor=request.user))

    @extend_schema(request=RevisionInputSerializer, responses={201: RevisionOutputSerializer})
    @action(detail=True, methods=["post"])
    def revisions(self, request: Request, pk: str | None = None) -> Response:
        """An audited correction to a finalised assessment."""
        assessment = self.get_object()
        data = self._payload(RevisionInputSerializer, request)
        revision = finding_revise(assessment_id=assessment.pk, actor=request.user, **data)
        return Response(RevisionOutputSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AssessmentOutputSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        return self._out(assessment_publish(assessment_id=assessment.pk, actor=request.user))

    # Priorities (R-ASM-4) --------------------------------------------------------------------------------

    @extend_schema(responses=CandidateOutputSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def due(self, request: Request) -> Response:
        """Factories due for assessment in the caller's scope, highest priority first, with the reasons."""
        if not is_staff(request.user):
            raise NotPermitted(_("Only programme staff rank factories for assessment."))
        candidates = due_for_assessment(request.user, today=_today(request.user))
        return Response(CandidateOutputSerializer(candidates, many=True).data)

    @extend_schema(request=PriorityNoteInputSerializer, responses={201: PriorityNoteOutputSerializer})
    @action(detail=False, methods=["post"], url_path="priority-notes", pagination_class=None, filter_backends=[])
    def priority_notes(self, request: Request) -> Response:
        """Stakeholder feedback or a manual override of a factory's priority (the programme manager)."""
        data = self._payload(PriorityNoteInputSerializer, request, context=self.get_serializer_context())
        note = note_add(factory=data["factory"], actor=request.user, kind=data["kind"], points=data["points"],
                        reason=data["reason"])  # fmt: skip
        return Response(PriorityNoteOutputSerializer(note).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    router.register("cat/questions", QuestionViewSet, basename="question")
    router.register("assessments", AssessmentViewSet, basename="assessment")
