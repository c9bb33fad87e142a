from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from advisory.api.serializers import VisitInputSerializer, VisitOutputSerializer
from advisory.models import AdvisoryVisit
from advisory.selectors import advisory_allowance
from advisory.services import visit_record
from advisory.services.visit_notes import visit_update
from betterwork.accounts.models import Role
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet, PolicyViewSetMixin
from factories.allowances import allowances_of
from factories.models import ServiceCycle


class VisitNotesInputSerializer(serializers.Serializer):
    participants = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    topics = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    committee_meeting_held = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    follow_ups = serializers.CharField(required=False, allow_blank=True, max_length=20_000)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: [gettext("Only participants, topics, notes, follow-ups and the committee flag may be edited.")]
                 for name in sorted(unknown)}
            )  # fmt: skip
        return attrs


class VisitViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """Advisory visits. The first advisory visit of a paid factory with no open cycle is FV1 and starts the
    cycle (R-REG-2); an on-site visit in a phase that forbids it is refused, naming the phase (R-CTY-3)."""

    policy_model = AdvisoryVisit
    policy = {"list": VIEW, "retrieve": VIEW, "create": VIEW, "partial_update": VIEW}  # the services check who may
    serializer_class = VisitOutputSerializer
    filterset_fields = ("factory", "cycle", "kind", "modality")
    ordering_fields = ("date",)

    def scoped_queryset(self, queryset):
        return queryset.order_by("-date", "-id")

    @extend_schema(request=VisitInputSerializer, responses={201: VisitOutputSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = VisitInputSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        factory = data.pop("factory")
        visit = visit_record(factory_id=factory.pk, actor=request.user, on=data.pop("date"), **data)
        return Response(VisitOutputSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VisitNotesInputSerializer, responses={200: VisitOutputSerializer})
    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Participants, topics, notes, follow-ups and the committee flag only (date and days are not editable):
        the advisor who recorded the visit or the country's manager."""
        visit = self.get_object()
        payload = VisitNotesInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        visit = visit_update(visit_id=visit.pk, actor=request.user, **payload.validated_data)
        return Response(VisitOutputSerializer(visit).data)


class AllowanceOutputSerializer(serializers.Serializer):
    included = serializers.IntegerField(help_text="Advisory visit days in this cycle (8 in cycle 1, 6 after).")
    used = serializers.DecimalField(max_digits=4, decimal_places=1)
    remaining = serializers.DecimalField(max_digits=4, decimal_places=1)
    initial_visits_planned = serializers.IntegerField()
    visits = serializers.IntegerField()


class ServiceAllowanceOutputSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="advisory_days, seminars, training_participant_days or assessments")
    label = serializers.CharField()
    unit = serializers.CharField()
    included = serializers.DecimalField(max_digits=6, decimal_places=1)
    purchased = serializers.DecimalField(max_digits=6, decimal_places=1)
    used = serializers.DecimalField(max_digits=6, decimal_places=1)
    remaining = serializers.DecimalField(max_digits=6, decimal_places=1)


class CycleAllowanceViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """`GET /api/v1/cycles/{id}/advisory-allowance/`: advisory days included, used and remaining (R-CYC-7),
    and `GET /api/v1/cycles/{id}/allowances/`: the whole service package of the cycle; for programme staff and
    the factory itself; buyers do not see them (404)."""

    policy_model = ServiceCycle
    policy = {"advisory_allowance": VIEW, "allowances": VIEW}

    @extend_schema(responses=ServiceAllowanceOutputSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def allowances(self, request: Request, pk: str | None = None) -> Response:
        if request.user.effective_role == Role.BUYER:
            raise Http404
        return Response(ServiceAllowanceOutputSerializer(allowances_of(self.get_object()), many=True).data)

    @extend_schema(responses=AllowanceOutputSerializer)
    @action(detail=True, methods=["get"], url_path="advisory-allowance")
    def advisory_allowance(self, request: Request, pk: str | None = None) -> Response:
        if request.user.effective_role == Role.BUYER:
            raise Http404
        return Response(AllowanceOutputSerializer(advisory_allowance(self.get_object())).data)


def register(router: DefaultRouter) -> None:
    router.register("visits", VisitViewSet, basename="advisoryvisit")
    router.register("cycles", CycleAllowanceViewSet, basename="cycleallowance")
