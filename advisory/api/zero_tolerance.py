"""`/api/v1/zero-tolerance-cases/` (R-ADV-7): programme staff of the factory's country open a case, keep its log
and close it with a note. Factory and buyer users never see a case (404)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from advisory.models import AdvisoryVisit, ZeroToleranceCase, ZeroToleranceLogEntry
from advisory.services.zero_tolerance import case_close, case_log, case_open
from betterwork.accounts.policy import visible
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet
from factories.models import Factory


class LogEntryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ZeroToleranceLogEntry
        fields = ("id", "author", "at", "text")
        read_only_fields = fields


class CaseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ZeroToleranceCase
        fields = (
            "id", "factory", "category", "description", "visit", "assessment_reference", "status",
            "opened_by", "opened_at", "closed_by", "closed_at", "closure_note",
        )  # fmt: skip
        read_only_fields = fields


class CaseDetailOutputSerializer(CaseOutputSerializer):
    log = LogEntryOutputSerializer(many=True, read_only=True)

    class Meta(CaseOutputSerializer.Meta):
        fields = (*CaseOutputSerializer.Meta.fields, "log")
        read_only_fields = fields


class CaseInputSerializer(serializers.Serializer):
    factory = serializers.PrimaryKeyRelatedField(queryset=Factory.objects.none())
    category = serializers.ChoiceField(choices=ZeroToleranceCase.Category.choices)
    description = serializers.CharField(max_length=20_000)
    visit = serializers.PrimaryKeyRelatedField(queryset=AdvisoryVisit.objects.none(), required=False, allow_null=True)
    assessment_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        if request is not None:
            staff = request.user.is_programme_staff  # factory and buyer users: no factory to name, 400
            self.fields["factory"].queryset = visible(request.user, Factory) if staff else Factory.objects.none()
            self.fields["visit"].queryset = visible(request.user, AdvisoryVisit)


class LogInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20_000)


class CloseInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=20_000)


class ZeroToleranceCaseViewSet(PolicyReadOnlyViewSet):
    """Zero-tolerance cases (R-ADV-7). Opening one alerts the country's programme managers at once."""

    policy_model = ZeroToleranceCase
    policy = {"list": VIEW, "retrieve": VIEW, "create": VIEW, "log": VIEW, "close": VIEW}  # the services check
    filterset_fields = ("factory", "status", "category")
    ordering_fields = ("opened_at",)

    def scoped_queryset(self, queryset):
        queryset = queryset.select_related("factory")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("log")
        return queryset.order_by("-opened_at", "-id")

    def get_serializer_class(self):
        return CaseDetailOutputSerializer if self.action == "retrieve" else CaseOutputSerializer

    @extend_schema(request=CaseInputSerializer, responses={201: CaseDetailOutputSerializer})
    def create(self, request: Request) -> Response:
        payload = CaseInputSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = {k: v for k, v in payload.validated_data.items() if v not in (None, "")}
        case = case_open(actor=request.user, **data)
        return Response(CaseDetailOutputSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LogInputSerializer, responses={201: LogEntryOutputSerializer})
    @action(detail=True, methods=["post"])
    def log(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        payload = LogInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = case_log(case_id=case.pk, actor=request.user, text=payload.validated_data["text"])
        return Response(LogEntryOutputSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CloseInputSerializer, responses={200: CaseDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        payload = CloseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = case_close(case_id=case.pk, actor=request.user, note=payload.validated_data["note"])
        case = ZeroToleranceCase.objects.prefetch_related("log").get(pk=case.pk)
        return Response(CaseDetailOutputSerializer(case).data)


def register(router: DefaultRouter) -> None:
    router.register("zero-tolerance-cases", ZeroToleranceCaseViewSet, basename="zerotolerancecase")
