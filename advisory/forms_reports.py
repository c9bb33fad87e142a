"""The progress-report form, built from the report's questions (the template JSON for Report 1, the fixed list
for Report 2): yes/no as radio buttons, dates as date inputs, text as text areas, multiple choices as boxes."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from advisory.services.reports import CRITICAL_RECTIFIED

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def _field(question: dict[str, Any]) -> forms.Field:
    label, kind = question["text"], question["type"]
    if kind == "yes_no":
        return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, required=False)
    if kind == "date":
        return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), required=False)
    if kind == "multi_choice":
        choices = list(zip(question["choices"], question.get("choice_labels", question["choices"]), strict=True))
        return forms.MultipleChoiceField(
            label=label, choices=choices, widget=forms.CheckboxSelectMultiple, required=False
        )
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReportForm(forms.Form):
    """Every field is optional here: a draft may be incomplete; the service lists what submission needs."""

    def __init__(self, *args: Any, questions: list[dict[str, Any]], answers: dict[str, Any],
                 critical_items: list | None = None, **kwargs: Any) -> None:  # fmt: skip
        initial = {}
        for q in questions:
            value = answers.get(q["key"])
            if q["type"] == "yes_no" and isinstance(value, bool):
                value = "yes" if value else "no"
            initial[q["key"]] = value
        if critical_items is not None:
            initial[CRITICAL_RECTIFIED] = [str(i) for i in answers.get(CRITICAL_RECTIFIED, [])]
        super().__init__(*args, initial=initial, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[q["key"]] = _field(q)
            if q.get("required"):
                self.fields[q["key"]].widget.attrs["aria-required"] = "true"
        if critical_items is not None:
            self.fields[CRITICAL_RECTIFIED] = forms.MultipleChoiceField(
                label=gettext_lazy("Critical issues we report as fully rectified"),
                choices=[(str(i.pk), f"{i.critical_issue_id}: {i.text}") for i in critical_items],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def answers(self) -> dict[str, Any]:
        """The cleaned data in the service's terms (true/false, YYYY-MM-DD, ids as numbers)."""
        out: dict[str, Any] = {}
        for q in self.questions:
            value = self.cleaned_data.get(q["key"])
            if q["type"] == "yes_no":
                value = {"yes": True, "no": False}.get(value)
            elif isinstance(value, date):
                value = value.isoformat()
            out[q["key"]] = value
        if CRITICAL_RECTIFIED in self.fields:
            out[CRITICAL_RECTIFIED] = [int(i) for i in self.cleaned_data.get(CRITICAL_RECTIFIED, [])]
        return out


class SignOffForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)
