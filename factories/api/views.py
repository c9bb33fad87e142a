from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from betterwork.accounts.models import Role
from betterwork.common.api.permissions import PUBLIC, VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet, PolicyViewSetMixin
from factories.api.serializers import (
    CountryOutputSerializer,
    CountryUpdateInputSerializer,
    ExitInputSerializer,
    FactoryBuyerOutputSerializer,
    FactoryOutputSerializer,
    FactoryUpdateInputSerializer,
    InvoiceIssueInputSerializer,
    InvoiceOutputSerializer,
    RecordPaymentInputSerializer,
    SuspendInputSerializer,
)
from factories.filtersets import FactoryFilterSet
from factories.lifecycle_selectors import factory_invoices, invoices_hidden_from
from factories.models import BuyerRead, Country, Factory
from factories.selectors import factory_list
from factories.services.buyers import buyer_read_record
from factories.services.countries import country_update
from factories.services.lifecycle import (
    factory_exit,
    factory_record_payment,
    factory_suspend,
    factory_update,
    invoice_issue,
)


class CountryViewSet(PolicyViewSetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Country programmes: public reference data; phase and public-reporting date editable by their manager."""

    policy_model = Country
    policy = {"list": PUBLIC, "retrieve": PUBLIC, "partial_update": "change", "update": "change"}
    serializer_class = CountryOutputSerializer
    lookup_field = "code"
    lookup_value_converter = "str"
    search_fields = ("code", "name")
    ordering_fields = ("code", "name", "phase")
    filterset_fields = ("programme", "phase")

    @extend_schema(request=CountryUpdateInputSerializer, responses=CountryOutputSerializer)
    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        country = self.get_object()
        payload = CountryUpdateInputSerializer(country, data=request.data, partial=kwargs.get("partial", False))
        payload.is_valid(raise_exception=True)
        country = country_update(code=country.code, actor=request.user, **payload.validated_data)
        return Response(CountryOutputSerializer(country).data)


class FactoryViewSet(PolicyReadOnlyViewSet):
    """Factories each caller may see: staff their country, a factory itself, buyers those that authorised them.

    Buyers get no contact details and never the invoices (404). The profile changes through
    `factories.services.lifecycle.factory_update` (which fields: by role); payment, invoices, suspension and exit
    through the lifecycle services (the country's programme manager or a global admin; 403 for others who see
    the factory)."""

    policy_model = Factory
    policy = {
        "list": VIEW,
        "retrieve": VIEW,
        "partial_update": "change",
        "record_payment": "manage",
        "invoices": VIEW,
        "issue_invoice": "manage",
        "exit": "manage",
        "suspend": "manage",
    }
    serializer_class = FactoryOutputSerializer
    filterset_class = FactoryFilterSet
    search_fields = ("name", "address", "os_id")
    ordering_fields = ("name", "workers", "women_percent", "country", "status", "production_status", "created_at")

    def get_queryset(self):
        return factory_list(user=self.request.user)

    def filter_queryset(self, queryset):
        if getattr(self.request.user, "effective_role", None) == Role.BUYER:
            # Buyers do not read the production status: they may not sort by it either.
            self.ordering_fields = tuple(f for f in type(self).ordering_fields if f != "production_status")
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if getattr(self.request.user, "effective_role", None) == Role.BUYER:
            return FactoryBuyerOutputSerializer
        return FactoryOutputSerializer

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        factory = self.get_object()
        buyer_read_record(user=request.user, factory=factory, kind=BuyerRead.Kind.FACTORY_PROFILE, channel="api")
        return Response(self.get_serializer(factory).data)

    def _factory_response(self, pk: int) -> Response:
        factory = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(factory).data)

    @extend_schema(
        summary="Change the profile (fields by role; the country's advisors, its manager, the factory itself)",
        request=FactoryUpdateInputSerializer,
        responses={
            200: FactoryOutputSerializer,
            400: OpenApiResponse(description="A bad value, or a field this role may not change (named in `fields`)."),
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        factory = self.get_object()
        payload = FactoryUpdateInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        factory_update(factory_id=factory.pk, actor=request.user, **payload.validated_data)
        return self._factory_response(factory.pk)

    @extend_schema(
        summary="Record the payment of the open invoice (or issue the next cycle's and pay it): status active",
        request=RecordPaymentInputSerializer,
        responses={200: FactoryOutputSerializer, 400: OpenApiResponse(description="A bad date (`paid_on`).")},
    )
    @action(detail=True, methods=["post"], url_path="record-payment")
    def record_payment(self, request: Request, pk: str | None = None) -> Response:
        factory = self.get_object()
        payload = RecordPaymentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        factory_record_payment(factory_id=factory.pk, actor=request.user, **payload.validated_data)
        return self._factory_response(factory.pk)

    @extend_schema(
        summary="The factory's invoices, newest cycle first (programme staff and the factory; never buyers)",
        responses=InvoiceOutputSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def invoices(self, request: Request, pk: str | None = None) -> Response:
        factory = self.get_object()
        if invoices_hidden_from(request.user):
            raise Http404
        rows = factory_invoices(user=request.user, factory_id=factory.pk, today=timezone.localdate())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(InvoiceOutputSerializer(page, many=True).data)

    @extend_schema(
        summary="Issue the invoice for the factory's next cycle (refused while one is unpaid)",
        request=InvoiceIssueInputSerializer,
        responses={201: InvoiceOutputSerializer, 400: OpenApiResponse(description="An invoice is still unpaid.")},
    )
    @invoices.mapping.post
    def issue_invoice(self, request: Request, pk: str | None = None) -> Response:
        factory = self.get_object()
        payload = InvoiceIssueInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invoice = invoice_issue(factory=factory, actor=request.user, amount=payload.validated_data.get("amount"))
        row = factory_invoices(user=request.user, factory_id=factory.pk, today=timezone.localdate()).get(pk=invoice.pk)
        return Response(InvoiceOutputSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The factory leaves the programme (a reason is required); its open cycle closes",
        request=ExitInputSerializer,
        responses={200: FactoryOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def exit(self, request: Request, pk: str | None = None) -> Response:
        factory = self.get_object()
        payload = ExitInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        factory_exit(factory_id=factory.pk, actor=request.user, **payload.validated_data)
        return self._factory_response(factory.pk)

    @extend_schema(
        summary="Suspend services (for example an unpaid renewal)",
        request=SuspendInputSerializer,
        responses={200: FactoryOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        factory = self.get_object()
        payload = SuspendInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        factory_suspend(factory_id=factory.pk, actor=request.user, **payload.validated_data)
        return self._factory_response(factory.pk)
