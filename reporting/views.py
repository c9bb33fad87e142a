"""The public transparency portal (R-PUB) and the factories' public responses (R-PUB-5).

Public pages (no sign-in; everyone, staff included, sees the same page): the list of listed factories with its
filters, a page per listed factory, the critical issues with their explanations, the countries reporting them
and charts. They read only the listing tables (`PublicListing`, `PublicListingIssue`), written at publication
time (reporting.services.transparency), in a fixed number of queries whatever the number of factories; a file
of a factory's response is served only while its response is approved and shown.

Signed-in pages: `my-responses/` (factory users answer their factory's public non-compliances) and
`moderation/` (the country's programme staff approve, reject and verify). The rules are in the services.
"""

import csv
import io
from collections import defaultdict
from datetime import date
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.models import Cluster, CriticalIssue, CriticalIssueException
from betterwork.accounts.models import Role
from betterwork.accounts.policy import visible
from betterwork.common.charts import Bar, bar_chart
from betterwork.common.exceptions import ApplicationError
from factories.models import Country
from reporting.models import PublicListing, PublicListingIssue, Remediation, RemediationFile
from reporting.services.transparency import (
    NOT_COMPLIANT_STATES,
    cached_public,
    csv_rows,
    public_listings,
    remediation_moderate,
    remediation_submit,
    remediation_verify,
)
from reporting.services.transparency import State as IssueState

PAGE_SIZE = 50
FILTER_KEYS = ("country", "cluster", "issue", "compliance", "search")


def _querystring(params: Any) -> str:
    kept = params.copy()
    kept.pop("page", None)
    for key in list(kept):
        if key not in FILTER_KEYS or not kept.get(key):
            kept.pop(key)
    return kept.urlencode()


def _reporting_countries() -> list[Country]:
    return list(Country.objects.exclude(public_reporting_since=None).order_by("name"))


# --- public pages ----------------------------------------------------------------------------------------------


@require_GET
def transparency_index(request: HttpRequest) -> HttpResponse:
    """Listed factories: filters country, cluster, issue, full compliance / any non-compliance, name; 50 a page.
    The list is the same for every visitor: rendered once per listings version, language and filters."""
    body = cached_public("list", request.GET, lambda: render_to_string("reporting/transparency/_list.html",
                                                                       _list_context(request.GET)))  # fmt: skip
    return render(request, "reporting/transparency/list.html", {"body": mark_safe(body)})  # noqa: S308 - our template


def _list_context(params: Any) -> dict[str, Any]:
    page = Paginator(public_listings(params), PAGE_SIZE).get_page(params.get("page"))
    ids = [listing.factory_id for listing in page]
    responses = dict(
        PublicListingIssue.objects.filter(listing_id__in=ids, state__in=(IssueState.FACTORY_REPORTS_FIXED,
                                                                          IssueState.VERIFIED))
        .values_list("listing_id")
        .annotate(n=Count("pk"))
        .values_list("listing_id", "n")
    )  # fmt: skip
    countries = {c.code: c for c in _reporting_countries()}
    for listing in page:
        listing.responses = responses.get(listing.factory_id, 0)
        listing.country_name = countries[listing.country_id].tr.name if listing.country_id in countries else ""
    return {
        "page": page,
        "querystring": _querystring(params),
        "countries": countries.values(),
        "clusters": Cluster.objects.filter(issues__isnull=False).distinct(),
        "issues": CriticalIssue.objects.all(),
        "current": {key: params.get(key, "") for key in FILTER_KEYS},
    }


CSV_CHUNK = 1000  # rows per streamed chunk


def _csv_chunks(rows: Any) -> Any:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % CSV_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@require_GET
def transparency_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every listed factory matching the page's filters, streamed (`/transparency.csv`) in chunks of rows."""
    response = StreamingHttpResponse(_csv_chunks(csv_rows(public_listings(request.GET))), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="transparency.csv"'
    return response


@require_GET
def factory_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One listed factory: per reported issue, the two assessments and its state; the factory's approved
    response (marked unverified) or the programme's verification. An unlisted factory does not exist here."""
    listing = get_object_or_404(PublicListing.objects.select_related("country"), factory_id=pk)
    files = RemediationFile.objects.order_by("pk")
    rows = list(
        listing.issues.select_related("issue__cluster", "remediation")
        .prefetch_related(Prefetch("remediation__files", queryset=files))
        .order_by("issue__number")
    )
    for row in rows:
        if row.remediation is not None and row.remediation.status != Remediation.Status.APPROVED:
            row.remediation = None  # never shown unmoderated (the listing is recomputed on every change anyway)
    return render(request, "reporting/transparency/factory.html", {"listing": listing, "rows": rows})


@require_GET
def remediation_file(request: HttpRequest, pk: int) -> FileResponse:
    """A document or photo of a response shown on the portal; 404 unless its response is approved and shown."""
    shown = PublicListingIssue.objects.filter(remediation__isnull=False).values("remediation_id")
    stored = RemediationFile.objects.filter(
        pk=pk, remediation__status=Remediation.Status.APPROVED, remediation__in=shown
    ).first()
    if stored is None:
        raise Http404
    return _file_response(stored)


def _file_response(stored: RemediationFile) -> FileResponse:
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_GET
def issues_page(request: HttpRequest) -> HttpResponse:
    """The critical issues: explanation ("Non-compliance arises when…"), cluster, countries reporting it;
    browse by cluster or keyword. Charts: per country, the share of listed factories non-compliant on each."""
    countries = _reporting_countries()
    cluster = request.GET.get("cluster", "")
    keyword = request.GET.get("q", "").strip()
    issues = CriticalIssue.objects.select_related("cluster").prefetch_related(
        Prefetch("exceptions", queryset=CriticalIssueException.objects.select_related("country"))
    )
    if cluster:
        issues = issues.filter(cluster_id=cluster)
    if keyword:
        issues = issues.filter(Q(title__icontains=keyword) | Q(explanation__icontains=keyword)
                               | Q(code__icontains=keyword))  # fmt: skip
    issues = list(issues)
    for issue in issues:
        left_out = {exc.country_id for exc in issue.exceptions.all()}
        issue.reporting = [c for c in countries if c.code not in left_out]
    return render(
        request,
        "reporting/transparency/issues.html",
        {
            "issues": issues,
            "clusters": Cluster.objects.filter(issues__isnull=False).distinct(),
            "current": {"cluster": cluster, "q": keyword},
            "charts": _charts(countries, issues),
        },
    )


def _charts(countries: list[Country], issues: list[CriticalIssue]) -> list[dict[str, Any]]:
    """Per country with listed factories: per issue reported there, the share (%) of its listed factories
    non-compliant on it in either assessment. Two queries."""
    listed = dict(
        PublicListing.objects.values_list("country_id").annotate(n=Count("pk")).values_list("country_id", "n")
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for country_id, issue_id, n in (
        PublicListingIssue.objects.filter(state__in=NOT_COMPLIANT_STATES)
        .values_list("listing__country_id", "issue_id")
        .annotate(n=Count("pk"))
        .values_list("listing__country_id", "issue_id", "n")
    ):
        counts[country_id][issue_id] = n
    charts = []
    for country in countries:
        total = listed.get(country.code, 0)
        if not total:
            continue
        rows = [
            (
                issue,
                counts[country.code].get(issue.code, 0),
                round(100 * counts[country.code].get(issue.code, 0) / total),
            )
            for issue in issues
            if country in issue.reporting
        ]
        title = _("%(country)s: share of the %(n)s listed factories non-compliant on each issue (%%)") % {
            "country": country.tr.name, "n": total}  # fmt: skip
        charts.append({
            "country": country, "total": total, "rows": rows,
            "svg": bar_chart([Bar(f"{issue.code} {issue.tr.title}", share, "warn") for issue, _n, share in rows],
                             title=title, description=_("One bar per critical issue; the value is a percentage.")),
        })  # fmt: skip
    return charts


# --- factory users: their responses (R-PUB-5) ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_responses(request: HttpRequest) -> HttpResponse:
    """The factory's public non-compliances, a form to say one is fixed, and its responses with their status."""
    user = request.user
    if user.effective_role != Role.FACTORY:
        raise Http404
    if request.method == "POST":
        try:
            remediation_submit(
                actor=user, factory_id=user.factory_id, issue=request.POST.get("issue", ""),
                comment=request.POST.get("comment", ""), files=request.FILES.getlist("files"),
            )  # fmt: skip
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Your response is sent; it is shown on the portal once the programme approves it.")
            )
            return redirect("transparency:my-responses")
    listing = PublicListing.objects.filter(factory_id=user.factory_id).first()
    open_issues = (
        list(listing.issues.filter(state=IssueState.NON_COMPLIANT).select_related("issue").order_by("issue__number"))
        if listing
        else []
    )
    remediations = visible(user, Remediation).select_related("issue").prefetch_related("files")
    return render(
        request,
        "reporting/transparency/my_responses.html",
        {"listing": listing, "open_issues": open_issues, "remediations": remediations},
    )


# --- programme staff: moderation -------------------------------------------------------------------------------


def _staff_gate(request: HttpRequest) -> HttpResponse | None:
    """Programme staff only (others: 404), with their second factor: the two-factor middleware lets every
    /transparency path through for the public pages, so the staff pages check it themselves."""
    user = request.user
    if not user.is_programme_staff:
        raise Http404
    if user.needs_two_factor and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        messages.warning(request, _("Programme staff must set up two-factor authentication before going on."))
        return redirect("mfa_activate_totp")
    return None


@login_required
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    """Responses awaiting moderation, and approved ones not yet verified, of the staff member's country."""
    if gate := _staff_gate(request):
        return gate
    scoped = visible(request.user, Remediation).select_related("factory", "issue", "submitted_by")
    scoped = scoped.prefetch_related("files")
    return render(
        request,
        "reporting/transparency/moderation.html",
        {
            "waiting": scoped.filter(status=Remediation.Status.SUBMITTED).order_by("submitted_at", "pk"),
            "to_verify": scoped.filter(status=Remediation.Status.APPROVED, verified_on__isnull=True),
            "today": timezone.localdate(),
        },
    )


def _act(request: HttpRequest, action: Any, success: str) -> HttpResponse:
    if gate := _staff_gate(request):
        return gate
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("transparency:moderation")


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    return _act(
        request,
        lambda: remediation_moderate(
            actor=request.user, remediation_id=pk, approve=approve, note=request.POST.get("note", "")
        ),
        _("The response is shown on the portal.") if approve else _("The response is not shown."),
    )


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        verified_on = date.fromisoformat(request.POST.get("verified_on", ""))
    except ValueError:
        verified_on = None

    def action() -> None:
        if verified_on is None:
            raise ApplicationError(_("Give the day the fix was verified."), field="verified_on")
        remediation_verify(actor=request.user, remediation_id=pk, verified_on=verified_on,
                           how=request.POST.get("verification", ""))  # fmt: skip

    return _act(request, action, _("The portal shows the fix as verified by the programme."))


@login_required
@require_GET
def moderation_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file of any response, for the staff who moderate it and the factory that sent it (never the public)."""
    stored = RemediationFile.objects.filter(pk=pk, remediation__in=visible(request.user, Remediation)).first()
    if stored is None:
        raise Http404
    if request.user.effective_role != Role.FACTORY and (gate := _staff_gate(request)):
        return gate
    return _file_response(stored)


urlpatterns = [
    path("", transparency_index, name="index"),
    path("factories/<int:pk>/", factory_page, name="factory"),
    path("issues/", issues_page, name="issues"),
    path("remediation-files/<int:pk>/", remediation_file, name="remediation-file"),
    path("my-responses/", my_responses, name="my-responses"),
    path("moderation/", moderation, name="moderation"),
    path("moderation/<int:pk>/moderate/", moderate, name="moderate"),
    path("moderation/<int:pk>/verify/", verify, name="verify"),
    path("responses/files/<int:pk>/", moderation_file, name="response-file"),
]
