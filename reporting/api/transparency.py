"""`GET /api/v1/public/transparency/`: the public transparency portal as JSON (R-PUB; API.md "Public
transparency"). Anonymous; paginated; filters `country`, `search`, `issue` (and `cluster`, `compliance` like the
page). Reads only the listing tables, in a fixed number of queries whatever the number of factories: the count,
the page of listings, the page's issue states."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter

from betterwork.common.api.permissions import PUBLIC
from betterwork.common.api.views import PolicyViewSetMixin
from reporting.models import PublicListing
from reporting.services.transparency import cached_public, issue_states, public_listings, public_row

FILTERS = [
    OpenApiParameter("country", str, description="ISO code of the country"),
    OpenApiParameter("search", str, description="Part of the factory's name"),
    OpenApiParameter("issue", str, description="Critical issue code: factories non-compliant on it"),
    OpenApiParameter("cluster", str, description="Cluster code: factories non-compliant on any of its issues"),
    OpenApiParameter("compliance", str, enum=["full", "any"], description="Full compliance, or any non-compliance"),
]

PublicRowSerializer = inline_serializer(
    name="PublicTransparencyRow",
    fields={
        "factory": inline_serializer(
            name="PublicTransparencyFactory",
            fields={
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "country": serializers.CharField(),
            },
        ),
        "assessment_dates": serializers.ListField(child=serializers.DateField()),
        "non_compliant": serializers.ListField(child=serializers.CharField()),
        "full_compliance": serializers.BooleanField(),
        "non_compliant_count": serializers.IntegerField(),
        "responses": serializers.IntegerField(),
        "issues": serializers.ListField(child=serializers.DictField(child=serializers.CharField())),
    },
)


class PublicTransparencyViewSet(PolicyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Listed factories (two or more published assessments since their country's launch of public reporting):
    the two most recent assessment dates, the critical issues non-compliant in either, full compliance."""

    policy_model = PublicListing
    policy = {"list": PUBLIC}
    authentication_classes: list = []  # the same answer for everyone: no session, no token
    filter_backends: list = []  # the filters are the portal's own (public_listings)
    serializer_class = PublicRowSerializer

    def scoped_queryset(self, queryset: Any) -> Any:
        return public_listings(self.request.query_params)

    @extend_schema(parameters=FILTERS, responses={200: PublicRowSerializer}, auth=[])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """The same for everyone: rendered once per listings version, host (the links) and filters, and served
        as those bytes (always JSON: no browsable API here)."""
        body = cached_public(f"json:{request.get_host()}", request.query_params,
                             lambda: JSONRenderer().render(self._page()))  # fmt: skip
        return HttpResponse(body, content_type="application/json")

    def _page(self) -> dict[str, Any]:
        page = self.paginate_queryset(self.get_queryset())
        states = issue_states([listing.factory_id for listing in page])
        return self.get_paginated_response([public_row(row, states[row.factory_id]) for row in page]).data


def register(router: DefaultRouter) -> None:
    router.register("public/transparency", PublicTransparencyViewSet, basename="public-transparency")


__all__ = ["register"]
