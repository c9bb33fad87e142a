"""Forms of the registration, invoice and profile pages. They parse input; the services decide (and their errors
are shown next to the field they name, see `apply_service_error`)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from betterwork.common.exceptions import ApplicationError
from factories.lifecycle_selectors import advisors_for
from factories.models import Country, Factory, Registration, Sector
from factories.services.lifecycle import editable_fields
from factories.services.registration import FIELDS as REGISTRATION_FIELDS

MAX_BUYERS = 100


def apply_service_error(form: forms.Form, error: ApplicationError | ValidationError) -> None:
    """Show a service's refusal on the form: next to the field it names, else above the form."""
    if isinstance(error, ApplicationError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class RegistrationForm(forms.ModelForm):
    """The public registration form (R-REG-1), also used to edit a registration after a request for changes."""

    buyers = forms.CharField(
        label=_("Buyers you supply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One buyer per line, for example the brands you produce for."),
    )

    class Meta:
        model = Registration
        fields = REGISTRATION_FIELDS
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "workers": forms.NumberInput(attrs={"max": 100_000}),
            "women_percent": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.1"}),
        }
        help_texts = {
            "factory_name": _("As registered with the authorities."),
            "os_id": _("Optional: the factory's ID on Open Supply Hub, if it has one."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = Country.objects.order_by("name")
        self.fields["country"].empty_label = _("Choose a country")
        self.fields["country"].error_messages["invalid_choice"] = _(
            "Choose one of the programme countries in the list."
        )
        footwear = [c.name for c in self.fields["country"].queryset if Sector.FOOTWEAR in (c.sectors or [])]
        self.fields["sector"].help_text = _("Apparel in every country; footwear only in: %(countries)s.") % {
            "countries": ", ".join(footwear)
        }
        self.fields["workers"].widget.attrs["min"] = 1  # the model field's own minimum is 0
        if self.instance.pk and not self.is_bound:
            self.initial["buyers"] = "\n".join(self.instance.buyers or [])

    def clean_buyers(self) -> list[str]:
        names: list[str] = []
        for line in self.cleaned_data.get("buyers", "").splitlines():
            name = " ".join(line.split())
            if not name or name in names:
                continue
            if len(name) > 200:
                message = _("A buyer's name has at most 200 characters: “%(name)s…”.")
                raise ValidationError(message % {"name": name[:40]})
            names.append(name)
        if len(names) > MAX_BUYERS:
            raise ValidationError(_("List at most %(n)d buyers.") % {"n": MAX_BUYERS})
        return names


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=_("First invoice amount"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Leave empty for the country's annual fee."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the factory's contact."),
    )


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("What should the factory change?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the factory's contact with a link to edit the registration."),
    )


class DateInput(forms.DateInput):
    input_type = "date"


class RecordPaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput, initial=timezone.localdate)
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)


class IssueInvoiceForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Leave empty for the country's annual fee."),
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the suspension"), widget=forms.Textarea(attrs={"rows": 2}))


class ExitForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the factory leave the programme?"), widget=forms.Textarea(attrs={"rows": 2})
    )


# The profile fields in the order the form shows them; each user gets those its role may change.
PROFILE_FIELDS = (
    "name",
    "sector",
    "address",
    "workers",
    "women_percent",
    "production_status",
    "os_id",
    "advisor",
    "contact_name",
    "contact_email",
    "contact_phone",
)


class FactoryProfileForm(forms.ModelForm):
    class Meta:
        model = Factory
        fields = PROFILE_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


def factory_profile_form(*, actor: Any, factory: Factory, data: Any = None) -> FactoryProfileForm | None:
    """The "Edit profile" form with only the fields `actor` may change (None when there are none). Give it its
    own copy of the factory: validation writes the submitted values on the instance."""
    allowed = editable_fields(actor=actor)
    fields = [name for name in PROFILE_FIELDS if name in allowed]
    if not fields:
        return None
    form_class = forms.modelform_factory(Factory, form=FactoryProfileForm, fields=fields)
    form = form_class(data, instance=factory, prefix="profile")
    if "advisor" in form.fields:
        form.fields["advisor"].queryset = advisors_for(user=actor, country_id=factory.country_id)
        form.fields["advisor"].label_from_instance = lambda user: user.get_full_name() or user.username
    return form
