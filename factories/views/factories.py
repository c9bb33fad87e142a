"""Factory pages: the list (staff and buyers), one factory's profile (with its status history and the "Edit
profile" form for who may change it), and its invoices (with the programme manager's payment, invoice,
suspension and exit forms)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from betterwork.accounts.policy import get_visible_or_404, may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.filtersets import FactoryFilterSet
from factories.forms import (
    ExitForm,
    IssueInvoiceForm,
    RecordPaymentForm,
    SuspendForm,
    apply_service_error,
    factory_profile_form,
)
from factories.lifecycle_selectors import factory_invoices, factory_status_history, invoices_hidden_from
from factories.models import BuyerRead, Factory
from factories.selectors import authorised_buyers, factory_list, with_current_cycle
from factories.services.buyers import buyer_read_record
from factories.services.lifecycle import (
    factory_exit,
    factory_record_payment,
    factory_suspend,
    factory_update,
    invoice_issue,
)

SORTS = {
    "name": ("name", "id"),
    "-workers": ("-workers", "id"),
    "country": ("country__name", "name", "id"),
    "status": ("status", "name", "id"),
    "production_status": ("production_status", "name", "id"),
}
STAFF_SORTS = frozenset({"production_status"})  # buyers do not read the production status


@login_required
def factory_list_page(request: HttpRequest) -> HttpResponse:
    filterset = FactoryFilterSet(request.GET, queryset=factory_list(user=request.user), request=request)
    queryset = filterset.qs
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(name__icontains=query)
    sort = request.GET.get("sort", "name")
    if sort not in SORTS or (sort in STAFF_SORTS and not request.user.is_programme_staff):
        sort = "name"
    queryset = queryset.order_by(*SORTS[sort])
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "factories/list.html",
        {"filter": filterset, "page": page, "query": query, "sort": sort, "querystring": params.urlencode()},
    )


def _sees_internals(user: Any, factory: Factory) -> bool:
    """Programme staff and the factory's own users (not buyers) see contacts, history and invoices."""
    return user.is_programme_staff or user.factory_id == factory.pk


def _detail(request: HttpRequest, pk: int, *, profile_form: Any = None, status: int = 200) -> HttpResponse:
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    if request.method == "GET":
        buyer_read_record(user=request.user, factory=factory, kind=BuyerRead.Kind.FACTORY_PROFILE, channel="web")
    factory = with_current_cycle(Factory.objects.select_related("country", "advisor")).get(pk=factory.pk)
    internal = _sees_internals(request.user, factory)
    if profile_form is None and may(request.user, "change", factory):
        profile_form = factory_profile_form(actor=request.user, factory=Factory.objects.get(pk=factory.pk))
    return render(
        request,
        "factories/detail.html",
        {
            "factory": factory,
            "cycles": factory.cycles.order_by("-number"),
            "authorisations": authorised_buyers(factory_id=factory.pk) if internal else None,
            "internal": internal,
            "status_history": factory_status_history(factory=factory) if internal else None,
            "profile_form": profile_form,
        },
        status=status,
    )


@login_required
def factory_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@require_POST
def factory_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Edit profile" form: only the fields the user's role may change (factories.services.lifecycle)."""
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    if not may(request.user, "change", factory):
        raise PermissionDenied
    form = factory_profile_form(actor=request.user, factory=factory, data=request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                factory_update(factory_id=factory.pk, actor=request.user, **changes)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except (ApplicationError, ValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Profile saved.") if changes else _("Nothing changed."))
            return redirect("factories:detail", pk=factory.pk)
    return _detail(request, pk, profile_form=form, status=400)


# --- invoices and the factory's status -----------------------------------------------------------------------------


def _invoices(request: HttpRequest, pk: int, *, status: int = 200, **bound: Any) -> HttpResponse:
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    if invoices_hidden_from(request.user):  # buyers never see invoices: the page does not exist for them
        raise Http404
    today = timezone.localdate()
    context: dict[str, Any] = {
        "factory": factory,
        "invoices": factory_invoices(user=request.user, factory_id=factory.pk, today=today),
        "today": today,
    }
    if may(request.user, "manage", factory):
        context.update(
            payment_form=RecordPaymentForm(prefix="payment"),
            issue_form=IssueInvoiceForm(prefix="issue"),
            suspend_form=SuspendForm(prefix="suspend"),
            exit_form=ExitForm(prefix="exit"),
        )
    context.update(bound)
    return render(request, "factories/invoices.html", context, status=status)


@login_required
def factory_invoices_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoices(request, pk)


def _manage(request: HttpRequest, pk: int, form_class: type, prefix: str, act: Any, done: str) -> HttpResponse:
    """Run one of the programme manager's forms; the service decides (403 for who may see but not manage)."""
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    if invoices_hidden_from(request.user):
        raise Http404
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            act(factory, form.cleaned_data)
        except NotPermitted as error:
            raise PermissionDenied(error.message) from error
        except (ApplicationError, ValidationError) as error:
            apply_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("factories:invoices", pk=factory.pk)
    if not may(request.user, "manage", factory):
        raise PermissionDenied
    return _invoices(request, pk, status=400, **{f"{prefix}_form": form})


@login_required
@require_POST
def factory_record_payment_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        RecordPaymentForm,
        "payment",
        lambda f, data: factory_record_payment(factory_id=f.pk, actor=request.user, **data),
        _("Payment recorded: the factory is active."),
    )


@login_required
@require_POST
def factory_issue_invoice_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        IssueInvoiceForm,
        "issue",
        lambda f, data: invoice_issue(factory=f, actor=request.user, amount=data.get("amount")),
        _("Invoice issued for the next cycle."),
    )


@login_required
@require_POST
def factory_suspend_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        SuspendForm,
        "suspend",
        lambda f, data: factory_suspend(factory_id=f.pk, actor=request.user, reason=data["reason"]),
        _("Services suspended."),
    )


@login_required
@require_POST
def factory_exit_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _manage(
        request,
        pk,
        ExitForm,
        "exit",
        lambda f, data: factory_exit(factory_id=f.pk, actor=request.user, reason=data["reason"]),
        _("The factory has left the programme."),
    )


urlpatterns = [
    path("", factory_list_page, name="list"),
    path("<int:pk>/", factory_detail_page, name="detail"),
    path("<int:pk>/edit/", factory_edit_page, name="edit"),
    path("<int:pk>/invoices/", factory_invoices_page, name="invoices"),
    path("<int:pk>/invoices/record-payment/", factory_record_payment_page, name="record-payment"),
    path("<int:pk>/invoices/issue/", factory_issue_invoice_page, name="invoice-issue"),
    path("<int:pk>/suspend/", factory_suspend_page, name="suspend"),
    path("<int:pk>/exit/", factory_exit_page, name="exit"),
]
