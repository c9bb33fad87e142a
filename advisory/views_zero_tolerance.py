"""Zero-tolerance pages (R-ADV-7), staff only (anyone else: 404): a factory's cases with the form to open one,
and a case's page with its log and closure. The services in advisory.services.zero_tolerance do the rules."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advisory.models import AdvisoryVisit, ZeroToleranceCase
from advisory.services.zero_tolerance import case_close, case_log, case_open
from betterwork.accounts.policy import get_visible_or_404, may, visible
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.models import Factory


class CaseOpenForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=ZeroToleranceCase.Category.choices)
    description = forms.CharField(label=gettext_lazy("What was found"), widget=forms.Textarea(attrs={"rows": 4}))
    visit = forms.ModelChoiceField(label=gettext_lazy("Visit"), queryset=AdvisoryVisit.objects.none(), required=False)
    assessment_reference = forms.CharField(label=gettext_lazy("Assessment"), max_length=60, required=False)

    def __init__(self, *args, factory: Factory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = factory.visits.order_by("-date", "-id")


class CaseLogForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Log entry"), widget=forms.Textarea(attrs={"rows": 3}))


class CaseCloseForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("How it was resolved"), widget=forms.Textarea(attrs={"rows": 3}))


def _factory_for_staff(request: HttpRequest, pk: int) -> Factory:
    if not request.user.is_programme_staff:
        raise Http404
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    if not may(request.user, "zero_tolerance", factory):
        raise Http404
    return factory


def _apply(form: forms.Form, error: ApplicationError) -> None:
    if isinstance(error, NotPermitted):
        raise PermissionDenied(error.message)
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def case_list_page(request: HttpRequest, pk: int) -> HttpResponse:
    factory = _factory_for_staff(request, pk)
    initial = {}
    if request.method == "GET" and request.GET.get("visit", "").isdigit():
        initial["visit"] = request.GET["visit"]
    form = CaseOpenForm(request.POST or None, factory=factory, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            case = case_open(factory=factory, actor=request.user, **data)
        except ApplicationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("The case is open and the programme manager has been alerted."))
            return redirect("zero-tolerance-case", pk=factory.pk, case_pk=case.pk)
    cases = visible(request.user, ZeroToleranceCase).filter(factory=factory).select_related("opened_by", "visit")
    return render(
        request,
        "advisory/zero_tolerance/list.html",
        {"factory": factory, "cases": cases, "form": form, "tab": "profile"},
    )


@login_required
def case_detail_page(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    factory = _factory_for_staff(request, pk)
    case = get_visible_or_404(request.user, ZeroToleranceCase, pk=case_pk, factory=factory)
    log_form, close_form = CaseLogForm(), CaseCloseForm()
    if request.method == "POST":
        if request.POST.get("action") == "close":
            close_form = CaseCloseForm(request.POST)
            if close_form.is_valid():
                try:
                    case_close(case_id=case.pk, actor=request.user, note=close_form.cleaned_data["note"])
                except ApplicationError as error:
                    _apply(close_form, error)
                else:
                    messages.success(request, _("The case is closed."))
                    return redirect("zero-tolerance-case", pk=factory.pk, case_pk=case.pk)
        else:
            log_form = CaseLogForm(request.POST)
            if log_form.is_valid():
                try:
                    case_log(case_id=case.pk, actor=request.user, text=log_form.cleaned_data["text"])
                except ApplicationError as error:
                    _apply(log_form, error)
                else:
                    messages.success(request, _("The log entry is added."))
                    return redirect("zero-tolerance-case", pk=factory.pk, case_pk=case.pk)
    return render(
        request,
        "advisory/zero_tolerance/detail.html",
        {
            "factory": factory,
            "case": case,
            "log": case.log.select_related("author"),
            "log_form": log_form,
            "close_form": close_form if case.status == ZeroToleranceCase.Status.OPEN else None,
            "tab": "profile",
        },
    )


urlpatterns = [
    path("", case_list_page, name="zero-tolerance"),
    path("<int:case_pk>/", case_detail_page, name="zero-tolerance-case"),
]
