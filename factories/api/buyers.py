"""API for the buyers area (issue 3; R-REG-4, R-ACC): buyer organisations, the factories' authorisations of
buyers, buyers' sourcing requests and the log of buyers' reads. Registered on the v1 router by `register`.

Row scope comes from the policy layer (`visible`): an object outside it answers 404. What a user may do is
decided by the services (`factories.services.buyers`), whose `NotPermitted` answers 403.

The path is spelled "authorizations" (API.md) although the model is `BuyerAuthorisation`.
"""

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from betterwork.accounts.policy import visible
from betterwork.common.api.filters import IdFilter
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet
from factories.models import Buyer, BuyerAuthorisation, BuyerRead, Country, SourcingLink
from factories.selectors import authorisation_list, buyer_list, buyer_read_list, sourcing_link_list
from factories.services.buyers import (
    authorisation_grant,
    authorisation_revoke,
    buyer_create,
    sourcing_link_request,
)

# --- serializers: input and output kept apart ----------------------------------------------------------


class BuyerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Buyer
        fields = ("id", "name", "created_at")
        read_only_fields = fields


class BuyerCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class AuthorisationOutputSerializer(serializers.ModelSerializer):
    factory_name = serializers.CharField(source="factory.name", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = BuyerAuthorisation
        fields = ("id", "factory", "factory_name", "buyer", "buyer_name", "granted_at", "revoked_at", "active")
        read_only_fields = fields

    def get_active(self, grant: BuyerAuthorisation) -> bool:
        return grant.revoked_at is None


class AuthorisationCreateInputSerializer(serializers.Serializer):
    """`buyer`: the organisation to let in. `factory` is optional and, when given, must be the caller's own."""

    buyer = serializers.PrimaryKeyRelatedField(
        queryset=Buyer.objects.none(),
        error_messages={
            "does_not_exist": _("No buyer organisation has the id {pk_value}."),
            "incorrect_type": _("Give the buyer organisation's id (a number)."),
        },
    )
    factory = serializers.IntegerField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent when the schema generator builds it
        if request is not None:
            self.fields["buyer"].queryset = visible(request.user, Buyer)

    def validate_factory(self, value: int) -> int:
        if value != self.context["request"].user.factory_id:
            raise serializers.ValidationError(_("You can authorise buyers for your own factory only."))
        return value


class SourcingLinkOutputSerializer(serializers.ModelSerializer):
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    factory_name = serializers.CharField(source="factory.name", read_only=True)

    class Meta:
        model = SourcingLink
        fields = ("id", "buyer", "buyer_name", "factory", "factory_name", "source", "created_at")
        read_only_fields = fields


class SourcingLinkRequestInputSerializer(serializers.Serializer):
    """The factory a buyer sources from: its Open Supply Hub ID, or its legal name and country."""

    os_id = serializers.CharField(required=False, allow_blank=True, max_length=20)
    factory_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2, min_length=2)

    def validate_country(self, value: str) -> str:
        code = value.upper()
        if code and not Country.objects.filter(code=code).exists():
            raise serializers.ValidationError(_("“%(code)s” is not a programme country.") % {"code": value})
        return code


REQUESTED = inline_serializer("SourcingRequestAccepted", fields={"status": serializers.CharField()})


class BuyerReadOutputSerializer(serializers.ModelSerializer):
    factory_name = serializers.CharField(source="factory.name", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = BuyerRead
        fields = (
            "id",
            "factory",
            "factory_name",
            "buyer",
            "buyer_name",
            "user",
            "user_name",
            "kind",
            "object_id",
            "channel",
            "read_at",
        )
        read_only_fields = fields

    def get_user_name(self, read: BuyerRead) -> str:
        return read.user.get_full_name() or read.user.get_username()


# --- filters: ids as plain numbers, so that a filter never says whether a hidden object exists -----------


class AuthorisationFilterSet(django_filters.FilterSet):
    factory = IdFilter(field_name="factory_id")
    buyer = IdFilter(field_name="buyer_id")
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", label=_("active"))

    class Meta:
        model = BuyerAuthorisation
        fields = ("factory", "buyer", "active")


class SourcingLinkFilterSet(django_filters.FilterSet):
    factory = IdFilter(field_name="factory_id")
    buyer = IdFilter(field_name="buyer_id")

    class Meta:
        model = SourcingLink
        fields = ("factory", "buyer", "source")


class BuyerReadFilterSet(django_filters.FilterSet):
    factory = IdFilter(field_name="factory_id")
    buyer = IdFilter(field_name="buyer_id")
    date_from = django_filters.DateFilter(field_name="read_at", lookup_expr="date__gte", label=_("read on or after"))
    date_to = django_filters.DateFilter(field_name="read_at", lookup_expr="date__lte", label=_("read on or before"))

    class Meta:
        model = BuyerRead
        fields = ("factory", "buyer", "kind", "channel", "date_from", "date_to")


# --- viewsets -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Buyer organisations", description="Buyer users see only their own organisation."),
    retrieve=extend_schema(summary="One buyer organisation"),
)
class BuyerViewSet(PolicyReadOnlyViewSet):
    """Brands and retailers that source from programme factories (R-REG-4)."""

    policy_model = Buyer
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add"}
    serializer_class = BuyerOutputSerializer
    search_fields = ("name",)
    ordering_fields = ("name", "created_at")

    def get_queryset(self):
        return buyer_list(user=self.request.user)

    @extend_schema(
        summary="Register a buyer organisation (programme staff)",
        request=BuyerCreateInputSerializer,
        responses={201: BuyerOutputSerializer, 400: OpenApiResponse(description="No name, or the name is taken.")},
    )
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = BuyerCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        buyer = buyer_create(name=payload.validated_data["name"], actor=request.user)
        return Response(BuyerOutputSerializer(buyer).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Buyer authorisations",
        description="Staff see their country's, a factory its own grants, a buyer the grants made to it. "
        "`active=true` lists the grants in force.",
    ),
    retrieve=extend_schema(summary="One buyer authorisation"),
)
class AuthorisationViewSet(PolicyReadOnlyViewSet):
    """A factory lets a buyer read its reports (R-ACC-1); only the factory's own users grant and revoke."""

    policy_model = BuyerAuthorisation
    # destroy: any visible grant reaches the service, which lets only the factory's users revoke (403 otherwise).
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add", "destroy": VIEW}
    serializer_class = AuthorisationOutputSerializer
    filterset_class = AuthorisationFilterSet
    search_fields = ("buyer__name", "factory__name")
    ordering_fields = ("granted_at", "revoked_at")

    def get_queryset(self):
        return authorisation_list(user=self.request.user)

    @extend_schema(
        summary="Authorise a buyer (factory users)",
        description="The factory is the caller's own. Granting a buyer that is already authorised answers 400.",
        request=AuthorisationCreateInputSerializer,
        responses={
            201: AuthorisationOutputSerializer,
            400: OpenApiResponse(
                description="Unknown or already authorised buyer, or a factory other than the caller's."
            ),
        },
    )
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = AuthorisationCreateInputSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        buyer = payload.validated_data["buyer"]
        grant = authorisation_grant(factory=request.user.factory, buyer=buyer, actor=request.user)
        return Response(AuthorisationOutputSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke a buyer's authorisation at once (factory users)",
        responses={
            204: OpenApiResponse(description="Revoked (or already revoked)."),
            403: OpenApiResponse(description="Visible to the caller, who is not a user of the factory."),
            404: OpenApiResponse(description="Not visible to the caller."),
        },
    )
    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        grant = self.get_object()
        authorisation_revoke(authorisation_id=grant.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Sourcing links",
        description="Buyers that source from factories (R-REG-4); a link alone opens nothing. Staff see their "
        "country's, a factory the links to it, a buyer its links to factories that authorise it.",
    ),
    retrieve=extend_schema(summary="One sourcing link"),
)
class SourcingLinkViewSet(PolicyReadOnlyViewSet):
    """A buyer sources from a factory (R-REG-4). Inert: only the factory's authorisation opens its reports."""

    policy_model = SourcingLink
    policy = {"list": VIEW, "retrieve": VIEW, "create": "add"}
    serializer_class = SourcingLinkOutputSerializer
    filterset_class = SourcingLinkFilterSet
    ordering_fields = ("created_at",)

    def get_queryset(self):
        return sourcing_link_list(user=self.request.user)

    @extend_schema(
        summary="Ask a factory for access (buyer users)",
        description='Always 202 `{"status": "requested"}` when the input is complete, whether or not a factory '
        "matched: a matching factory sees the request and decides whether to authorise.",
        request=SourcingLinkRequestInputSerializer,
        responses={202: REQUESTED, 400: OpenApiResponse(description="Neither an OS ID nor a name and country.")},
    )
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = SourcingLinkRequestInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sourcing_link_request(actor=request.user, **payload.validated_data)
        return Response({"status": "requested"}, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        summary="The log of buyers' reads (R-ACC-2)",
        description="Who (buyer and user) read what, when, through which channel. A factory sees the reads of "
        "itself, staff their country's, a buyer its own. `date_from`/`date_to` are inclusive dates.",
    ),
    retrieve=extend_schema(summary="One read"),
)
class BuyerReadViewSet(PolicyReadOnlyViewSet):
    """One read by a buyer user of something a factory shared (R-ACC-2)."""

    policy_model = BuyerRead
    policy = {"list": VIEW, "retrieve": VIEW}
    serializer_class = BuyerReadOutputSerializer
    filterset_class = BuyerReadFilterSet
    ordering_fields = ("read_at",)

    def get_queryset(self):
        return buyer_read_list(user=self.request.user)


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the API router."""
    router.register("buyers", BuyerViewSet, basename="buyer")
    router.register("authorizations", AuthorisationViewSet, basename="authorization")
    router.register("sourcing-links", SourcingLinkViewSet, basename="sourcing-link")
    router.register("buyer-reads", BuyerReadViewSet, basename="buyer-read")
