"""A factory's differentiation page (R-DIF): its stage, the nine criteria with what is missing for stage 2, the
live progress on criteria 1, 6 and 7 (R-DIF-4), the evaluations and the stage changes; for the factory's advisor
or the country's programme manager, the form that runs an evaluation. Visible to the country's staff, the
factory's users and its authorised buyers; anyone else (the public included) gets 404.

Included under "factories/<int:pk>/differentiation/"."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from betterwork.accounts.policy import get_visible_or_404, may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Factory
from reporting.models import DifferentiationCriterion, Evaluation
from reporting.selectors_differentiation import differentiation_payload
from reporting.services.differentiation import (
    ACTION,
    JUDGED,
    MAX_FEEDBACK,
    MAX_RATIONALE,
    evaluation_run,
    feedback_give,
)

MET_CHOICES = (("yes", gettext_lazy("Met")), ("no", gettext_lazy("Not met")))


class EvaluationForm(forms.Form):
    """One pair of fields per judged criterion (met or not, and the rationale), then the feedback."""

    feedback = forms.CharField(
        label=gettext_lazy("Feedback to the factory on its progress toward stage 2"),
        required=False,
        max_length=MAX_FEEDBACK,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, latest: Evaluation | None = None, suggestions: dict | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        criteria = DifferentiationCriterion.objects.filter(number__in=JUDGED).order_by("number")
        previous = {j.criterion_id: j for j in latest.judgements.all()} if latest else {}
        suggestions = suggestions or {}
        self.criteria = []
        for criterion in criteria:
            number = criterion.number
            hint = suggestions.get(number)
            met = self.fields[f"criterion_{number}_met"] = forms.ChoiceField(
                label=_("Criterion %(n)s") % {"n": number},
                choices=MET_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Say whether criterion %(n)s is met.") % {"n": number}},
                help_text=hint.note if hint else "",
            )
            rationale = self.fields[f"criterion_{number}_rationale"] = forms.CharField(
                label=_("Rationale for criterion %(n)s") % {"n": number},
                max_length=MAX_RATIONALE,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": _("Give the rationale for criterion %(n)s.") % {"n": number}},
            )
            if number in previous:
                met.initial = "yes" if previous[number].met else "no"
                rationale.initial = previous[number].rationale
            elif hint is not None and hint.met is not None:
                met.initial = "yes" if hint.met else "no"
            self.criteria.append(
                {"criterion": criterion, "met": self[f"criterion_{number}_met"],
                 "rationale": self[f"criterion_{number}_rationale"]}
            )  # fmt: skip
        self.order_fields([name for name in self.fields if name != "feedback"] + ["feedback"])

    def judgements(self) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        return {
            number: {
                "met": data[f"criterion_{number}_met"] == "yes",
                "rationale": data[f"criterion_{number}_rationale"],
            }
            for number in JUDGED
        }


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Feedback to the factory on its progress toward stage 2"),
        max_length=MAX_FEEDBACK,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write the feedback to the factory.")},
    )


@login_required
def differentiation_page(request: HttpRequest, pk: int) -> HttpResponse:
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    evaluates = may(request.user, ACTION, factory)
    writing = request.method == "POST" and request.POST.get("do") == "feedback"
    feedback_form = FeedbackForm(request.POST if writing else None) if evaluates else None
    if writing:
        if feedback_form is None:
            raise PermissionDenied
        if feedback_form.is_valid():
            try:
                feedback_give(factory=factory, actor=request.user, text=feedback_form.cleaned_data["text"])
            except ApplicationError as error:
                feedback_form.add_error("text", error.message)
            else:
                messages.success(request, _("The feedback is sent to the factory."))
                return redirect(request.path + "#feedback")
    payload = differentiation_payload(factory, with_suggestions=evaluates)
    form = None
    if evaluates and payload["eligible"]:
        data = request.POST if request.method == "POST" and not writing else None
        form = EvaluationForm(data, latest=payload["latest"], suggestions=payload["suggestions"])
    if request.method == "POST" and not writing:
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                evaluation = evaluation_run(
                    factory=factory,
                    actor=request.user,
                    judgements=form.judgements(),
                    feedback=form.cleaned_data["feedback"],
                )
            except NotPermitted:
                raise PermissionDenied from None
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                if evaluation.stage_after != evaluation.stage_before:
                    messages.success(
                        request,
                        _("The evaluation is recorded. %(factory)s is now in stage %(stage)s.")
                        % {"factory": factory.name, "stage": evaluation.stage_after},
                    )
                else:
                    messages.success(request, _("The evaluation is recorded."))
                return redirect(request.path)
    return render(
        request,
        "reporting/differentiation/page.html",
        {
            **payload,
            "form": form,
            "feedback_form": feedback_form,
            "evaluates": evaluates,
            "staff": request.user.is_programme_staff,
        },
    )


urlpatterns = [path("", differentiation_page, name="factory-differentiation")]
