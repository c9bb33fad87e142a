from django.http import Http404
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
from betterwork.accounts.models import Role
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet, PolicyViewSetMixin
from factories.models import ServiceCycle


class VisitViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """Advisory visits. The first advisory visit of a paid factory with no open cycle is FV1 and starts the
    cycle (R-REG-2); an on-site visit in a phase that forbids it is refused, naming the phase (R-CTY-3)."""

    policy_model = AdvisoryVisit
    policy = {"list": VIEW, "retrieve": VIEW, "create": VIEW}  # the service checks who may record
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


class AllowanceOutputSerializer(serializers.Serializer):
    included = serializers.IntegerField(help_text="Advisory visit days in this cycle (8 in cycle 1, 6 after).")
    used = serializers.DecimalField(max_digits=4, decimal_places=1)
    remaining = serializers.DecimalField(max_digits=4, decimal_places=1)
    initial_visits_planned = serializers.IntegerField()
    visits = serializers.IntegerField()


class CycleAllowanceViewSet(PolicyViewSetMixin, viewsets.GenericViewSet):
    """`GET /api/v1/cycles/{id}/advisory-allowance/`: advisory days included, used and remaining (R-CYC-7),
    for programme staff and the factory itself; buyers do not see visits (404)."""

    policy_model = ServiceCycle
    policy = {"advisory_allowance": VIEW}

    @extend_schema(responses=AllowanceOutputSerializer)
    @action(detail=True, methods=["get"], url_path="advisory-allowance")
    def advisory_allowance(self, request: Request, pk: str | None = None) -> Response:
        if request.user.effective_role == Role.BUYER:
            raise Http404
        return Response(AllowanceOutputSerializer(advisory_allowance(self.get_object())).data)


def register(router: DefaultRouter) -> None:
    router.register("visits", VisitViewSet, basename="advisoryvisit")
    router.register("cycles", CycleAllowanceViewSet, basename="cycleallowance")
