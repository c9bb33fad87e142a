import django_filters
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from betterwork.accounts.api.serializers import (
    TokenInputSerializer,
    TokenOutputSerializer,
    UserCreateInputSerializer,
    UserOutputSerializer,
)
from betterwork.accounts.models import Role, User
from betterwork.common.api.permissions import VIEW
from betterwork.common.api.views import PolicyReadOnlyViewSet


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed sign-ins for this account; try again later."


class UserFilterSet(django_filters.FilterSet):
    """`?role=` matches the role shown in responses: a Django superuser is a global admin, whatever its field."""

    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role")

    class Meta:
        model = User
        fields = ("role",)

    def filter_role(self, queryset, name, value):
        if value == Role.GLOBAL_ADMIN:
            return queryset.filter(Q(role=value) | Q(is_superuser=True))
        return queryset.filter(role=value, is_superuser=False)


class UserViewSet(mixins.CreateModelMixin, PolicyReadOnlyViewSet):
    """Users the caller manages: all for a global admin, a programme manager's own country."""

    policy_model = User
    policy = {"list": "view", "retrieve": VIEW, "create": "add", "me": VIEW}
    serializer_class = UserOutputSerializer
    search_fields = ("username", "email", "first_name", "last_name")
    filterset_class = UserFilterSet
    ordering_fields = ("username", "role")

    def scoped_queryset(self, queryset):
        return queryset.order_by("username")

    @extend_schema(request=UserCreateInputSerializer, responses={201: UserOutputSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        payload = UserCreateInputSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        user = payload.save()
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=UserOutputSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        """The signed-in user."""
        return Response(UserOutputSerializer(request.user).data)


class TokenView(APIView):
    """Exchange a username and password (and a TOTP code once two-factor is set up) for an API token.

    Failed attempts count towards the same lockout as the sign-in page (django-axes).
    """

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "token"

    @extend_schema(request=TokenInputSerializer, responses=TokenOutputSerializer)
    def post(self, request: Request) -> Response:
        payload = TokenInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            django_request.axes_locked_out = False  # answer in the API's JSON shape, not with axes' HTML page
            raise LockedOut()
        if user is None:
            raise exceptions.ValidationError({"detail": _("Unable to sign in with this username and password.")})
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None and not TOTP(totp).validate_code(data.get("otp", "")):
            raise exceptions.ValidationError(
                {"otp": [_("Enter the current six-digit code from your authenticator app.")]}
            )
        # A token is a sign-in: axes resets the failure count, Django records last_login.
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
