"""The improvement plan API (R-ADV-1..4): one plan per factory, its items, their workflow and history.

Views stay thin: every rule lives in `advisory.services.plan`."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from advisory.models import ImprovementPlan, ImprovementPlanItem
from advisory.services.plan import (
    CHECKS,
    item_add_self_diagnosis,
    item_transition,
    item_update,
    self_diagnosis_completed,
)
from assessments.models import Cluster
from betterwork.accounts.policy import may, visible
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet, PolicyViewSetMixin
from betterwork.common.exceptions import ApplicationError, NotPermitted
from betterwork.common.history import history_entries
from factories.models import Factory, Milestone
from factories.services.buyers import buyer_read_record

Item = ImprovementPlanItem
NOT_SELF_DIAGNOSED = "The factory did not complete its self-diagnosis."


def plan_items(factory: Factory) -> QuerySet[Item]:
    """A factory's items with everything the plan shows, in a fixed number of queries."""
    return Item.objects.filter(plan__factory=factory).select_related("plan", "cluster", "option", "critical_issue")


class ItemOutputSerializer(serializers.ModelSerializer):
    cluster = serializers.CharField(source="cluster.code")
    option = serializers.IntegerField(source="option.number", allow_null=True, default=None)
    critical_issue = serializers.CharField(source="critical_issue.code", allow_null=True, default=None)
    factory = serializers.IntegerField(source="plan.factory_id")

    class Meta:
        model = Item
        fields = ("id", "factory", "source", "cluster", "option", "text", "action", "responsible", "target_date",
                  "raised_on", "status", "critical_issue", "question_code", "cycle", "completion_note",
                  "completed_at")  # fmt: skip


class PlanOutputSerializer(serializers.Serializer):
    self_diagnosis_completed = serializers.BooleanField()
    notice = serializers.CharField(allow_null=True)
    items = ItemOutputSerializer(many=True)


class ItemInputSerializer(serializers.Serializer):
    factory = serializers.IntegerField()
    cluster = serializers.SlugRelatedField(slug_field="code", queryset=Cluster.objects.all())
    option = serializers.IntegerField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, max_length=5_000, default="")
    action = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    responsible = serializers.CharField(required=False, allow_blank=True, max_length=200)
    target_date = serializers.DateField(required=False, allow_null=True)


class ItemChangeSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    action = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    responsible = serializers.CharField(required=False, allow_blank=True, max_length=200)
    target_date = serializers.DateField(required=False, allow_null=True)


class CompleteInputSerializer(serializers.Serializer):
    parties_agree = serializers.BooleanField(required=False, default=False)
    communicated_to_staff = serializers.BooleanField(required=False, default=False)
    evidence_reviewed = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5_000, default="")


class TransitionInputSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=[Item.Status.OPEN, Item.Status.IN_PROGRESS])
    note = serializers.CharField(required=False, allow_blank=True, max_length=5_000, default="")


def plan_payload(factory: Factory) -> dict[str, Any]:
    """R-ADV-3: once the factory has been assessed without self-diagnosing first, the plan says so plainly."""
    plan = ImprovementPlan.objects.filter(factory=factory).first()
    done = plan is not None and self_diagnosis_completed(plan)
    assessed = Milestone.objects.filter(cycle__factory=factory, kind=Milestone.Kind.ASSESSMENT, state="done").exists()
    return {
        "self_diagnosis_completed": done,
        "notice": gettext(NOT_SELF_DIAGNOSED) if assessed and not done else None,
        "items": list(plan_items(factory)) if plan is not None else [],
    }


class FactoryPlanViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """`GET /api/v1/factories/{id}/improvement-plan/`: the factory's users, its country's staff and the buyers it
    authorises (each buyer read is logged, R-ACC-2); anyone else 404."""

    policy_model = Factory
    policy = {"improvement_plan": VIEW}

    @extend_schema(responses=PlanOutputSerializer)
    @action(detail=True, methods=["get"], url_path="improvement-plan")
    def improvement_plan(self, request: Request, pk: str | None = None) -> Response:
        factory = self.get_object()
        buyer_read_record(user=request.user, factory=factory, kind="improvement_plan", channel="api")
        return Response(PlanOutputSerializer(plan_payload(factory)).data)


class HistoryEntrySerializer(serializers.Serializer):
    """The shape of `item_history` (documentation of `GET .../history/`)."""

    when = serializers.DateTimeField()
    who = serializers.CharField(allow_null=True)
    what = serializers.CharField()
    changed = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField(allow_null=True, allow_blank=True)
    status = serializers.ChoiceField(choices=Item.Status.choices)


class ItemViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """Improvement-plan items: the factory and its advisors keep them; only the advisor completes or defers."""

    policy_model = Item
    policy = {"list": VIEW, "retrieve": VIEW, "create": VIEW, "partial_update": VIEW, "complete": VIEW,
              "verify_next_assessment": VIEW, "transition": VIEW, "history": VIEW}  # fmt: skip  # services check
    serializer_class = ItemOutputSerializer
    filterset_fields = ("status", "source")

    def scoped_queryset(self, queryset: QuerySet[Item]) -> QuerySet[Item]:
        params = self.request.query_params
        queryset = queryset.select_related("cluster", "option", "critical_issue", "plan")
        if params.get("factory"):
            queryset = queryset.filter(plan__factory_id=params["factory"])
        if params.get("cluster"):
            queryset = queryset.filter(cluster__code=params["cluster"])
        if params.get("critical") in ("true", "1"):
            queryset = queryset.filter(critical_issue__isnull=False)
        elif params.get("critical") in ("false", "0"):
            queryset = queryset.filter(critical_issue__isnull=True)
        return queryset

    def _out(self, item: Item, code: int = status.HTTP_200_OK) -> Response:
        return Response(ItemOutputSerializer(self.scoped_queryset(Item.objects.filter(pk=item.pk)).get()).data,
                        status=code)  # fmt: skip

    @extend_schema(request=ItemInputSerializer, responses={201: ItemOutputSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = ItemInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        factory = visible(request.user, Factory).filter(pk=data.pop("factory")).first()
        if factory is None or not may(request.user, "keep_plan", factory):
            raise ApplicationError(gettext("No such factory."), field="factory")
        item = item_add_self_diagnosis(factory=factory, actor=request.user, **data)
        return self._out(item, status.HTTP_201_CREATED)

    @extend_schema(request=ItemChangeSerializer, responses={200: ItemOutputSerializer})
    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        item = self.get_object()
        refused = sorted(set(request.data) - set(ItemChangeSerializer().fields))
        if refused:  # e.g. `status`: it moves through complete/, verify-next-assessment/ and transition/
            raise ValidationError({name: [gettext("This field cannot be changed here.")] for name in refused})
        payload = ItemChangeSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        return self._out(item_update(item_id=item.pk, actor=request.user, **payload.validated_data))

    @extend_schema(request=CompleteInputSerializer, responses={200: ItemOutputSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """The advisor completes the item when all three checks of R-ADV-4 hold."""
        item = self.get_object()
        if not may(request.user, "verify_plan", item.plan.factory):
            raise NotPermitted(gettext("Only the factory's enterprise advisor completes an item or defers it."))
        payload = CompleteInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        checks = {name: data[name] for name in CHECKS}
        item = item_transition(item_id=item.pk, actor=request.user, target=Item.Status.COMPLETED, note=data["note"],
                               **checks)  # fmt: skip
        return self._out(item)

    @extend_schema(request=None, responses={200: ItemOutputSerializer})
    @action(detail=True, methods=["post"], url_path="verify-next-assessment")
    def verify_next_assessment(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        note = str(request.data.get("note", "")) if hasattr(request.data, "get") else ""
        return self._out(item_transition(item_id=item.pk, actor=request.user,
                                         target=Item.Status.VERIFY_NEXT_ASSESSMENT, note=note))  # fmt: skip

    @extend_schema(request=TransitionInputSerializer, responses={200: ItemOutputSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        payload = TransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._out(item_transition(item_id=item.pk, actor=request.user, **payload.validated_data))

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Who changed what, and when (simple-history)."""
        item = self.get_object()
        return Response(item_history(history_entries(item)))


def item_history(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An item's history entries (betterwork.common.history), oldest first, in the API's shape: who did it,
    what kind of change, which fields changed, when, why, and the status after it."""
    return [
        {
            "when": timezone.localtime(entry["at"]).isoformat(),
            "who": entry["by"],
            "what": entry["record"].get_history_type_display(),
            "changed": [] if entry["change"] == "created" else sorted(entry["fields"]),
            "reason": entry["reason"],
            "status": entry["record"].status,
        }
        for entry in entries
    ]


def register(router: DefaultRouter) -> None:
    router.register("factories", FactoryPlanViewSet, basename="factoryplan")
    router.register("improvement-plan-items", ItemViewSet, basename="improvementplanitem")
