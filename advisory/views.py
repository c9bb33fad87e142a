"""Staff agendas (the cycle's "SLA" view): an advisor's agenda, a country overview of who is late on
what, and an iCal feed. Staff only: they show assessment dates (R-ASM-3)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone

from advisory.calendar import feed_token, render_calendar, user_for_token
from advisory.selectors import agenda_milestones, overdue_by_factory, recent_visits
from betterwork.accounts.models import Role, User


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
