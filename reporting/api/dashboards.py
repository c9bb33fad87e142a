"""Programme dashboards API (issue 8 §5), read-only, for programme managers (their country) and global admins
(every country, or `?country=`); anyone else signed in gets 404, anonymous callers 401/403.

* `GET /api/v1/dashboards/non-compliance/` — headline rate, by cluster, critical issue, country and period;
* `GET /api/v1/dashboards/cycle-health/` — milestones of open cycles per country and kind, late factories;
* `GET /api/v1/dashboards/service-delivery/` — open cycles' services used against allowances (R-CYC-7).

Query parameters: `country` (ISO code), `start`, `end` (ISO dates, the period of `started_on`), `by` (`year` or
`quarter`). Shares are decimals between 0 and 1 rounded to 4 places (null when nothing is rated). The responses
are small aggregates: they are not paginated. Definitions: `reporting.dashboards`.
"""

from fractions import Fraction
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from betterwork.common.api.permissions import VIEW
from reporting import dashboards


@extend_schema_field(OpenApiTypes.DOUBLE)
class DashboardShareField(serializers.Field):
    """A Fraction as a decimal number between 0 and 1 (4 places), or null."""

    def to_representation(self, value: Fraction | None) -> float | None:
        return None if value is None else round(float(value), 4)


def _share(**kwargs: Any) -> serializers.Field:
    return DashboardShareField(allow_null=True, read_only=True, **kwargs)


class DashboardFilterSerializer(serializers.Serializer):
    country = serializers.CharField(required=False, max_length=2, help_text="ISO code (global admins only).")
    start = serializers.DateField(required=False, help_text="First day of the period (assessments' start date).")
    end = serializers.DateField(required=False, help_text="Last day of the period.")
    by = serializers.ChoiceField(choices=dashboards.GRANULARITIES, required=False, default="year")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": [gettext("The end of the period comes before its start.")]})
        return attrs


class DashboardScopeSerializer(serializers.Serializer):
    countries = serializers.ListField(child=serializers.CharField(), allow_null=True, help_text="null: all.")
    start = serializers.DateField()
    end = serializers.DateField()
    by = serializers.CharField()
    today = serializers.DateField()


class DashboardClusterSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    factories = serializers.IntegerField(help_text="Factories whose assessment answered a question of the cluster.")
    non_compliant = serializers.IntegerField()
    share = _share()


class DashboardIssueSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    cluster = serializers.CharField()
    factories = serializers.IntegerField()
    non_compliant = serializers.IntegerField()
    share = _share()


class DashboardCountrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    factories = serializers.IntegerField()
    rated = serializers.IntegerField(help_text="Factories with a publicly reported question answered.")
    headline = _share(help_text="Mean over factories of each one's share of publicly reported questions non-compliant.")
    with_critical = serializers.IntegerField()
    share_with_critical = _share()


class DashboardTrendSerializer(serializers.Serializer):
    period = serializers.CharField(help_text='"2025" or "2025-Q2".')
    factories = serializers.IntegerField()
    rated = serializers.IntegerField()
    headline = _share()
    with_critical = serializers.IntegerField()
    share_with_critical = _share()


class DashboardNonComplianceSerializer(serializers.Serializer):
    scope = DashboardScopeSerializer()
    factories = serializers.IntegerField()
    rated = serializers.IntegerField()
    headline = _share(help_text="The programme's headline rate (annual donor report 2019).")
    clusters = DashboardClusterSerializer(many=True)
    issues = DashboardIssueSerializer(many=True)
    countries = DashboardCountrySerializer(many=True)
    trend = DashboardTrendSerializer(many=True)


class DashboardMilestoneSerializer(serializers.Serializer):
    country = serializers.CharField()
    kind = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    done_late = serializers.IntegerField()
    open = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()


class DashboardLateFactorySerializer(serializers.Serializer):
    factory_id = serializers.IntegerField()
    factory = serializers.CharField()
    country = serializers.CharField()
    overdue = serializers.IntegerField()
    oldest_due = serializers.DateField()
    days_late = serializers.IntegerField()
    kinds = serializers.ListField(child=serializers.CharField())


class DashboardCycleHealthSerializer(serializers.Serializer):
    scope = DashboardScopeSerializer()
    milestones = DashboardMilestoneSerializer(many=True)
    late_factories = DashboardLateFactorySerializer(many=True)


class DashboardServiceRowSerializer(serializers.Serializer):
    country = serializers.CharField()
    cycles = serializers.IntegerField()
    advisory_days_included = serializers.DecimalField(max_digits=10, decimal_places=1)
    advisory_days_used = serializers.DecimalField(max_digits=10, decimal_places=1)
    participant_days_included = serializers.DecimalField(max_digits=10, decimal_places=0)
    participant_days_used = serializers.DecimalField(max_digits=10, decimal_places=0)
    seminars_included = serializers.IntegerField()
    seminars_used = serializers.IntegerField()
    assessments_included = serializers.IntegerField()
    assessments_used = serializers.IntegerField()


class DashboardServiceDeliverySerializer(serializers.Serializer):
    scope = DashboardScopeSerializer()
    countries = DashboardServiceRowSerializer(many=True)


class DashboardViewSet(viewsets.ViewSet):
    """Collection-level reads only; the rows are aggregates of the caller's scope."""

    policy = {"non_compliance": VIEW, "cycle_health": VIEW, "service_delivery": VIEW}

    def _scope(self, request: Request) -> dashboards.Scope:
        if not dashboards.may_see_dashboards(request.user):
            raise Http404
        filters = DashboardFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return dashboards.scope_for(request.user, today=timezone.localdate(), **filters.validated_data)

    @extend_schema(parameters=[DashboardFilterSerializer], responses=DashboardNonComplianceSerializer)
    @action(detail=False, methods=["get"], url_path="non-compliance")
    def non_compliance(self, request: Request) -> Response:
        return Response(DashboardNonComplianceSerializer(dashboards.non_compliance(self._scope(request))).data)

    @extend_schema(parameters=[DashboardFilterSerializer], responses=DashboardCycleHealthSerializer)
    @action(detail=False, methods=["get"], url_path="cycle-health")
    def cycle_health(self, request: Request) -> Response:
        return Response(DashboardCycleHealthSerializer(dashboards.cycle_health(self._scope(request))).data)

    @extend_schema(parameters=[DashboardFilterSerializer], responses=DashboardServiceDeliverySerializer)
    @action(detail=False, methods=["get"], url_path="service-delivery")
    def service_delivery(self, request: Request) -> Response:
        scope = self._scope(request)
        payload = {"scope": scope, "countries": dashboards.service_delivery(scope)}
        return Response(DashboardServiceDeliverySerializer(payload).data)


def register(router: DefaultRouter) -> None:
    router.register("dashboards", DashboardViewSet, basename="dashboard")
