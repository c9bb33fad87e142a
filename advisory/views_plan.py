"""The improvement plan in the browser (R-ADV-1..4): the factory keeps it, its advisor completes items,
authorised buyers read it (each read logged, R-ACC-2). The rules are in advisory.services.plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advisory.api.plan import item_history, plan_items, plan_payload
from advisory.exports import plan_csv, plan_xlsx
from advisory.forms_plan import CompleteForm, ItemEditForm, PlanFilterForm, SelfDiagnosisForm
from advisory.models import ImprovementPlanItem
from advisory.services.plan import CHECKS, item_add_self_diagnosis, item_transition, item_update
from betterwork.accounts.models import Role
from betterwork.accounts.policy import get_visible_or_404, may
from betterwork.common.exceptions import ApplicationError, NotPermitted
from betterwork.common.history import history_by_object
from factories.models import Factory
from factories.services.buyers import buyer_read_record

Item = ImprovementPlanItem


def _factory(request: HttpRequest, pk: int) -> Factory:
    return get_visible_or_404(request.user, Factory, pk=pk)


def _item(request: HttpRequest, factory: Factory, item_pk: int) -> Item:
    if request.user.effective_role == Role.BUYER:
        raise Http404
    item = plan_items(factory).filter(pk=item_pk).first()
    if item is None:
        raise Http404
    return item


def _back(factory: Factory) -> HttpResponse:
    return redirect(reverse("factory-plan", args=[factory.pk]))


@login_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Items grouped by cluster with filters, progress, the self-diagnosis form, per-item edit and completion."""
    factory = _factory(request, pk)
    buyer = request.user.effective_role == Role.BUYER
    keeps = not buyer and may(request.user, "keep_plan", factory)
    form = SelfDiagnosisForm(request.POST or None) if keeps else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                item_add_self_diagnosis(factory=factory, actor=request.user, **form.service_kwargs())
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The issue is added to the plan."))
                return _back(factory)
    buyer_read_record(user=request.user, factory=factory, kind="improvement_plan", channel="web")
    payload = plan_payload(factory)
    items = payload["items"]
    filters = PlanFilterForm(request.GET or None)
    shown = items
    if filters.is_valid():
        wanted = filters.cleaned_data
        shown = [
            i for i in items
            if (not wanted["cluster"] or i.cluster_id == wanted["cluster"].code)
            and (not wanted["status"] or i.status == wanted["status"])
            and (not wanted["source"] or i.source == wanted["source"])
        ]  # fmt: skip
    staff = request.user.is_programme_staff
    histories = history_by_object(Item.history.filter(id__in=[i.pk for i in shown])) if staff else {}
    verifies = not buyer and may(request.user, "verify_plan", factory)
    rows = [
        {
            "item": i,
            "edit": ItemEditForm.for_item(i) if keeps and i.status != Item.Status.COMPLETED else None,
            "complete": CompleteForm(prefix=f"c{i.pk}") if verifies and i.status != Item.Status.COMPLETED else None,
            "history": item_history(histories[i.pk]) if staff else None,
        }
        for i in shown
    ]
    completed = sum(1 for i in items if i.status == Item.Status.COMPLETED)
    return render(request, "advisory/plan/plan.html", {
        "factory": factory, "rows": rows, "form": form, "filters": filters, "payload": payload,
        "total": len(items), "completed": completed, "read_only": not keeps, "verifies": verifies,
    })  # fmt: skip


@login_required
@require_POST
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    factory = _factory(request, pk)
    item = _item(request, factory, item_pk)
    form = ItemEditForm(request.POST, prefix=f"i{item.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(factory)
    changes = {name: value for name, value in form.cleaned_data.items() if value != getattr(item, name)}
    try:
        item_update(item_id=item.pk, actor=request.user, **changes)
    except NotPermitted:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item is saved."))
    return _back(factory)


@login_required
@require_POST
def item_complete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The advisor completes an item with the three checks of R-ADV-4."""
    factory = _factory(request, pk)
    item = _item(request, factory, item_pk)
    form = CompleteForm(request.POST, prefix=f"c{item.pk}")
    form.is_valid()
    data = form.cleaned_data
    try:
        item_transition(item_id=item.pk, actor=request.user, target=Item.Status.COMPLETED,
                        note=data.get("note", ""), **{name: bool(data.get(name)) for name in CHECKS})  # fmt: skip
    except NotPermitted:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item is completed."))
    return _back(factory)


@login_required
@require_POST
def item_verify_next(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    factory = _factory(request, pk)
    item = _item(request, factory, item_pk)
    try:
        item_transition(item_id=item.pk, actor=request.user, target=Item.Status.VERIFY_NEXT_ASSESSMENT)
    except NotPermitted:
        raise PermissionDenied from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item will be verified at the next assessment."))
    return _back(factory)


@login_required
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    factory = _factory(request, pk)
    buyer_read_record(user=request.user, factory=factory, kind="improvement_plan", channel="web")
    return render(request, "advisory/plan/print.html", {"factory": factory, "payload": plan_payload(factory)})


@login_required
def plan_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    factory = _factory(request, pk)
    buyer_read_record(user=request.user, factory=factory, kind="improvement_plan", channel="web")
    response = HttpResponse(plan_csv(plan_items(factory)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="improvement-plan-{factory.pk}.csv"'
    return response


@login_required
def plan_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    factory = _factory(request, pk)
    buyer_read_record(user=request.user, factory=factory, kind="improvement_plan", channel="web")
    content = plan_xlsx(plan_items(factory), title=_("Improvement plan of %(factory)s") % {"factory": factory.name})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="improvement-plan-{factory.pk}.xlsx"'
    return response


# Included under "factories/<int:pk>/".
urlpatterns = [
    path("plan/", plan_page, name="factory-plan"),
    path("plan/print/", plan_print, name="factory-plan-print"),
    path("plan.csv", plan_export_csv, name="factory-plan-csv"),
    path("plan.xlsx", plan_export_xlsx, name="factory-plan-xlsx"),
    path("plan/items/<int:item_pk>/edit/", item_edit, name="factory-plan-item-edit"),
    path("plan/items/<int:item_pk>/complete/", item_complete, name="factory-plan-item-complete"),
    path("plan/items/<int:item_pk>/verify-next-assessment/", item_verify_next, name="factory-plan-item-verify"),
]
