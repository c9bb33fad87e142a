"""Programme dashboards (issue 8 §5): non-compliance rates (by cluster, critical issue, country and over time,
with the headline rate), cycle health and service delivery against allowances, with period and country filters
and CSV/XLSX exports of every table. For programme managers (their country) and global admins (every country);
anyone else signed in gets 404, anonymous users the sign-in page. The definitions are in `reporting.dashboards`.

Included under "dashboards/": `""` (the page) and `export/<table>.<csv|xlsx>`.
"""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from betterwork.common.charts import bar_chart
from reporting import dashboards
from reporting.charts_dashboards import line_chart, percent_bars
from reporting.exports import TABLES, table_csv, table_xlsx


class DashboardFilterForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    start = forms.DateField(label=gettext_lazy("Assessments started from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    end = forms.DateField(label=gettext_lazy("until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label=gettext_lazy("Trend by"),
        required=False,
        choices=(("year", gettext_lazy("Year")), ("quarter", gettext_lazy("Quarter"))),
    )

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All my countries")), *countries]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return data


def dashboard_scope(request: HttpRequest) -> tuple[dashboards.Scope, DashboardFilterForm]:
    """The user's scope from the query string (404 for anyone the dashboards are not for); an invalid filter
    falls back to the default for that field and the form shows the error."""
    user = request.user
    if not dashboards.may_see_dashboards(user):
        raise Http404
    form = DashboardFilterForm(request.GET or None, countries=dashboards.scope_countries(user))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    scope = dashboards.scope_for(
        user,
        today=timezone.localdate(),
        country=data.get("country") or None,
        start=data.get("start"),
        end=data.get("end"),
        by=data.get("by") or "year",
    )
    return scope, form


@login_required
def dashboards_page(request: HttpRequest) -> HttpResponse:
    scope, form = dashboard_scope(request)
    rates = dashboards.non_compliance(scope)
    health = dashboards.cycle_health(scope)
    services = dashboards.service_delivery(scope)
    charts = {
        "clusters": percent_bars(
            [(row.name, row.share) for row in rates.clusters],
            title=_("Share of factories non-compliant, by cluster"),
            description=_("The same numbers are in the table below."),
        ),
        "issues": percent_bars(
            [(f"{row.code} {row.title}", row.share) for row in rates.issues],
            title=_("Share of factories non-compliant, by critical issue"),
            description=_("The same numbers are in the table below."),
        ),
        "countries": percent_bars(
            [(row.name, row.headline) for row in rates.countries],
            title=_("Headline rate by country"),
            description=_("The same numbers are in the table below."),
            tone="info",
        ),
        "trend": line_chart(
            [(row.period, row.headline) for row in rates.trend],
            title=_("Headline rate over time"),
            description=_("The same numbers are in the table below."),
        ),
        "overdue": bar_chart(
            health.overdue_by_kind,
            title=_("Overdue milestones by kind"),
            description=_("The same numbers are in the table below."),
        ),
    }
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    exports = {
        name.replace("-", "_"): {fmt: reverse("dashboards-export", args=[name, fmt]) + query for fmt in ("csv", "xlsx")}
        for name in TABLES
    }
    return render(
        request,
        "reporting/dashboards/index.html",
        {
            "form": form,
            "scope": scope,
            "rates": rates,
            "headline": dashboards.percent(rates.headline),
            "health": health,
            "services": services,
            "charts": charts,
            "exports": exports,
        },
    )


def _describe(scope: dashboards.Scope) -> str:
    countries = ", ".join(scope.countries) if scope.countries else _("all countries")
    return _("%(countries)s; assessments started %(start)s to %(end)s; as of %(today)s") % {
        "countries": countries,
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "today": scope.today.isoformat(),
    }


@login_required
def dashboards_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    scope, _form = dashboard_scope(request)
    if table not in TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    filename = f"dashboard-{table}-{scope.today.isoformat()}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(table_csv(table, scope), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            table_xlsx(table, scope, subtitle=_describe(scope)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", dashboards_page, name="dashboards"),
    path("export/<slug:table>.<str:fmt>", dashboards_export, name="dashboards-export"),
]
