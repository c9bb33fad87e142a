"""Forms of the improvement-plan page. They only shape input: the rules are in advisory.services.plan."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from advisory.models import ImprovementPlanItem, SelfDiagnosisOption
from assessments.models import Cluster


def _option_choices() -> list[Any]:
    """Every standard issue, grouped by cluster in <optgroup>s (works without JavaScript)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for option in SelfDiagnosisOption.objects.select_related("cluster").order_by("cluster__position", "number"):
        groups.setdefault(str(option.cluster), []).append(
            (f"{option.cluster_id}:{option.number}", f"{option.number}. {option.tr.text}")
        )
    return [("", _("— none: I describe the issue myself —")), *groups.items()]


class SelfDiagnosisForm(forms.Form):
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.order_by("position"))
    option = forms.ChoiceField(label=_("Standard issue"), required=False)
    text = forms.CharField(label=_("Or describe the issue"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.CharField(label=_("Planned action"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("Responsible person"), required=False, max_length=200)
    target_date = forms.DateField(
        label=_("Target date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = _option_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        value, cluster = data.get("option") or "", data.get("cluster")
        data["option"] = None
        if value and cluster is not None:
            code, _sep, number = value.partition(":")
            if code != cluster.code:
                self.add_error("option", _("This standard issue belongs to another cluster."))
            else:
                data["option"] = int(number)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"cluster": data["cluster"], "option": data["option"], "text": data["text"], "action": data["action"],
                "responsible": data["responsible"], "target_date": data["target_date"]}  # fmt: skip


class ItemEditForm(forms.Form):
    """One item's wording, action, responsible person and target date (the status moves elsewhere)."""

    text = forms.CharField(label=_("Issue"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.CharField(label=_("Action"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("Responsible person"), required=False, max_length=200)
    target_date = forms.DateField(
        label=_("Target date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    @classmethod
    def for_item(cls, item: ImprovementPlanItem) -> "ItemEditForm":
        return cls(prefix=f"i{item.pk}", initial={name: getattr(item, name) for name in cls.base_fields})


class CompleteForm(forms.Form):
    parties_agree = forms.BooleanField(
        label=_("Management and worker representatives reviewed the action and agree it is done"), required=False
    )
    communicated_to_staff = forms.BooleanField(label=_("The progress was communicated to relevant staff"),
                                               required=False)  # fmt: skip
    evidence_reviewed = forms.BooleanField(label=_("I reviewed documents and/or physical improvements"),
                                           required=False)  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PlanFilterForm(forms.Form):
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.order_by("position"),
                                     required=False, to_field_name="code")  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any")), *ImprovementPlanItem.Status.choices])  # fmt: skip
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("Any")), *ImprovementPlanItem.Source.choices])  # fmt: skip
