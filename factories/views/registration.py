"""Registration pages (R-REG-1): the public form (`/register/`, wired in betterwork/urls.py), its thank-you page,
the signed edit link after a request for changes, and the staff's review list and detail with the
approve / reject / ask-for-changes forms."""

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from betterwork.accounts.policy import get_visible_or_404, may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.api.registration import RegistrationThrottle, submission_language
from factories.filtersets import RegistrationFilterSet
from factories.forms import ApproveForm, RegistrationForm, RejectForm, RequestChangesForm, apply_service_error
from factories.lifecycle_selectors import registration_history, registration_list
from factories.models import Factory, Registration
from factories.services.registration import (
    likely_duplicates,
    registration_approve,
    registration_from_edit_token,
    registration_reject,
    registration_request_changes,
    registration_resubmit,
    registration_submit,
)

S = Registration.Status

# --- the public form ---------------------------------------------------------------------------------------------


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """The same per-address budget as `POST /api/v1/registrations/`: one shared throttle."""
    throttle = RegistrationThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    response = render(request, "factories/registration/throttled.html", status=429)
    if wait:
        response["Retry-After"] = str(math.ceil(wait))
    return response


def register_page(request: HttpRequest) -> HttpResponse:
    """Anyone registers a factory: no account needed. Valid or not, each submission counts against the budget."""
    if request.method == "POST":
        refused = _throttled(request)
        if refused is not None:
            return refused
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                registration_submit(data=form.cleaned_data, language=submission_language())
            except (ApplicationError, ValidationError) as error:
                apply_service_error(form, error)
            else:
                return redirect("register-done")
        status = 400
    else:
        form, status = RegistrationForm(), 200
    return render(request, "factories/registration/form.html", {"form": form}, status=status)


def register_done_page(request: HttpRequest) -> HttpResponse:
    return render(request, "factories/registration/done.html")


def registration_edit_page(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link sent with a request for changes: the form pre-filled, resubmitted for review."""
    try:
        registration = registration_from_edit_token(token)
    except ApplicationError as error:
        return render(request, "factories/registration/link_invalid.html", {"message": error.message}, status=400)
    if request.method == "POST":
        form = RegistrationForm(request.POST, instance=Registration.objects.get(pk=registration.pk))
        if form.is_valid():
            try:
                registration_resubmit(token=token, data=form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                apply_service_error(form, error)
            else:
                return redirect("register-done")
        status = 400
    else:
        form, status = RegistrationForm(instance=registration), 200
    return render(
        request,
        "factories/registration/edit.html",
        {"form": form, "registration": registration, "token": token},
        status=status,
    )


# --- staff review --------------------------------------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not request.user.is_programme_staff:
        raise Http404


@login_required
def registration_list_page(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    filterset = RegistrationFilterSet(request.GET, queryset=registration_list(user=request.user))
    queryset = filterset.qs
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(factory_name__icontains=query)
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "factories/registration/list.html",
        {"filter": filterset, "page": page, "query": query, "querystring": params.urlencode()},
    )


def _review_forms(request: HttpRequest, registration: Registration) -> dict[str, Any]:
    """The review forms the user may use now (none for who may not review, none once reviewed)."""
    if not may(request.user, "review", registration):
        return {}
    allowed = Registration.TRANSITIONS[registration.status]
    forms: dict[str, Any] = {}
    if S.APPROVED in allowed:
        forms["approve_form"] = ApproveForm(prefix="approve", initial={"amount": registration.country.annual_fee})
    if S.REJECTED in allowed:
        forms["reject_form"] = RejectForm(prefix="reject")
    if S.CHANGES_REQUESTED in allowed:
        forms["changes_form"] = RequestChangesForm(prefix="changes")
    return forms


def _detail(request: HttpRequest, registration: Registration, status: int = 200, **bound: Any) -> HttpResponse:
    duplicates = [
        {
            "kind": "factory" if isinstance(d, Factory) else "registration",
            "name": d.name if isinstance(d, Factory) else d.factory_name,
            "status": d.get_status_display(),
            "url": reverse("factories:detail", args=[d.pk])
            if isinstance(d, Factory)
            else reverse("factories:registration-detail", args=[d.pk]),
        }
        for d in likely_duplicates(registration)
    ]
    context = {
        "registration": registration,
        "duplicates": duplicates,
        "history": registration_history(registration=registration),
        **_review_forms(request, registration),
        **bound,
    }
    return render(request, "factories/registration/detail.html", context, status=status)


def _visible_registration(request: HttpRequest, pk: int) -> Registration:
    _require_staff(request)
    get_visible_or_404(request.user, Registration, pk=pk)
    return registration_list(user=request.user).get(pk=pk)


@login_required
def registration_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_registration(request, pk))


def _review(request: HttpRequest, pk: int, form_class: type, prefix: str, context_name: str, act: Any, done: str):
    registration = _visible_registration(request, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            act(registration, form.cleaned_data)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except (ApplicationError, ValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("factories:registration-detail", pk=registration.pk)
    if not may(request.user, "review", registration):
        raise PermissionDenied
    registration = registration_list(user=request.user).get(pk=pk)
    return _detail(request, registration, status=400, **{context_name: form})


@login_required
@require_POST
def registration_approve_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(
        request,
        pk,
        ApproveForm,
        "approve",
        "approve_form",
        lambda r, data: registration_approve(registration_id=r.pk, actor=request.user, amount=data.get("amount")),
        _("Registration approved: the factory, its first invoice and the contact's account are created."),
    )


@login_required
@require_POST
def registration_reject_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(
        request,
        pk,
        RejectForm,
        "reject",
        "reject_form",
        lambda r, data: registration_reject(registration_id=r.pk, actor=request.user, reason=data["reason"]),
        _("Registration rejected: the contact has been told why."),
    )


@login_required
@require_POST
def registration_request_changes_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(
        request,
        pk,
        RequestChangesForm,
        "changes",
        "changes_form",
        lambda r, data: registration_request_changes(registration_id=r.pk, actor=request.user, message=data["message"]),
        _("Changes requested: the contact received a link to edit the registration."),
    )


urlpatterns = [
    path("registrations/", registration_list_page, name="registration-list"),
    path("registrations/<int:pk>/", registration_detail_page, name="registration-detail"),
    path("registrations/<int:pk>/approve/", registration_approve_page, name="registration-approve"),
    path("registrations/<int:pk>/reject/", registration_reject_page, name="registration-reject"),
    path("registrations/<int:pk>/request-changes/", registration_request_changes_page, name="registration-changes"),
    path("registrations/edit/<str:token>/", registration_edit_page, name="registration-edit"),
]
