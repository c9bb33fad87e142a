"""The public transparency portal (R-PUB). Listings arrive with published assessments (reporting issue);
until then the portal explains each critical issue and where it is reported."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessments.models import CriticalIssue, CriticalIssueException
from factories.models import Country


def transparency_index(request: HttpRequest) -> HttpResponse:
    issues = CriticalIssue.objects.select_related("cluster").prefetch_related(
        Prefetch("exceptions", queryset=CriticalIssueException.objects.select_related("country"))
    )
    countries = Country.objects.exclude(public_reporting_since=None).order_by("name")
    return render(request, "reporting/transparency.html", {"issues": issues, "countries": countries})
