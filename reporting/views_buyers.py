"""The buyer portal (R-ACC-1/2): a buyer user's authorising factories with their released reports and current
improvement plans, what is new since its previous visit, a page per factory, and its own read history.

Mounted at `/buyer/` (`path("buyer/", include("reporting.views_buyers"))` in betterwork/urls.py).

Who: buyer users only. Anonymous users are sent to sign in; every other signed-in user gets 403 (the portal is
no secret; it is just not theirs). Which factories: `visible(user, Factory)`, the factories whose authorisation
of the user's organisation is active; a factory that revokes disappears from the list and its portal page
answers 404 at once, like one that never authorised (the same answer, no oracle).

Reads (R-ACC-2): these pages only list reports; they are not reads and log nothing. The report pages they link
to (the assessment report, the progress report, the improvement plan, the factory profile, the API and the PDF)
log each read themselves through `factories.services.buyers.buyer_read_record`.

"What's new since your last visit" — design, without a new model: the portal keeps, in the user's session,
when the user last looked at it (`last_seen`) and when the current visit's baseline is (`since`). A request
more than VISIT_GAP after `last_seen` starts a new visit: its baseline becomes the previous `last_seen`. Within
one visit (paging, filtering, coming back from a report) the baseline stays, so "new" does not vanish on the
second click. "New" is then: reports published or released, improvement-plan items added or changed and
authorisations granted after the baseline, in the factories that authorise the user now. Sessions are per
browser: on a browser without one (the first visit, or after the session expired) the baseline is
FIRST_VISIT_WINDOW ago and the page says so. Unread notifications (assessment publication notifies authorised
buyers) stay in the notification centre; they do not decide what is new here, the release timestamps do.

Every page renders in a fixed number of SQL queries whatever the number of factories and reports.
"""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from betterwork.accounts.models import Role
from factories.models import Factory
from reporting import selectors_buyers as selectors

PAGE_SIZE = 25
SESSION_KEY = "reporting.buyer_portal"
VISIT_GAP = timedelta(minutes=30)
FIRST_VISIT_WINDOW = timedelta(days=30)


class PortalFilterForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    q = forms.CharField(label=gettext_lazy("Name contains"), max_length=200, required=False, strip=True)

    def __init__(self, *args: Any, countries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *((c.code, c.name) for c in countries)]


def _require_buyer(request: HttpRequest) -> None:
    if request.user.effective_role != Role.BUYER or not request.user.buyer_id:
        raise PermissionDenied(_("The buyer portal is for buyer users."))


def visit_baseline(session: Any, now: datetime) -> datetime | None:
    """Record this request as a look at the portal and return the current visit's baseline: the moment the
    user last looked at the portal before this visit, or None if this browser has no record of it."""
    state = session.get(SESSION_KEY) or {}
    last_seen = parse_datetime(state["last_seen"]) if state.get("last_seen") else None
    since = parse_datetime(state["since"]) if state.get("since") else None
    if last_seen is None or now - last_seen > VISIT_GAP:
        since = last_seen
    session[SESSION_KEY] = {"since": since.isoformat() if since else "", "last_seen": now.isoformat()}
    return since


def _authorised_factory(request: HttpRequest, pk: int) -> Factory:
    factory = selectors.authorised_factories(user=request.user).filter(pk=pk).first()
    if factory is None:  # revoked, never authorised or no such factory: the same answer
        raise Http404
    return factory


@login_required
@require_GET
def portal_home(request: HttpRequest) -> HttpResponse:
    """The authorising factories (25 a page, filtered by country and name), each with its released reports
    and its improvement plan, and what is new since the previous visit."""
    _require_buyer(request)
    user, now = request.user, timezone.now()
    since = visit_baseline(request.session, now)
    countries = list(selectors.authorising_countries(user=user))
    filters = PortalFilterForm(request.GET or None, countries=countries)
    country = text = ""
    if filters.is_bound:
        filters.is_valid()  # an unknown country is ignored; the valid filters still apply
        country, text = filters.cleaned_data.get("country", ""), filters.cleaned_data.get("q", "")
    page = Paginator(selectors.authorised_factories(user=user, country=country, text=text), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    factories = list(page.object_list)
    reports = selectors.released_reports(user=user, factories=factories)
    plans = selectors.plans(factories=factories)
    baseline = since or now - FIRST_VISIT_WINDOW
    news = selectors.whats_new(user=user, since=baseline)
    context = {
        "page": page,
        "rows": [{"factory": f, "reports": reports[f.pk], "plan": plans.get(f.pk)} for f in factories],
        "filters": filters,
        "filtered": bool(country or text),
        "querystring": urlencode({k: v for k, v in (("country", country), ("q", text)) if v}),
        "news": news,
        "since": since,
        "first_visit_days": FIRST_VISIT_WINDOW.days,
        "has_countries": bool(countries),
        "new_factory_ids": {n.factory_id for n in news},
    }
    return render(request, "reporting/buyer/home.html", context)


@login_required
@require_GET
def portal_factory(request: HttpRequest, pk: int) -> HttpResponse:
    """One authorising factory: its stage, since when it authorises the buyer, all its released reports with
    their publication or release dates, and its improvement plan. 404 once the factory revokes."""
    _require_buyer(request)
    factory = _authorised_factory(request, pk)
    context = {
        "factory": factory,
        "reports": selectors.factory_reports(user=request.user, factory=factory),
        "plan": selectors.plans(factories=[factory]).get(factory.pk),
    }
    return render(request, "reporting/buyer/factory.html", context)


@login_required
@require_GET
def portal_reads(request: HttpRequest) -> HttpResponse:
    """The user's own reads of factories' reports (R-ACC-2): what, when, how; the factory links while it
    still authorises the buyer."""
    _require_buyer(request)
    page = Paginator(selectors.read_history(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "authorised_ids": selectors.authorised_factory_ids(user=request.user)}
    return render(request, "reporting/buyer/reads.html", context)


urlpatterns = [
    path("", portal_home, name="buyer-portal"),
    path("reads/", portal_reads, name="buyer-portal-reads"),
    path("factories/<int:pk>/", portal_factory, name="buyer-portal-factory"),
]
