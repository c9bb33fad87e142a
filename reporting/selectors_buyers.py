"""What the buyer portal reads (R-ACC-1/2): the factories that authorise a buyer user now, their released
reports (published assessment reports, released progress reports 1 and 2) and improvement plans, what changed
since a moment, and the user's own read history.

Scope: every query starts from `visible(user, Factory)`, which for a buyer user is exactly the factories with an
active authorisation of its organisation (`revoked_at` null). Revoking removes a factory from every answer here
at once. Progress reports and plans use `FactoryInternalQuerySet` (none for buyers), so they are filtered here by
the visible factories' ids, released reports and plans only. Assessments go through `visible()` (buyers: only
published ones, R-ASM-3) and only publication and start dates are read, never a schedule (a planned date).

Every function runs a fixed number of SQL queries whatever the number of factories and reports.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from advisory.models import ImprovementPlan, ImprovementPlanItem, ProgressReport
from assessments.models import Assessment
from betterwork.accounts.policy import visible
from factories.models import BuyerAuthorisation, BuyerRead, Country, Factory, ServiceCycle

NEW_ITEMS_LIMIT = 50


@dataclass(frozen=True)
class ReleasedReport:
    """One report a buyer may read: `kind` is a `BuyerRead.Kind` value, `released_at` its publication or
    release moment, `url` its page, `pdf_url` its PDF (assessment reports) and `data_url` its API answer."""

    kind: str
    factory_id: int
    factory_name: str
    title: str
    released_at: datetime
    url: str = ""
    pdf_url: str = ""
    data_url: str = ""
    started_on: Any = None  # assessments: the first day of fieldwork (never the planned date, R-ASM-3)
    object_id: int | None = None


@dataclass(frozen=True)
class PlanSummary:
    factory_id: int
    items: int
    changed_at: datetime | None
    url: str


@dataclass(frozen=True)
class WhatsNew:
    """A change since the buyer's previous visit: a report released, a plan changed, a factory authorising."""

    kind: str  # "assessment_report", "progress_report", "improvement_plan" or "authorisation"
    factory_id: int
    factory_name: str
    text: str
    at: datetime
    url: str


def authorised_factories(*, user: Any, country: str = "", text: str = "") -> QuerySet[Factory]:
    """The factories that authorise the buyer user now, with `authorised_since` (the active grant's moment),
    by name. `country` (ISO code) and `text` (in the name) filter them."""
    since = (
        BuyerAuthorisation.objects.active()
        .filter(factory=OuterRef("pk"), buyer_id=user.buyer_id)
        .order_by("-granted_at")
        .values("granted_at")[:1]
    )
    factories = (
        visible(user, Factory)
        .select_related("country")
        .annotate(authorised_since=Subquery(since))
        .order_by("name", "pk")
    )
    if country:
        factories = factories.filter(country_id=country)
    if text:
        factories = factories.filter(name__icontains=text)
    return factories


def authorising_countries(*, user: Any) -> QuerySet[Country]:
    """The countries of the authorising factories (the country filter's choices)."""
    return Country.objects.filter(pk__in=visible(user, Factory).values("country_id")).order_by("name")


def _current_cycles(factory_ids: list[int]) -> dict[int, int]:
    """Per factory, the cycle whose progress reports have a page (the open cycle, else the latest): the same
    choice as advisory.views_reports."""
    current: dict[int, tuple[bool, int, int]] = {}
    rows = ServiceCycle.objects.filter(factory_id__in=factory_ids).values_list("factory_id", "pk", "number", "status")
    for factory_id, pk, number, status in rows:
        key = (status == ServiceCycle.Status.OPEN, number, pk)
        if factory_id not in current or key > current[factory_id]:
            current[factory_id] = key
    return {factory_id: key[2] for factory_id, key in current.items()}


def _assessment_report(assessment: Assessment, factory_name: str) -> ReleasedReport:
    return ReleasedReport(
        kind=BuyerRead.Kind.ASSESSMENT_REPORT,
        factory_id=assessment.factory_id,
        factory_name=factory_name,
        title=_("Assessment report"),
        released_at=assessment.published_at,
        started_on=assessment.started_on,
        url=reverse("assessment-detail", args=[assessment.pk]),
        pdf_url=f"/api/v1/assessments/{assessment.pk}/report.pdf",
        data_url=f"/api/v1/assessments/{assessment.pk}/",
        object_id=assessment.pk,
    )


def _progress_report(report: ProgressReport, factory_name: str, current_cycle: int | None) -> ReleasedReport:
    factory_id = report.cycle.factory_id
    return ReleasedReport(
        kind=BuyerRead.Kind.PROGRESS_REPORT,
        factory_id=factory_id,
        factory_name=factory_name,
        title=_("Progress Report %(number)s, cycle %(cycle)s")
        % {"number": report.number, "cycle": report.cycle.number},
        released_at=report.released_at,
        # The report page shows the factory's current cycle only; older cycles' reports are read through the API.
        url=reverse("factory-report", args=[factory_id, report.number]) if report.cycle_id == current_cycle else "",
        data_url=f"/api/v1/cycles/{report.cycle_id}/progress-reports/{report.number}/",
        object_id=report.pk,
    )


def _published_assessments(user: Any, factory_ids: list[int]) -> QuerySet[Assessment]:
    return (
        visible(user, Assessment)
        .filter(status=Assessment.Status.PUBLISHED, factory_id__in=factory_ids, published_at__isnull=False)
        .only("id", "factory_id", "started_on", "published_at")
        .order_by("-published_at", "-pk")
    )


def _released_progress_reports(factory_ids: list[int] | QuerySet) -> QuerySet[ProgressReport]:
    return (
        ProgressReport.objects.filter(status=ProgressReport.Status.RELEASED, cycle__factory_id__in=factory_ids)
        .select_related("cycle")
        .only("id", "number", "released_at", "cycle__id", "cycle__number", "cycle__factory_id")
        .order_by("-released_at", "-pk")
    )


def released_reports(*, user: Any, factories: list[Factory]) -> dict[int, list[ReleasedReport]]:
    """Per factory (of those given, which must come from `authorised_factories`), its released reports, the
    latest first. Three queries."""
    names = {f.pk: f.name for f in factories}
    ids = list(names)
    out: dict[int, list[ReleasedReport]] = {pk: [] for pk in ids}
    if not ids:
        return out
    for assessment in _published_assessments(user, ids):
        out[assessment.factory_id].append(_assessment_report(assessment, names[assessment.factory_id]))
    current = _current_cycles(ids)
    for report in _released_progress_reports(ids):
        factory_id = report.cycle.factory_id
        out[factory_id].append(_progress_report(report, names[factory_id], current.get(factory_id)))
    for reports in out.values():
        reports.sort(key=lambda r: r.released_at, reverse=True)
    return out


def plans(*, factories: list[Factory]) -> dict[int, PlanSummary]:
    """Per factory that has an improvement plan: its number of items and when it last changed. One query."""
    ids = [f.pk for f in factories]
    rows = (
        ImprovementPlan.objects.filter(factory_id__in=ids)
        .annotate(n=Count("items"), changed=Max("items__updated_at"))
        .values_list("factory_id", "n", "changed", "created_at")
    )
    return {
        factory_id: PlanSummary(
            factory_id=factory_id,
            items=n,
            changed_at=changed or created,
            url=reverse("factory-plan", args=[factory_id]),
        )
        for factory_id, n, changed, created in rows
    }


def whats_new(*, user: Any, since: datetime) -> list[WhatsNew]:
    """What changed after `since` in the factories that authorise the buyer now, the latest first: reports
    published or released, improvement plans changed (an item added or updated) and new authorisations.
    Four queries, at most NEW_ITEMS_LIMIT entries."""
    factory_ids = visible(user, Factory).values("pk")
    entries: list[WhatsNew] = []
    grants = (
        BuyerAuthorisation.objects.active()
        .filter(buyer_id=user.buyer_id, factory_id__in=factory_ids, granted_at__gt=since)
        .select_related("factory")
        .only("granted_at", "factory__id", "factory__name")
    )
    for grant in grants[:NEW_ITEMS_LIMIT]:
        entries.append(
            WhatsNew(
                kind="authorisation",
                factory_id=grant.factory_id,
                factory_name=grant.factory.name,
                text=_("%(factory)s now shares its reports with you.") % {"factory": grant.factory.name},
                at=grant.granted_at,
                url=reverse("buyer-portal-factory", args=[grant.factory_id]),
            )
        )
    assessments = (
        visible(user, Assessment)
        .filter(status=Assessment.Status.PUBLISHED, factory_id__in=factory_ids, published_at__gt=since)
        .select_related("factory")
        .only("id", "factory_id", "factory__name", "started_on", "published_at")
        .order_by("-published_at", "-pk")
    )
    for assessment in assessments[:NEW_ITEMS_LIMIT]:
        name = assessment.factory.name
        entries.append(
            WhatsNew(
                kind=BuyerRead.Kind.ASSESSMENT_REPORT,
                factory_id=assessment.factory_id,
                factory_name=name,
                text=_("Assessment report of %(factory)s published.") % {"factory": name},
                at=assessment.published_at,
                url=reverse("assessment-detail", args=[assessment.pk]),
            )
        )
    reports = (
        ProgressReport.objects.filter(
            status=ProgressReport.Status.RELEASED, cycle__factory_id__in=factory_ids, released_at__gt=since
        )
        .select_related("cycle__factory")
        .only("id", "number", "released_at", "cycle__number", "cycle__factory__id", "cycle__factory__name")
        .order_by("-released_at", "-pk")
    )
    for report in reports[:NEW_ITEMS_LIMIT]:
        name = report.cycle.factory.name
        entries.append(
            WhatsNew(
                kind=BuyerRead.Kind.PROGRESS_REPORT,
                factory_id=report.cycle.factory_id,
                factory_name=name,
                text=_("Progress Report %(number)s of %(factory)s released.")
                % {"number": report.number, "factory": name},
                at=report.released_at,
                url=reverse("buyer-portal-factory", args=[report.cycle.factory_id]),
            )
        )
    changed = (
        ImprovementPlanItem.objects.filter(plan__factory_id__in=factory_ids, updated_at__gt=since)
        .order_by()
        .values("plan__factory_id", "plan__factory__name")
        .annotate(n=Count("pk"), at=Max("updated_at"))
        .order_by("-at")
    )
    for row in changed[:NEW_ITEMS_LIMIT]:
        name = row["plan__factory__name"]
        entries.append(
            WhatsNew(
                kind=BuyerRead.Kind.IMPROVEMENT_PLAN,
                factory_id=row["plan__factory_id"],
                factory_name=name,
                text=_("The improvement plan of %(factory)s changed (%(n)s items added or updated).")
                % {"factory": name, "n": row["n"]},
                at=row["at"],
                url=reverse("factory-plan", args=[row["plan__factory_id"]]),
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:NEW_ITEMS_LIMIT]


def factory_reports(*, user: Any, factory: Factory) -> list[ReleasedReport]:
    """All released reports of one authorising factory, every cycle, the latest first."""
    return released_reports(user=user, factories=[factory])[factory.pk]


def read_history(*, user: Any) -> QuerySet[BuyerRead]:
    """The buyer user's own reads (R-ACC-2), the latest first."""
    return (
        BuyerRead.objects.filter(user=user, buyer_id=user.buyer_id)
        .select_related("factory")
        .order_by("-read_at", "-pk")
    )


def authorised_factory_ids(*, user: Any) -> set[int]:
    return set(visible(user, Factory).values_list("pk", flat=True))
