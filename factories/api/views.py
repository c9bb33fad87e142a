from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from betterwork.common.api.permissions import PUBLIC, VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet, PolicyViewSetMixin
from factories.api.serializers import CountryOutputSerializer, CountryUpdateInputSerializer, FactoryOutputSerializer
from factories.filtersets import FactoryFilterSet
from factories.models import Country, Factory
from factories.selectors import factory_list


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
        payload.save()
        return Response(CountryOutputSerializer(country).data)


class FactoryViewSet(PolicyReadOnlyViewSet):
    """Factories each caller may see: staff their country, a factory itself, buyers those that authorised them."""

    policy_model = Factory
    policy = {"list": VIEW, "retrieve": VIEW}
    serializer_class = FactoryOutputSerializer
    filterset_class = FactoryFilterSet
    search_fields = ("name", "address", "os_id")
    ordering_fields = ("name", "workers", "country", "status")

    def get_queryset(self):
        return factory_list(user=self.request.user)
