from django.contrib.auth import password_validation
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from betterwork.accounts.models import COUNTRY_ROLES, Role, User
from betterwork.accounts.policy import visible
from factories.models import Buyer, Country, Factory


class UserOutputSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="effective_role")
    country = serializers.CharField(source="country_id", allow_null=True)
    language = serializers.ChoiceField(
        choices=User._meta.get_field("language").choices, allow_blank=True, read_only=True,
        help_text="Empty: the browser's language.",
    )  # fmt: skip

    class Meta:
        model = User
        fields = ("id", "username", "email", "role", "country", "factory", "buyer", "language", "is_active")
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A writable reference that only accepts objects the caller may see (no cross-tenant ids)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return visible(self.context["request"].user, self.model)


class UserCreateInputSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    country = serializers.SlugRelatedField(
        slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True
    )
    factory = _ScopedRelatedField(Factory, required=False, allow_null=True)
    buyer = _ScopedRelatedField(Buyer, required=False, allow_null=True)
    language = serializers.ChoiceField(choices=User._meta.get_field("language").choices, required=False)

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(_("This username is taken; choose another."))
        return value

    def validate(self, attrs: dict) -> dict:
        actor: User = self.context["request"].user
        role = attrs["role"]
        errors: dict[str, list[str]] = {}
        if not actor.is_global_admin:
            if role in (Role.GLOBAL_ADMIN, Role.BUYER):
                errors["role"] = [_("Only a global administrator can create this role.")]
            if role in COUNTRY_ROLES:
                attrs.setdefault("country", actor.country)
                if attrs["country"] is None or attrs["country"].pk != actor.country_id:
                    errors["country"] = [
                        _("You can create staff only for your own country (%(code)s).") % {"code": actor.country_id}
                    ]
        needed = {"country": role in COUNTRY_ROLES, "factory": role == Role.FACTORY, "buyer": role == Role.BUYER}
        for field, required in needed.items():
            if required and attrs.get(field) is None:
                errors.setdefault(
                    field, [_("A user with the role “%(role)s” needs a %(field)s.") % {"role": role, "field": field}]
                )
            if not required and attrs.get(field) is not None:
                errors.setdefault(field, [_("Leave this empty for the role “%(role)s”.") % {"role": role}])
        candidate = User(username=attrs["username"], email=attrs.get("email", ""))
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except Exception as exc:  # django.core.exceptions.ValidationError
            errors["password"] = list(getattr(exc, "messages", [str(exc)]))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict) -> User:
        password = validated_data.pop("password")
        user = User(**validated_data)
        user.set_password(password)
        user.full_clean()
        user.save()
        return user


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)
    otp = serializers.CharField(
        required=False, allow_blank=True, help_text="Six-digit code; needed once TOTP is set up."
    )


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
