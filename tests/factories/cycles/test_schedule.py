"""The R-CYC schedule, as dates (factories.schedule)."""

from datetime import date

import pytest

from factories.schedule import add_months, advisory_days, assessment_due_this_cycle, cycle_end, plan_cycle


def _due(plan):
    return {p.kind: p.due_date for p in plan}


def test_cycle_1_milestones_fall_on_the_rules_dates():
    """R-CYC-1..6: day 100, assessment by day 130, report 30 days later, month 5, month 11, final visit, month 12."""
    due = _due(plan_cycle(start=date(2026, 1, 15)))
    assert due == {
        "initial_advisory_end": date(2026, 4, 25),
        "assessment": date(2026, 5, 25),
        "assessment_report_release": date(2026, 6, 24),
        "progress_report_1": date(2026, 6, 15),
        "progress_report_2": date(2026, 12, 15),
        "final_visit": date(2027, 1, 1),
        "cycle_end": date(2027, 1, 15),
    }


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [(date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
     (date(2026, 8, 31), 5, date(2027, 1, 31)), (date(2026, 3, 10), -12, date(2025, 3, 10))],
)  # fmt: skip
def test_months_keep_the_day_or_clip_to_the_months_end(start, months, expected):
    assert add_months(start, months) == expected


def test_a_cycle_lasts_twelve_months_even_across_a_leap_day():
    assert cycle_end(date(2024, 2, 29)) == date(2025, 2, 28)
    assert cycle_end(date(2027, 3, 1)) == date(2028, 3, 1)


def test_stage_2_factories_are_assessed_every_other_cycle():
    """R-CYC-2 / R-DIF-3: once every 24 months."""
    assert assessment_due_this_cycle(stage=1, previous_cycle_assessed=True)
    assert not assessment_due_this_cycle(stage=2, previous_cycle_assessed=True)
    assert assessment_due_this_cycle(stage=2, previous_cycle_assessed=False)
    off_year = {p.kind: p.cancelled for p in plan_cycle(start=date(2026, 1, 1), stage=2, previous_cycle_assessed=True)}
    assert off_year["assessment"]
    assert off_year["assessment_report_release"]
    assert not off_year["progress_report_1"]


def test_advisory_days_are_8_in_cycle_1_and_6_after():
    """R-CYC-7."""
    assert [advisory_days(n) for n in (1, 2, 3)] == [8, 6, 6]


def test_no_milestone_is_due_before_the_initial_advisory_phase_ends():
    """R-CYC-2: the assessment cannot come before day 100."""
    start = date(2026, 5, 5)
    plan = plan_cycle(start=start)
    assert min(p.due_date for p in plan) == date(2026, 8, 13)
    assert all((p.due_date - start).days >= 100 for p in plan)
