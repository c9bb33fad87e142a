"""`/api/v1/notifications/`: the caller's own notifications; `POST .../{id}/read/` and `.../read-all/`."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet
from betterwork.common.models import Notification


class NotificationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ("id", "title", "body", "url", "created_at", "read_at")
        read_only_fields = fields


class NotificationViewSet(PolicyReadOnlyViewSet):
    policy_model = Notification
    policy = {"list": VIEW, "retrieve": VIEW, "read": VIEW, "read_all": VIEW}
    serializer_class = NotificationOutputSerializer
    filterset_fields = {"read_at": ["isnull"]}
    ordering_fields = ("created_at",)

    @extend_schema(request=None, responses=NotificationOutputSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationOutputSerializer(notification).data)

    @extend_schema(request=None, responses={200: {"type": "object", "properties": {"marked": {"type": "integer"}}}})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})


def register(router: DefaultRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
