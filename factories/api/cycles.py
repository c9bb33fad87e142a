"""`GET /api/v1/cycles/` and `/{id}/` with milestones (API.md). Factory and buyer users never receive the
assessment milestone's date (R-ASM-3): the field is null for them, whatever its state."""

from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from rest_framework import serializers
from rest_framework.routers import DefaultRouter

from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet
from factories.models import Milestone, ServiceCycle

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


class CycleViewSet(PolicyReadOnlyViewSet):
    """Service cycles the caller may see, each with its milestones."""

    policy_model = ServiceCycle
    policy = {"list": VIEW, "retrieve": VIEW}
    serializer_class = CycleOutputSerializer
    filterset_fields = ("factory", "status", "number")
    ordering_fields = ("number",)

    def scoped_queryset(self, queryset):
        milestones = Milestone.objects.with_state(today=timezone.localdate()).order_by("due_date", "id")
        return queryset.prefetch_related(Prefetch("milestones", queryset=milestones)).order_by("factory", "number")


def register(router: DefaultRouter) -> None:
    router.register("cycles", CycleViewSet, basename="cycle")
