"""`GET /api/v1/cycles/` and `/{id}/` with milestones (API.md). Factory and buyer users never receive the
assessment milestone's date (R-ASM-3): the field is null for them, whatever its state."""

from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from betterwork.accounts.policy import visible
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet
from factories.models import Factory, Milestone, OnsiteException, ServiceCycle
from factories.services.common import require
from factories.services.cycles import cycle_replan
from factories.services.phases import onsite_exception_grant

SECRET_FROM_FACTORY = frozenset({Milestone.Kind.ASSESSMENT})


def sees_assessment_dates(user: Any) -> bool:
    return bool(user.is_programme_staff)


class MilestoneOutputSerializer(serializers.ModelSerializer):
    """For factory and buyer users the assessment has no date, and no state computed from one ("due",
    "overdue" would say when it falls): only planned, done or cancelled."""

    state = serializers.SerializerMethodField()
    due_date = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ("kind", "due_date", "state", "done_at", "owner")
        read_only_fields = fields

    def _hidden(self, milestone: Milestone) -> bool:
        return milestone.kind in SECRET_FROM_FACTORY and not sees_assessment_dates(self.context["request"].user)

    def get_due_date(self, milestone: Milestone) -> date | None:
        return None if self._hidden(milestone) else milestone.due_date

    def get_state(self, milestone: Milestone) -> str:
        return milestone.state if self._hidden(milestone) else milestone.current_state


class CycleOutputSerializer(serializers.ModelSerializer):
    milestones = serializers.SerializerMethodField()

    class Meta:
        model = ServiceCycle
        fields = ("id", "factory", "number", "start_date", "end_date", "status", "milestones")
        read_only_fields = fields

    def get_milestones(self, cycle: ServiceCycle) -> list[dict]:
        milestones = cycle.milestones.all()
        if not sees_assessment_dates(self.context["request"].user):
            # The order by date would betray where the assessment falls: factory eyes get a fixed order.
            milestones = sorted(milestones, key=lambda m: Milestone.Kind.values.index(m.kind))
        return MilestoneOutputSerializer(milestones, many=True, context=self.context).data


class ReplanInputSerializer(serializers.Serializer):
    start_date = serializers.DateField(help_text="The new date of the first advisory visit (day 0).")
    reason = serializers.CharField(max_length=100)


class OnsiteExceptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = OnsiteException
        fields = ("id", "factory", "valid_from", "valid_until", "reason", "granted_by", "created_at")
        read_only_fields = ("id", "granted_by", "created_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        self.fields["factory"].queryset = visible(request.user, Factory) if request else Factory.objects.none()


class CycleViewSet(PolicyReadOnlyViewSet):
    """Service cycles the caller may see, each with its milestones. `replan` moves FV1 (day 0): the milestones
    that are not done move with it, with history (the country's programme manager)."""

    policy_model = ServiceCycle
    policy = {"list": VIEW, "retrieve": VIEW, "replan": VIEW}  # the service checks who may replan
    serializer_class = CycleOutputSerializer
    filterset_fields = ("factory", "status", "number")
    ordering_fields = ("number",)

    def scoped_queryset(self, queryset):
        milestones = Milestone.objects.with_state(today=timezone.localdate()).order_by("due_date", "id")
        return queryset.prefetch_related(Prefetch("milestones", queryset=milestones)).order_by("factory", "number")

    @extend_schema(request=ReplanInputSerializer, responses=CycleOutputSerializer)
    @action(detail=True, methods=["post"])
    def replan(self, request: Request, pk: str | None = None) -> Response:
        cycle = self.get_object()
        payload = ReplanInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        require(request.user, "manage", cycle.factory)
        cycle_replan(
            cycle_id=cycle.pk,
            actor=request.user,
            start=payload.validated_data["start_date"],
            reason=payload.validated_data["reason"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=cycle.pk)).data)


class OnsiteExceptionViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """R-CTY-3: on-site activity allowed at one factory, for a period, despite its service phase (the
    country's programme manager records it, with a reason)."""

    policy_model = OnsiteException
    policy = {"list": VIEW, "retrieve": VIEW, "create": VIEW}  # the service checks who may grant
    serializer_class = OnsiteExceptionSerializer
    filterset_fields = ("factory",)

    def perform_create(self, serializer: OnsiteExceptionSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = onsite_exception_grant(
            factory=data["factory"],
            actor=self.request.user,
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            reason=data["reason"],
        )


def register(router: DefaultRouter) -> None:
    router.register("cycles", CycleViewSet, basename="cycle")
    router.register("onsite-exceptions", OnsiteExceptionViewSet, basename="onsiteexception")
