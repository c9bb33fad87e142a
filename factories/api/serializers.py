from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from betterwork.accounts.models import User
from betterwork.common.api.schema import OptionalEmailField, optional_in_schema
from factories.models import Country, Factory, Invoice, Registration
from factories.services.registration import FIELDS as REGISTRATION_FIELDS


class CountryOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="tr.name", help_text="In the language of the request (English by default).")

    class Meta:
        model = Country
        fields = ("code", "name", "programme", "sectors", "languages", "phase", "public_reporting_since", "timezone")
        read_only_fields = fields


class CountryUpdateInputSerializer(serializers.ModelSerializer):
    """Programme staff of the country may change only the service phase and the public-reporting date."""

    class Meta:
        model = Country
        fields = ("phase", "public_reporting_since")


# --- factories: profile (issue 3) ------------------------------------------------------------------------------


# What an authorised buyer never sees of a factory (the programme's business with it).
HIDDEN_FROM_BUYERS = ("advisor", "contact_name", "contact_email", "contact_phone", "exit_reason", "production_status")


@optional_in_schema(*HIDDEN_FROM_BUYERS)
class FactoryOutputSerializer(serializers.ModelSerializer):
    """A factory as programme staff and the factory itself see it (API.md "Registration and factories"); the
    schema documents it for buyers too, without the fields they never get."""

    contact_email = OptionalEmailField(read_only=True)

    country = serializers.CharField(source="country_id", read_only=True)
    current_cycle = serializers.IntegerField(source="current_cycle_id", read_only=True, allow_null=True)
    women_percent = serializers.FloatField(read_only=True)
    advisor = serializers.IntegerField(
        source="advisor_id", read_only=True, allow_null=True, help_text="User id of the enterprise advisor."
    )

    class Meta:
        model = Factory
        fields = (
            "id",
            "name",
            "country",
            "sector",
            "address",
            "workers",
            "women_percent",
            "status",
            "stage",
            "current_cycle",
            "os_id",
            "production_status",
            "advisor",
            "contact_name",
            "contact_email",
            "contact_phone",
            "exit_reason",
        )
        read_only_fields = fields


class FactoryBuyerOutputSerializer(FactoryOutputSerializer):
    """What an authorised buyer sees: the contract's fields and the Open Supply Hub ID; never the contact details,
    the advisor, the production status or the exit reason (the programme's business with the factory)."""

    class Meta(FactoryOutputSerializer.Meta):
        fields = tuple(f for f in FactoryOutputSerializer.Meta.fields if f not in HIDDEN_FROM_BUYERS)
        read_only_fields = fields


# Factory fields that only services move (status, stage) or that never change: sent in a PATCH, they reach
# `factory_update`, which refuses them by name like any other field the caller's role may not change.
FACTORY_FIXED_FIELDS = ("id", "country", "status", "stage", "current_cycle", "exit_reason", "normalized_name")


class FactoryUpdateInputSerializer(serializers.ModelSerializer):
    """`PATCH /api/v1/factories/{id}/`. Which fields a role may change is the service's decision
    (`factories.services.lifecycle.editable_fields`): another field answers 400 naming it."""

    advisor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False, help_text="User id of an advisor, or null."
    )

    class Meta:
        model = Factory
        fields = (
            "name",
            "sector",
            "address",
            "workers",
            "women_percent",
            "os_id",
            "production_status",
            "advisor",
            "contact_name",
            "contact_email",
            "contact_phone",
        )
        extra_kwargs = {"name": {"validators": []}}  # the (country, name) uniqueness is checked by the service

    def validate(self, attrs: dict) -> dict:
        for name in FACTORY_FIXED_FIELDS:
            if name in self.initial_data:
                attrs[name] = self.initial_data[name]
        return attrs


class InvoiceOutputSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="Unpaid after its due date.")

    class Meta:
        model = Invoice
        fields = (
            "id",
            "factory",
            "number",
            "cycle_number",
            "amount",
            "currency",
            "issued_on",
            "due_on",
            "paid_on",
            "payment_reference",
            "is_overdue",
        )
        read_only_fields = fields


def _invoice_amount(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True, help_text=help_text
    )


class InvoiceIssueInputSerializer(serializers.Serializer):
    amount = _invoice_amount("Default: the country's annual fee.")


class RecordPaymentInputSerializer(serializers.Serializer):
    paid_on = serializers.DateField(help_text="Not before the invoice was issued, not in the future.")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ExitInputSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the factory leaves the programme (required).")


class SuspendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history.")


# --- registrations (R-REG-1) -----------------------------------------------------------------------------------


class RegistrationInputSerializer(serializers.ModelSerializer):
    """The public registration form. Field rules come from the model; the sector offered in the country is
    checked by `registration_submit` (400 on `sector`, naming the country)."""

    country = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Country.objects.all(),
        help_text="ISO 3166-1 alpha-2 code of a country programme (`KH`).",
        error_messages={
            "does_not_exist": _("Unknown country “{value}”: give the ISO code of a country programme, such as KH."),
            "invalid": _("Give the country's ISO code, such as KH."),
        },
    )
    buyers = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=100,
        help_text="Names of the buyers the factory supplies.",
    )

    class Meta:
        model = Registration
        fields = REGISTRATION_FIELDS


class RegistrationSubmittedOutputSerializer(serializers.ModelSerializer):
    """What the registrant gets back: its own form and its status (nothing about other factories)."""

    country = serializers.CharField(source="country_id", read_only=True)
    women_percent = serializers.FloatField(read_only=True)

    class Meta:
        model = Registration
        fields = ("id", "status", *RegistrationInputSerializer.Meta.fields, "created_at")
        read_only_fields = fields


class RegistrationOutputSerializer(RegistrationSubmittedOutputSerializer):
    """A registration as its reviewers see it."""

    likely_duplicate = serializers.BooleanField(
        read_only=True,
        help_text="Pending, and a factory or another pending registration in the country has the same name.",
    )
    reviewed_by = serializers.IntegerField(source="reviewed_by_id", read_only=True, allow_null=True)
    factory = serializers.IntegerField(source="factory_id", read_only=True, allow_null=True)

    class Meta(RegistrationSubmittedOutputSerializer.Meta):
        fields = (
            *RegistrationSubmittedOutputSerializer.Meta.fields,
            "language",
            "review_note",
            "reviewed_at",
            "reviewed_by",
            "factory",
            "likely_duplicate",
        )
        read_only_fields = fields


class DuplicateOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=("factory", "registration"))
    id = serializers.IntegerField()
    name = serializers.CharField()


class RegistrationDetailOutputSerializer(RegistrationOutputSerializer):
    likely_duplicates = serializers.SerializerMethodField(
        help_text="Factories and pending registrations in the country with the same or a similar name."
    )

    class Meta(RegistrationOutputSerializer.Meta):
        fields = (*RegistrationOutputSerializer.Meta.fields, "likely_duplicates")
        read_only_fields = fields

    @extend_schema_field(DuplicateOutputSerializer(many=True))
    def get_likely_duplicates(self, registration: Registration) -> list[dict]:
        return [duplicate_row(d) for d in self.context.get("likely_duplicates", [])]


def duplicate_row(duplicate: Factory | Registration) -> dict:
    if isinstance(duplicate, Factory):
        return {"kind": "factory", "id": duplicate.pk, "name": duplicate.name}
    return {"kind": "registration", "id": duplicate.pk, "name": duplicate.factory_name}


class RegistrationApproveInputSerializer(serializers.Serializer):
    amount = _invoice_amount("The first invoice's amount. Default: the country's annual fee.")


class RegistrationApprovedOutputSerializer(serializers.Serializer):
    factory = serializers.IntegerField(help_text="Id of the factory the approval created.")
    status = serializers.ChoiceField(choices=("approved",))


class RegistrationRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Sent to the factory's contact (required, not blank).")


class RegistrationRequestChangesInputSerializer(serializers.Serializer):
    message = serializers.CharField(
        allow_blank=True, help_text="What to change: sent to the contact with a link to edit the form."
    )
