"""Forms of the committee pages. They only parse input: the services in factories.services.committee decide."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from factories.models import Committee, CommitteeMember, FollowUpAction


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _today_max(field: forms.DateField) -> forms.DateField:
    field.widget.attrs["max"] = timezone.localdate().isoformat()
    return field


class CommitteeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of committee"), choices=Committee.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    formed_on = forms.DateField(label=_("Established on"), required=False, widget=DateInput())
    formation = forms.ChoiceField(
        label=_("How it was formed"), choices=[("", "—"), *Committee.Formation.choices], required=False
    )
    formation_notes = forms.CharField(
        label=_("Formation, in more detail"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example who organised the election and how candidates came forward."),
    )
    election_date = forms.DateField(
        label=_("Election date"),
        required=False,
        widget=DateInput(),
        help_text=_("If worker members were elected."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_max(self.fields["formed_on"])
        _today_max(self.fields["election_date"])

    @classmethod
    def initial_for(cls, committee: Committee | None) -> dict[str, Any]:
        if committee is None:
            return {}
        return {name: getattr(committee, name) for name in cls.base_fields}


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    side = forms.ChoiceField(label=_("Side"), choices=CommitteeMember.Side.choices)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    elected = forms.BooleanField(label=_("Elected by workers"), required=False)
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=DateInput())


class MemberLeftForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), initial=timezone.localdate)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    attendees = forms.IntegerField(label=_("Attendees"), min_value=0, max_value=32767, required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_max(self.fields["held_on"])


class MeetingRecordForm(MeetingForm):
    outcomes = forms.CharField(
        label=_("Outcomes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the meeting decided or reached: one per line."),
    )

    def clean_outcomes(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["outcomes"].splitlines() if line.strip()]


class ActionRowForm(forms.Form):
    """One follow-up action decided at the meeting; a row left blank is ignored."""

    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("Responsible"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    priority = forms.BooleanField(label=_("Priority issue"), required=False)


ActionRowFormSet = forms.formset_factory(ActionRowForm, extra=3, max_num=3, absolute_max=10)


class OutcomeForm(forms.Form):
    text = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpAction.Status.choices)
    done_on = forms.DateField(label=_("Done on (empty: today)"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _today_max(self.fields["done_on"])
