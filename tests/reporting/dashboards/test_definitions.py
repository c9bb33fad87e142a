"""Each dashboard definition (reporting.dashboards) against hand-built data, with the expected numbers worked out
by hand (see the tables in tests/reporting/dashboards/helpers.py)."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from advisory import selectors as _advisory_allowance  # noqa: F401  registers the advisory-days provider
from factories.allowances import allowances_of
from reporting import dashboards
from reporting.dashboards import Scope
from tests.builders import global_admin, staff
from tests.reporting.dashboards.helpers import (
    PERIOD,
    TODAY,
    cycle_health_world,
    non_compliance_world,
    service_world,
)

pytestmark = pytest.mark.django_db


def _all(**kwargs) -> Scope:
    return Scope(countries=None, today=TODAY, **{**PERIOD, **kwargs})


def _row(rows, code):
    return next(row for row in rows if row.code == code)


def test_headline_rate_is_the_mean_over_factories_of_their_share_of_public_questions_non_compliant():
    """Latest closed assessment per factory in the period; N/A left out; an issue not publicly reported in the
    factory's country left out (R-PUB-4); factories with no public question answered not rated; planned/
    in-feedback and out-of-period assessments ignored. A 1/3, B 0/2, C 3/4, V 1/2."""
    non_compliance_world()
    data = dashboards.non_compliance(_all())
    assert data.headline == (Fraction(1, 3) + Fraction(0, 2) + Fraction(3, 4) + Fraction(1, 2)) / 4
    assert data.headline == Fraction(19, 48)
    assert (data.factories, data.rated) == (5, 4)  # A, B, C, V, F assessed; F has no public question


def test_share_of_factories_non_compliant_per_cluster_and_per_issue():
    world = non_compliance_world()
    q = world.q
    data = dashboards.non_compliance(_all())
    clusters = {row.code: (row.factories, row.non_compliant, row.share) for row in data.clusters}
    assert clusters[q.p1.cluster_id] == (4, 2, Fraction(1, 2))  # A NC, B OK, C NC, V OK
    assert clusters[q.p2.cluster_id] == (4, 2, Fraction(1, 2))  # C and V
    assert clusters[q.p3.cluster_id] == (2, 0, Fraction(0))  # B's answer was N/A: B is not assessed there
    assert clusters[q.foa4.cluster_id] == (2, 2, Fraction(1))  # clusters count every question, V included
    assert clusters[q.n1.cluster_id] == (3, 2, Fraction(2, 3))  # A NC, B OK, F NC
    issues = {row.code: (row.factories, row.non_compliant, row.share) for row in data.issues}
    assert issues[q.p1.critical_issue_id] == (4, 2, Fraction(1, 2))
    assert issues[q.p3.critical_issue_id] == (2, 0, Fraction(0))
    assert issues["FOA-4"] == (1, 1, Fraction(1))  # not publicly reported in VN: V left out
    untouched = next(row for row in data.issues if row.factories == 0)
    assert untouched.share is None  # nothing answered: no rate, not 0%


def test_by_country_and_a_managers_own_country():
    non_compliance_world()
    data = dashboards.non_compliance(_all())
    kh, vn = _row(data.countries, "KH"), _row(data.countries, "VN")
    assert (kh.factories, kh.rated, kh.headline) == (4, 3, (Fraction(1, 3) + 0 + Fraction(3, 4)) / 3)
    assert kh.headline == Fraction(13, 36)
    assert (kh.with_critical, kh.share_with_critical) == (2, Fraction(2, 3))  # A and C
    assert (vn.factories, vn.headline, vn.with_critical) == (1, Fraction(1, 2), 1)
    manager = dashboards.scope_for(staff("programme_manager", "KH"), today=TODAY, country="VN", **PERIOD)
    assert manager.countries == ("KH",)  # a country filter cannot widen a manager's scope
    mine = dashboards.non_compliance(manager)
    assert mine.headline == Fraction(13, 36)
    assert [row.code for row in mine.countries] == ["KH"]
    admin = dashboards.scope_for(global_admin(), today=TODAY, country="VN", **PERIOD)
    assert dashboards.non_compliance(admin).headline == Fraction(1, 2)


def test_over_time_each_factory_counts_with_its_latest_assessment_of_each_year_or_quarter():
    non_compliance_world()
    years = {row.period: (row.factories, row.rated, row.headline) for row in dashboards.non_compliance(_all()).trend}
    assert years == {"2025": (1, 1, Fraction(1)), "2026": (5, 4, Fraction(19, 48))}
    quarters = {row.period: row.headline for row in dashboards.non_compliance(_all(by="quarter")).trend}
    assert quarters == {
        "2025-Q1": Fraction(1),  # A's first assessment: 3/3
        "2026-Q1": (Fraction(1, 3) + 0) / 2,  # A, B
        "2026-Q2": (Fraction(3, 4) + Fraction(1, 2)) / 2,  # C, V (F unrated)
    }


def test_the_period_filters_on_the_start_date():
    non_compliance_world()
    data = dashboards.non_compliance(_all(start=date(2025, 1, 1), end=date(2025, 12, 31)))
    assert (data.factories, data.headline) == (1, Fraction(1))  # only A's 2025 assessment
    assert dashboards.non_compliance(_all(start=date(2023, 1, 1), end=date(2023, 12, 31))).headline is None


def test_cycle_health_counts_milestones_of_open_cycles_per_country_and_kind():
    world = cycle_health_world()
    health = dashboards.cycle_health(_all())
    kh = {row.kind: row for row in health.milestones if row.country == "KH"}
    assert (kh["progress_report_1"].total, kh["progress_report_1"].open, kh["progress_report_1"].overdue) == (1, 1, 1)
    assert (kh["progress_report_2"].total, kh["progress_report_2"].due_soon, kh["progress_report_2"].overdue) == (
        2, 1, 0,
    )  # fmt: skip
    assert (kh["initial_advisory_end"].done, kh["initial_advisory_end"].done_late) == (1, 1)
    assert (kh["assessment"].done, kh["assessment"].done_late) == (1, 0)
    assert kh["final_visit"].overdue == 1
    assert "cycle_end" not in kh  # cancelled
    late = [(row.factory_id, row.overdue, row.days_late) for row in health.late_factories]
    assert late == [(world.f2.pk, 1, 30), (world.f1.pk, 1, 23), (world.f4.pk, 1, 4)]  # F3's cycle is closed
    assert dict(health.overdue_by_kind)["Progress Report 1"] == 2  # F1 and F4
    kh_only = dashboards.cycle_health(Scope(countries=("KH",), today=TODAY, **PERIOD))
    assert [row.factory_id for row in kh_only.late_factories] == [world.f2.pk, world.f1.pk]


def test_service_delivery_matches_each_cycles_own_allowances():
    """The page aggregates per country in a fixed number of queries; the totals must equal the sum of
    `allowances_of(cycle)` over the country's open cycles (the per-cycle definition, R-CYC-7)."""
    world = service_world()
    rows = {row.country: row for row in dashboards.service_delivery(_all())}
    kh = rows["KH"]
    assert kh.cycles == 2
    assert (kh.advisory_days_included, kh.advisory_days_used) == (Decimal(14), Decimal(4))
    assert (kh.participant_days_included, kh.participant_days_used) == (Decimal(25 * 2 + 10), Decimal(10))
    assert (kh.seminars_included, kh.seminars_used) == (8, 3)
    assert (kh.assessments_included, kh.assessments_used) == (1, 1)
    assert kh.advisory_share == Fraction(4, 14)
    vn = rows["VN"]
    assert (vn.cycles, vn.advisory_days_included, vn.assessments_included, vn.assessments_used) == (
        1,
        8,
        1,
        0,
    )  # cycle 1: 8 advisory days
    expected: dict[str, Decimal] = {}
    for cycle in (world.c1, world.c2):
        for allowance in allowances_of(cycle):
            expected[f"{allowance.key}.available"] = expected.get(f"{allowance.key}.available", 0) + allowance.available
            expected[f"{allowance.key}.used"] = expected.get(f"{allowance.key}.used", 0) + allowance.used
    assert expected == {
        "advisory_days.available": kh.advisory_days_included, "advisory_days.used": kh.advisory_days_used,
        "training_participant_days.available": kh.participant_days_included,
        "training_participant_days.used": kh.participant_days_used,
        "seminars.available": kh.seminars_included, "seminars.used": kh.seminars_used,
        "assessments.available": kh.assessments_included, "assessments.used": kh.assessments_used,
    }  # fmt: skip
