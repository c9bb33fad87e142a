"""Programme dashboards for programme managers (their country) and global admins (every country, or one):
pure aggregation selectors. Each section costs a fixed number of SQL queries whatever the amount of data: the
database groups and counts; Python only picks and averages the grouped rows.

Definitions (also shown on the page):

* **Closed assessment**: status finalised or published (``Assessment.CLOSED``). **In the period**: its
  ``started_on`` falls between the period's first and last day (both included).
* **A factory's assessment for a period**: its most recent closed assessment in the period (latest
  ``started_on``, then the latest created). For the trend, the period is each year or quarter of ``started_on``.
* **Answered question**: a finding whose result is compliant or non-compliant; "not applicable" findings are
  left out of every numerator and denominator.
* **Publicly reported question**: a question mapped to a critical issue (R-PUB), unless the issue is left out
  of public reporting in the factory's country (``CriticalIssueException``, R-PUB-4).
* **Share of factories non-compliant on a cluster** (or critical issue): among the factories whose assessment
  for the period answered at least one question of the cluster (issue), the share with at least one
  non-compliant finding on it.
* **Headline rate** (Better Work annual donor report 2019, "average non-compliance rate on publicly reported
  issues"): for each factory, the share of the publicly reported questions answered in its assessment for the
  period that were found non-compliant; then the plain mean of those shares over the factories (a factory with
  no publicly reported question answered is left out). Every factory weighs the same, whatever its size.
* **Factories with a critical issue**: factories whose assessment for the period has at least one
  non-compliant publicly reported question.
* **Cycle health** describes the milestones of open service cycles as of today (the period filter does not
  apply): open = still planned; overdue = planned with its due date passed; due soon = planned and due within
  14 days (``MilestoneQuerySet.with_state``); done late = done after the day it was due.
* **Service delivery against allowances** (R-CYC-7) covers open cycles as of today, aggregated per country
  directly (``factories.allowances.allowances_of`` costs queries per cycle): advisory days included (8 in
  cycle 1, 6 later) and used (sum of ``AdvisoryVisit.days``); training participant-days included (25 per cycle
  plus the days bought) and used (sum of the cycle's enrolments); industry seminars included (4 per cycle) and
  used (participations); assessments included (1 per cycle whose assessment milestone is not cancelled) and
  used (started assessments: a planned one is not counted, as in the cycle's own allowances).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, F, Q, Sum

from advisory.models import AdvisoryVisit
from assessments.models import Assessment, Cluster, CriticalIssue, CriticalIssueException, Finding
from betterwork.accounts.models import Role
from factories.models import Country, Milestone, ServiceCycle
from factories.schedule import ASSESSMENTS, advisory_days
from training.models import (
    INCLUDED_PARTICIPANT_DAYS,
    INCLUDED_SEMINARS,
    Enrolment,
    SeminarParticipation,
    TrainingPurchase,
)

DUE_WITHIN_DAYS = 14
GRANULARITIES = ("year", "quarter")


def may_see_dashboards(user: Any) -> bool:
    """Programme managers (their country) and global admins (all countries). Everyone else: 404."""
    return bool(
        user.is_authenticated and user.is_active and user.effective_role in (Role.PROGRAMME_MANAGER, Role.GLOBAL_ADMIN)
    )


@dataclass(frozen=True)
class Scope:
    """What a dashboard covers: countries (None = every country), the period and the trend's granularity."""

    countries: tuple[str, ...] | None
    start: date
    end: date
    today: date  # cycle health and service delivery describe the cycles as of this day
    by: str = "year"


def default_period(today: date) -> tuple[date, date]:
    """From 1 January two years before this one to today: three calendar years of assessments."""
    return date(today.year - 2, 1, 1), today


def scope_for(
    user: Any,
    *,
    today: date,
    country: str | None = None,
    start: date | None = None,
    end: date | None = None,
    by: str = "year",
) -> Scope:
    """A programme manager always sees their own country (a country filter cannot widen it); a global admin
    sees every country, or the one asked for. Call only for users `may_see_dashboards` admits."""
    if not may_see_dashboards(user):
        raise PermissionError("Dashboards are for programme managers and global admins.")
    default_start, default_end = default_period(today)
    countries: tuple[str, ...] | None = (user.country_id,)
    if user.effective_role == Role.GLOBAL_ADMIN:
        countries = (country,) if country else None
    return Scope(
        countries=countries,
        start=start or default_start,
        end=end or default_end,
        by=by if by in GRANULARITIES else "year",
        today=today,
    )


def _in_countries(queryset: Any, scope: Scope, path: str) -> Any:
    return queryset if scope.countries is None else queryset.filter(**{f"{path}__in": scope.countries})


def share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def mean(values: Iterable[Fraction]) -> Fraction | None:
    values = list(values)
    return sum(values, Fraction(0)) / len(values) if values else None


def percent(value: Fraction | None, digits: int = 1) -> str:
    """ "12.5%" for the page; "—" when there is nothing to rate."""
    return "—" if value is None else f"{float(value) * 100:.{digits}f}%"


def period_label(day: date, by: str) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if by == "quarter" else str(day.year)


# --- non-compliance ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterRow:
    code: str
    name: str
    factories: int  # factories whose assessment answered a question of the cluster
    non_compliant: int
    share: Fraction | None

    @property
    def share_percent(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class IssueRow:
    code: str
    title: str
    cluster: str
    factories: int
    non_compliant: int
    share: Fraction | None

    @property
    def share_percent(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class RateFigures:
    """What a country row and a period row both show."""

    factories: int  # factories with a closed assessment in the period
    rated: int  # of which answered at least one publicly reported question
    headline: Fraction | None
    with_critical: int
    share_with_critical: Fraction | None

    @property
    def headline_percent(self) -> str:
        return percent(self.headline)

    @property
    def share_with_critical_percent(self) -> str:
        return percent(self.share_with_critical)


@dataclass(frozen=True, kw_only=True)
class CountryRow(RateFigures):
    code: str
    name: str


@dataclass(frozen=True, kw_only=True)
class TrendRow(RateFigures):
    period: str


@dataclass(frozen=True)
class NonCompliance:
    scope: Scope
    factories: int
    rated: int
    headline: Fraction | None
    clusters: list[ClusterRow]
    issues: list[IssueRow]
    countries: list[CountryRow]
    trend: list[TrendRow]


@dataclass
class _Tally:
    """One assessment's answered and non-compliant findings, per cluster, per issue and on public questions."""

    factory_id: int
    country: str
    clusters: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    issues: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    public: list[int] = field(default_factory=lambda: [0, 0])

    @property
    def headline(self) -> Fraction | None:
        return share(self.public[1], self.public[0])

    @property
    def with_critical(self) -> bool:
        return self.public[1] > 0


def _latest_per_factory(assessments: Iterable[tuple[int, int, str, date]]) -> list[int]:
    """Assessment ids: each factory's most recent (started_on, then id) among `assessments`."""
    latest: dict[int, tuple[date, int]] = {}
    for pk, factory_id, _country, started_on in assessments:
        if factory_id not in latest or (started_on, pk) > latest[factory_id]:
            latest[factory_id] = (started_on, pk)
    return [pk for _started, pk in latest.values()]


def _summary(tallies: list[_Tally]) -> tuple[int, int, Fraction | None, int, Fraction | None]:
    rates = [t.headline for t in tallies if t.headline is not None]
    with_critical = sum(1 for t in tallies if t.with_critical)
    return len(tallies), len(rates), mean(rates), with_critical, share(with_critical, len(rates))


def non_compliance(scope: Scope) -> NonCompliance:
    """Rates from closed assessments in the scope (6 queries whatever the data: assessments, grouped findings,
    exceptions, clusters, issues, countries). See the module docstring for the definitions."""
    closed = _in_countries(
        Assessment.objects.filter(status__in=Assessment.CLOSED, started_on__gte=scope.start, started_on__lte=scope.end),
        scope,
        "factory__country_id",
    )
    assessments = list(closed.order_by().values_list("pk", "factory_id", "factory__country_id", "started_on"))
    grouped = (
        Finding.objects.filter(assessment__in=closed.values("pk"))
        .exclude(result=Finding.Result.NOT_APPLICABLE)
        .order_by()
        .values("assessment_id", "question__cluster_id", "question__critical_issue_id")
        .annotate(answered=Count("pk"), nc=Count("pk", filter=Q(result=Finding.Result.NON_COMPLIANT)))
    )
    unreported = set(CriticalIssueException.objects.values_list("issue_id", "country_id"))
    tallies = {pk: _Tally(factory_id=factory_id, country=country) for pk, factory_id, country, _ in assessments}
    for row in grouped:
        tally = tallies[row["assessment_id"]]
        answered, nc = row["answered"], row["nc"]
        counts = tally.clusters[row["question__cluster_id"]]
        counts[0] += answered
        counts[1] += nc
        issue = row["question__critical_issue_id"]
        if issue and (issue, tally.country) not in unreported:
            counts = tally.issues[issue]
            counts[0] += answered
            counts[1] += nc
            tally.public[0] += answered
            tally.public[1] += nc

    latest = [tallies[pk] for pk in _latest_per_factory(assessments)]
    factories, rated, headline, _, _ = _summary(latest)

    clusters = [
        _share_row(ClusterRow, latest, "clusters", c.code, code=c.code, name=c.tr.name)
        for c in Cluster.objects.order_by("position")
    ]
    issues = [
        _share_row(IssueRow, latest, "issues", i.code, code=i.code, title=i.tr.title, cluster=i.cluster_id)
        for i in CriticalIssue.objects.order_by("number")
    ]

    by_country: dict[str, list[_Tally]] = defaultdict(list)
    for tally in latest:
        by_country[tally.country].append(tally)
    names = country_names(by_country)
    countries = []
    for code in sorted(by_country, key=lambda c: names.get(c, c)):
        n, r, h, w, s = _summary(by_country[code])
        countries.append(CountryRow(n, r, h, w, s, code=code, name=names.get(code, code)))

    buckets: dict[str, list[tuple[int, int, str, date]]] = defaultdict(list)
    for row in assessments:
        buckets[period_label(row[3], scope.by)].append(row)
    trend = []
    for label in sorted(buckets):
        n, r, h, w, s = _summary([tallies[pk] for pk in _latest_per_factory(buckets[label])])
        trend.append(TrendRow(n, r, h, w, s, period=label))

    return NonCompliance(scope, factories, rated, headline, clusters, issues, countries, trend)


def _share_row(row_class: type, latest: list[_Tally], attribute: str, key: str, **fields: Any) -> Any:
    answered = [getattr(t, attribute)[key] for t in latest if key in getattr(t, attribute)]
    assessed = [counts for counts in answered if counts[0] > 0]
    non_compliant = sum(1 for counts in assessed if counts[1] > 0)
    return row_class(
        **fields, factories=len(assessed), non_compliant=non_compliant, share=share(non_compliant, len(assessed))
    )


# --- cycle health ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneRow:
    country: str
    country_name: str
    kind: str
    kind_label: str
    total: int  # not cancelled
    done: int
    done_late: int
    open: int
    due_soon: int
    overdue: int


@dataclass(frozen=True)
class LateFactoryRow:
    factory_id: int
    factory: str
    country: str
    overdue: int
    oldest_due: date
    days_late: int
    kinds: list[str]


@dataclass(frozen=True)
class CycleHealth:
    scope: Scope
    milestones: list[MilestoneRow]
    late_factories: list[LateFactoryRow]

    @property
    def overdue_by_kind(self) -> list[tuple[str, int]]:
        totals: dict[str, int] = defaultdict(int)
        labels: dict[str, str] = {}
        for row in self.milestones:
            totals[row.kind] += row.overdue
            labels[row.kind] = row.kind_label
        return [(labels[kind], totals[kind]) for kind in Milestone.Kind.values if kind in totals]


def cycle_health(scope: Scope) -> CycleHealth:
    """Milestones of open cycles per country and kind, and the factories with overdue ones (3 queries)."""
    today = scope.today
    milestones = _in_countries(
        Milestone.objects.filter(cycle__status=ServiceCycle.Status.OPEN).exclude(state=Milestone.State.CANCELLED),
        scope,
        "cycle__factory__country_id",
    )
    planned = Q(state=Milestone.State.PLANNED)
    grouped = (
        milestones.order_by()
        .values("cycle__factory__country_id", "kind")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(state=Milestone.State.DONE)),
            done_late=Count("pk", filter=Q(state=Milestone.State.DONE, done_at__date__gt=F("due_date"))),
            open=Count("pk", filter=planned),
            due_soon=Count(
                "pk", filter=planned & Q(due_date__gte=today, due_date__lte=today + timedelta(days=DUE_WITHIN_DAYS))
            ),
            overdue=Count("pk", filter=planned & Q(due_date__lt=today)),
        )
    )
    grouped = list(grouped)
    names = country_names({r["cycle__factory__country_id"] for r in grouped})
    labels = dict(Milestone.Kind.choices)
    order = {kind: i for i, kind in enumerate(Milestone.Kind.values)}
    rows = [
        MilestoneRow(
            country=r["cycle__factory__country_id"], country_name=names.get(r["cycle__factory__country_id"], ""),
            kind=r["kind"], kind_label=str(labels.get(r["kind"], r["kind"])), total=r["total"], done=r["done"],
            done_late=r["done_late"], open=r["open"], due_soon=r["due_soon"], overdue=r["overdue"],
        )
        for r in grouped
    ]  # fmt: skip
    rows.sort(key=lambda r: (r.country_name, order.get(r.kind, 99)))

    late = (
        milestones.with_state(today=today, due_within_days=DUE_WITHIN_DAYS)
        .filter(current_state="overdue")
        .order_by("cycle__factory__name", "due_date")
        .values_list("cycle__factory_id", "cycle__factory__name", "cycle__factory__country_id", "kind", "due_date")
    )
    factories: dict[int, dict[str, Any]] = {}
    for factory_id, name, country, kind, due in late:
        entry = factories.setdefault(
            factory_id, {"factory": name, "country": country, "overdue": 0, "oldest_due": due, "kinds": []}
        )
        entry["overdue"] += 1
        entry["oldest_due"] = min(entry["oldest_due"], due)
        entry["kinds"].append(str(labels.get(kind, kind)))
    late_rows = [
        LateFactoryRow(factory_id=pk, days_late=(today - e["oldest_due"]).days, **e) for pk, e in factories.items()
    ]
    late_rows.sort(key=lambda r: (-r.days_late, r.factory))
    return CycleHealth(scope, rows, late_rows)


# --- service delivery against allowances (R-CYC-7) ------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    country: str
    country_name: str
    cycles: int
    advisory_days_included: Decimal
    advisory_days_used: Decimal
    participant_days_included: Decimal
    participant_days_used: Decimal
    seminars_included: int
    seminars_used: int
    assessments_included: int
    assessments_used: int

    @property
    def advisory_share(self) -> Fraction | None:
        return _decimal_share(self.advisory_days_used, self.advisory_days_included)

    @property
    def participant_days_share(self) -> Fraction | None:
        return _decimal_share(self.participant_days_used, self.participant_days_included)

    @property
    def seminars_share(self) -> Fraction | None:
        return share(self.seminars_used, self.seminars_included)

    @property
    def assessments_share(self) -> Fraction | None:
        return share(self.assessments_used, self.assessments_included)

    @property
    def percents(self) -> dict[str, str]:
        """Share of each allowance used, for the page."""
        return {
            "advisory": percent(self.advisory_share),
            "participant_days": percent(self.participant_days_share),
            "seminars": percent(self.seminars_share),
            "assessments": percent(self.assessments_share),
        }


def _decimal_share(part: Decimal, whole: Decimal) -> Fraction | None:
    return Fraction(part) / Fraction(whole) if whole else None


def service_delivery(scope: Scope) -> list[ServiceRow]:
    """Per country, the open cycles' services used against what they include (8 queries whatever the data)."""
    cycles = _in_countries(ServiceCycle.objects.filter(status=ServiceCycle.Status.OPEN), scope, "factory__country_id")
    country = "cycle__factory__country_id"
    open_cycles = {"cycle__status": ServiceCycle.Status.OPEN}

    def per_country(queryset: Any, value: Any) -> dict[str, Any]:
        rows = _in_countries(queryset.filter(**open_cycles), scope, country).order_by().values(country)
        return {r[country]: r["n"] or 0 for r in rows.annotate(n=value)}

    by_number = cycles.order_by().values_list("factory__country_id", "number").annotate(n=Count("pk")).order_by()
    count: dict[str, int] = defaultdict(int)
    advisory_included: dict[str, Decimal] = defaultdict(Decimal)
    for code, number, n in by_number:
        count[code] += n
        advisory_included[code] += Decimal(advisory_days(number) * n)
    visits = per_country(AdvisoryVisit.objects, Sum("days"))
    enrolled = per_country(Enrolment.objects, Sum("participant_days"))
    bought = per_country(TrainingPurchase.objects, Sum("participant_days"))
    seminars = per_country(SeminarParticipation.objects, Count("pk"))
    assessments_due = per_country(
        Milestone.objects.filter(kind=Milestone.Kind.ASSESSMENT).exclude(state=Milestone.State.CANCELLED),
        Count("cycle_id", distinct=True),
    )
    started = per_country(Assessment.objects.filter(status__in=Assessment.STARTED), Count("pk"))
    names = country_names(count)
    rows = [
        ServiceRow(
            country=code, country_name=names.get(code, code), cycles=count[code],
            advisory_days_included=advisory_included[code], advisory_days_used=Decimal(visits.get(code, 0)),
            participant_days_included=Decimal(INCLUDED_PARTICIPANT_DAYS * count[code] + bought.get(code, 0)),
            participant_days_used=Decimal(enrolled.get(code, 0)),
            seminars_included=INCLUDED_SEMINARS * count[code], seminars_used=seminars.get(code, 0),
            assessments_included=ASSESSMENTS * assessments_due.get(code, 0), assessments_used=started.get(code, 0),
        )
        for code in count
    ]  # fmt: skip
    rows.sort(key=lambda r: r.country_name)
    return rows


def scope_countries(user: Any) -> list[tuple[str, str]]:
    """The countries a dashboard user may filter on (code, name): all for a global admin, else their own."""
    countries = Country.objects.order_by("name")
    if user.effective_role != Role.GLOBAL_ADMIN:
        countries = countries.filter(code=user.country_id)
    return [(c.code, c.tr.name) for c in countries]


def country_names(codes: Iterable[str]) -> dict[str, str]:
    """Code → name in the reader's language."""
    return {c.code: c.tr.name for c in Country.objects.filter(code__in=list(codes))}
