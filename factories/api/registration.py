"""API for registration (R-REG-1): anyone registers a factory (rate-limited per client address); programme
staff of the country list and read registrations; its programme manager (or a global admin) approves,
rejects or asks for changes. Hidden registrations answer 404; a visible one the caller may not review, 403."""

from typing import Any

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from betterwork.common.api.permissions import PUBLIC, VIEW
from betterwork.common.api.views import PolicyViewSetMixin
from factories.api.serializers import (
    RegistrationApprovedOutputSerializer,
    RegistrationApproveInputSerializer,
    RegistrationDetailOutputSerializer,
    RegistrationInputSerializer,
    RegistrationOutputSerializer,
    RegistrationRejectInputSerializer,
    RegistrationRequestChangesInputSerializer,
    RegistrationSubmittedOutputSerializer,
)
from factories.filtersets import RegistrationFilterSet
from factories.lifecycle_selectors import registration_list
from factories.models import Registration
from factories.services.registration import (
    likely_duplicates,
    registration_approve,
    registration_reject,
    registration_request_changes,
    registration_submit,
)


class RegistrationThrottle(SimpleRateThrottle):
    """Public registrations per client address, shared by the page (`/register/`) and the API.

    The rate is `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["registration"]` when set, else `DEFAULT_RATE`.
    Every submission counts, valid or not: the budget bounds what one network can send. Behind a reverse proxy,
    set `REST_FRAMEWORK["NUM_PROXIES"]` so that each client, not the proxy, has its own budget.
    """

    scope = "registration"
    DEFAULT_RATE = "10/hour"

    def get_rate(self) -> str:
        # Read the settings now, not at import time, so that a deployment (or a test) may change the rate.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.DEFAULT_RATE

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request: Any) -> str:
        """The client's address. X-Forwarded-For is read only when `NUM_PROXIES` says how many proxies set it:
        otherwise any client could send a new one with each request and never run out of budget."""
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)


def submission_language() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@extend_schema_view(
    list=extend_schema(summary="Registrations to review (programme staff of the country), pending first"),
    retrieve=extend_schema(summary="A registration with its likely duplicates"),
)
class RegistrationViewSet(PolicyViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    policy_model = Registration
    policy = {
        "create": PUBLIC,
        "list": VIEW,
        "retrieve": VIEW,
        "approve": "review",
        "reject": "review",
        "request_changes": "review",
    }
    serializer_class = RegistrationOutputSerializer
    filterset_class = RegistrationFilterSet
    search_fields = ("factory_name", "contact_name", "contact_email", "os_id")
    ordering_fields = ("created_at", "factory_name", "status", "workers")

    def get_queryset(self):
        return registration_list(user=self.request.user)

    def get_throttles(self) -> list:
        return [RegistrationThrottle()] if self.action == "create" else super().get_throttles()

    def get_serializer_class(self):
        return RegistrationDetailOutputSerializer if self.action == "retrieve" else RegistrationOutputSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        registration = self.get_object()
        context = {**self.get_serializer_context(), "likely_duplicates": likely_duplicates(registration)}
        return Response(RegistrationDetailOutputSerializer(registration, context=context).data)

    @extend_schema(
        summary="Register a factory (anyone, no account; rate-limited per client address)",
        request=RegistrationInputSerializer,
        responses={
            201: RegistrationSubmittedOutputSerializer,
            400: OpenApiResponse(description="A field is missing or wrong: the body names it."),
            429: OpenApiResponse(description="Too many registrations from this address: try again later."),
        },
        auth=[],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = RegistrationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        registration = registration_submit(data=payload.validated_data, language=submission_language())
        return Response(RegistrationSubmittedOutputSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve: creates the factory (awaiting payment), its first invoice and the contact's account",
        request=RegistrationApproveInputSerializer,
        responses={
            200: RegistrationApprovedOutputSerializer,
            400: OpenApiResponse(description="Already reviewed, or a bad amount."),
            403: OpenApiResponse(description="Only the country's programme manager (or a global admin) reviews."),
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        registration = self.get_object()
        payload = RegistrationApproveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        registration = registration_approve(
            registration_id=registration.pk, actor=request.user, amount=payload.validated_data.get("amount")
        )
        return Response({"factory": registration.factory_id, "status": registration.status})

    @extend_schema(
        summary="Reject with a reason (sent to the contact)",
        request=RegistrationRejectInputSerializer,
        responses={200: RegistrationOutputSerializer, 400: OpenApiResponse(description="No reason, or reviewed.")},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        registration = self.get_object()
        payload = RegistrationRejectInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        registration_reject(registration_id=registration.pk, actor=request.user, **payload.validated_data)
        return Response(RegistrationOutputSerializer(self.get_object()).data)

    @extend_schema(
        summary="Ask for changes: the contact gets a signed link to edit and resubmit the form",
        request=RegistrationRequestChangesInputSerializer,
        responses={200: RegistrationOutputSerializer, 400: OpenApiResponse(description="No message, or reviewed.")},
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, pk: str | None = None) -> Response:
        registration = self.get_object()
        payload = RegistrationRequestChangesInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        registration_request_changes(registration_id=registration.pk, actor=request.user, **payload.validated_data)
        return Response(RegistrationOutputSerializer(self.get_object()).data)


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the API router."""
    router.register("registrations", RegistrationViewSet, basename="registration")
