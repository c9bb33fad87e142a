"""Staff agendas (the cycle's "SLA" view): an advisor's agenda, a country overview of who is late on
what, and an iCal feed. Staff only: they show assessment dates (R-ASM-3)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from advisory.calendar import feed_token, render_calendar, user_for_token
from advisory.forms import VisitForm
from advisory.models import AdvisoryVisit
from advisory.selectors import agenda_milestones, overdue_by_factory, recent_visits
from advisory.services import visit_record
from advisory.services.visit_notes import EDITABLE_FIELDS, may_update_visit, visit_update
from assessments.models import Assessment
from betterwork.accounts.models import Role, User
from betterwork.accounts.policy import get_visible_or_404, may, visible
from betterwork.common.exceptions import ApplicationError, NotPermitted
from factories.allowances import allowances_of
from factories.models import Factory, Milestone, ServiceCycle


def _staff_or_404(request: HttpRequest) -> None:
    if not request.user.is_programme_staff:
        raise Http404


@login_required
def agenda_page(request: HttpRequest) -> HttpResponse:
    _staff_or_404(request)
    today = timezone.localdate()
    milestones = list(agenda_milestones(user=request.user, today=today))
    return render(
        request,
        "advisory/agenda.html",
        {
            "overdue": [m for m in milestones if m.current_state == "overdue"],
            "upcoming": [m for m in milestones if m.current_state != "overdue"],
            "visits": recent_visits(user=request.user),
            "feed_url": request.build_absolute_uri(reverse("agenda-calendar", args=[feed_token(request.user)])),
        },
    )


@login_required
def country_overview_page(request: HttpRequest) -> HttpResponse:
    if request.user.effective_role not in (Role.PROGRAMME_MANAGER, Role.GLOBAL_ADMIN):
        raise Http404
    rows = overdue_by_factory(user=request.user, today=timezone.localdate())
    return render(request, "advisory/overview.html", {"rows": rows})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = user_for_token(token, User.objects.all())
    if user is None:
        raise Http404
    milestones = agenda_milestones(user=user, today=timezone.localdate(), horizon_days=400)
    response = HttpResponse(render_calendar(milestones, name="BetterWork"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="betterwork.ics"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", agenda_page, name="agenda"),
    path("country/", country_overview_page, name="agenda-country"),
    path("calendar/<str:token>.ics", calendar_feed, name="agenda-calendar"),
]


@login_required
def factory_cycle_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One factory's current cycle: milestones (the assessment without its date for factory and buyer users,
    R-ASM-3), the service allowances (R-CYC-7), its assessment once started (staff: also planned), the visits,
    and the form to record one (advisors and managers)."""
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    staff = request.user.is_programme_staff
    may_record = may(request.user, "record_visits", factory)
    form = VisitForm(request.POST or None) if may_record else None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                visit_record(factory_id=factory.pk, actor=request.user, on=data.pop("date"), **data)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The visit is recorded."))
                return redirect("factory-cycle", pk=factory.pk)
    cycle = factory.cycles.filter(status=ServiceCycle.Status.OPEN).first()
    milestones = []
    if cycle is not None:
        milestones = list(cycle.milestones.with_state(today=timezone.localdate()))
        if not staff:
            milestones.sort(key=lambda m: Milestone.Kind.values.index(m.kind))
            for milestone in milestones:
                if milestone.kind == Milestone.Kind.ASSESSMENT:
                    milestone.due_date, milestone.current_state = None, milestone.state
    visits = visible(request.user, AdvisoryVisit).filter(cycle=cycle) if cycle else AdvisoryVisit.objects.none()
    return render(
        request,
        "advisory/cycle.html",
        {
            "factory": factory,
            "cycle": cycle,
            "milestones": milestones,
            "allowances": allowances_of(cycle) if cycle and request.user.effective_role != Role.BUYER else None,
            "assessments": visible(request.user, Assessment).filter(cycle=cycle).select_related("schedule")
            if cycle
            else None,
            "visits": visits.select_related("recorded_by") if request.user.effective_role != Role.BUYER else None,
            "form": form,
            "tab": "cycle",
        },
    )


class VisitNotesForm(VisitForm):
    """Only what a visit's notes may change (R-ADV-5): not its date, kind, modality or days, which start
    cycles and count against the advisory allowance."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in [n for n in self.fields if n not in EDITABLE_FIELDS]:
            del self.fields[name]


@login_required
def visit_detail_page(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    """One visit: its facts, notes and history; the edit form for the advisor who recorded it or the manager."""
    factory = get_visible_or_404(request.user, Factory, pk=pk)
    if request.user.effective_role == Role.BUYER:
        raise Http404
    visit = get_visible_or_404(request.user, AdvisoryVisit, pk=visit_pk, factory=factory)
    may_edit = may_update_visit(request.user, visit)
    form = None
    if may_edit:
        initial = {name: getattr(visit, name) for name in EDITABLE_FIELDS}
        form = VisitNotesForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                if changes:
                    visit_update(visit_id=visit.pk, actor=request.user, **changes)
            except NotPermitted as error:
                raise PermissionDenied(error.message) from error
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The visit is saved.") if changes else _("Nothing changed."))
                return redirect("factory-visit", pk=factory.pk, visit_pk=visit.pk)
    history = None
    if request.user.is_programme_staff:
        history = visit.history.select_related("history_user").order_by("-history_date")
    return render(
        request,
        "advisory/visits/detail.html",
        {
            "factory": factory,
            "visit": visit,
            "form": form,
            "history": history,
            "may_open_case": may(request.user, "zero_tolerance", factory) and request.user.is_programme_staff,
            "tab": "cycle",
        },
    )
