"""Forms of the training pages; they only parse input: the rules are in training.services."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessments.models import Cluster
from factories.models import Modality
from training.models import MAX_SEMINAR_PARTICIPANTS, Course, Seminar

DATE = forms.DateInput(attrs={"type": "date"})


def _names(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    cluster = forms.ModelChoiceField(label=_("Cluster it addresses"), queryset=Cluster.objects.all(), required=False)
    days = forms.IntegerField(label=_("Days"), help_text=_("From 1 to 5 days."))
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    language = forms.CharField(label=_("Language"), max_length=8, required=False)

    def __init__(self, *args: Any, languages: Iterable[str] = (), **kwargs: Any) -> None:
        """`languages`: the country's languages other than English, each with a field for the title in it."""
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.title_languages = [code for code in languages if code in names and code != settings.LANGUAGE_CODE]
        for code in self.title_languages:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": names[code]}, max_length=200, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["title_translations"] = {code: data.pop(f"title_{code}", "") for code in self.title_languages}
        return data


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    start_date = forms.DateField(label=_("First day"), widget=DATE)
    days = forms.IntegerField(label=_("Days"), required=False, help_text=_("Empty: as many as the course."))
    modality = forms.ChoiceField(label=_("Modality"), choices=[("", _("As the course")), *Modality.choices],
                                 required=False)  # fmt: skip
    capacity = forms.IntegerField(label=_("Capacity (participants)"))
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    trainer = forms.CharField(label=_("Trainer"), max_length=200, required=False)

    def __init__(self, *args, courses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses


class SeminarForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    cluster = forms.ModelChoiceField(label=_("Cluster it addresses"), queryset=Cluster.objects.all(), required=False)
    date = forms.DateField(label=_("Date"), widget=DATE)
    length = forms.ChoiceField(label=_("Length"), choices=Seminar.Length.choices)
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    venue = forms.CharField(label=_("Venue or link"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Capacity (participants)"), initial=MAX_SEMINAR_PARTICIPANTS)


class BookForm(forms.Form):
    """Book a session: the number of participants (each uses as many participant-days as the session lasts)."""

    participants = forms.IntegerField(label=_("Participants"))
    names = forms.CharField(label=_("Names (one a line, optional)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    factory = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def names_list(self) -> list[str]:
        return _names(self.cleaned_data.get("names", ""))


class NamesForm(forms.Form):
    names = forms.CharField(label=_("Participants' names (one a line)"), widget=forms.Textarea(attrs={"rows": 3}))

    def names_list(self) -> list[str]:
        return _names(self.cleaned_data["names"])


class JoinForm(forms.Form):
    participants = forms.IntegerField(label=_("Participants"))
    factory = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PurchaseForm(forms.Form):
    participant_days = forms.IntegerField(label=_("Participant-days bought"))
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=30)
    amount = forms.DecimalField(label=_("Amount"), max_digits=10, decimal_places=2, required=False)


class ActionForm(forms.Form):
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.all())
    text = forms.CharField(label=_("Issue"), max_length=500)
    action = forms.CharField(label=_("Action"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
