"""Forms of the assessment pages. They only shape input: the rules (R-CYC-2, R-ASM-3..6) are in
assessments.services; errors the services raise are put on the field they name (`ApplicationError.field`)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Finding, PriorityNote
from betterwork.accounts.models import Role, User
from factories.models import Factory, Modality

DATE = {"type": "date"}


class AssessorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


def active_assessors(country_id: str | None) -> QuerySet[User]:
    """The country's active assessors (every country's for a global administrator without a factory yet)."""
    people = User.objects.filter(role=Role.ASSESSOR, is_active=True).order_by("last_name", "first_name", "pk")
    return people.filter(country_id=country_id) if country_id else people


class StatusFilterForm(forms.Form):
    """The list's status filter; factory and buyer users are offered only the statuses they can see."""

    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shown = (
            Assessment.Status.choices if staff else [c for c in Assessment.Status.choices if c[0] in Assessment.STARTED]
        )
        self.fields["status"].choices = [("", _("Any")), *shown]


class PlanForm(forms.Form):
    """R-ASM-3, R-CYC-2: the programme manager plans the assessment of a factory in its open cycle."""

    factory = forms.ModelChoiceField(label=_("Factory"), queryset=Factory.objects.none())
    planned_date = forms.DateField(label=_("Planned date"), widget=forms.DateInput(attrs=DATE))
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices, initial=Modality.ONSITE)
    assessors = AssessorChoiceField(
        label=_("Assessors"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two for an on-site assessment; one or two for a virtual or hybrid one."),
    )
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=5, initial=2)

    def __init__(self, *args: Any, factories: QuerySet[Factory], country_id: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factory"].queryset = factories
        self.fields["assessors"].queryset = active_assessors(country_id)


class RescheduleForm(forms.Form):
    planned_date = forms.DateField(label=_("Planned date"), widget=forms.DateInput(attrs=DATE))
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    assessors = AssessorChoiceField(
        label=_("Assessors"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=5)

    def __init__(self, *args: Any, country_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessors"].queryset = active_assessors(country_id)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), widget=forms.Textarea(attrs={"rows": 2}))


class StartForm(forms.Form):
    started_on = forms.DateField(label=_("Started on"), widget=forms.DateInput(attrs=DATE))


class MessageForm(forms.Form):
    """A response (factory) or a reply (programme) in one finding's thread."""

    text = forms.CharField(label=_("Your response"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args: Any, reply: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reply:
            self.fields["text"].label = _("Your reply")


class ReviseForm(forms.Form):
    """A correction to a finalised assessment (R-ASM-6)."""

    question = forms.ChoiceField(label=_("Question"))
    result = forms.ChoiceField(label=_("Result"), choices=Finding.Result.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Why is it corrected?"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, findings: list[Finding], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [
            (f.question.code, f"{f.question.code} — {f.question.tr.text[:80]}") for f in findings
        ]


class PriorityNoteForm(forms.Form):
    """Stakeholder feedback or a manual override on a factory's priority (R-ASM-4)."""

    factory = forms.ModelChoiceField(label=_("Factory"), queryset=Factory.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=PriorityNote.Kind.choices)
    points = forms.IntegerField(
        label=_("Points"), min_value=-100, max_value=100,
        help_text=_("Positive moves the factory up the list, negative down."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, factories: QuerySet[Factory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factory"].queryset = factories
