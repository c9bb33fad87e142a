"""When each step of a service cycle falls due (R-CYC). Pure functions: no database, easy to test.

Day 0 is the first advisory visit (FV1, R-REG-2); months count from day 0.

| milestone                   | due                              | owner              | source                    |
|-----------------------------|----------------------------------|--------------------|---------------------------|
| initial_advisory_end        | day 100                          | advisor            | R-CYC-1 "about 100 days"  |
| assessment                  | day 130 (window opens day 100)   | programme manager  | R-CYC-2, R-ASM-3          |
| assessment_report_release   | 30 days after the assessment     | programme manager  | R-CYC-3, R-ASM-6          |
| progress_report_1           | month 5                          | factory            | R-CYC-4, R-RPT-2          |
| progress_report_2           | month 11                         | advisor            | R-CYC-5, R-RPT-3          |
| final_visit                 | two weeks before the cycle ends  | advisor            | R-CYC-6                   |
| cycle_end                   | month 12                         | system             | R-CYC, R-REG-3            |

Stage 2 factories are assessed once every 24 months (R-CYC-2, R-DIF-3): in a cycle that follows an
assessed one, the assessment and its report are cancelled. In service phase 1 (production suspended,
R-CTY-2) no assessment can take place: they are cancelled too, and come back when the phase changes.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

INITIAL_ADVISORY_DAYS = 100
ASSESSMENT_WINDOW_DAYS = 30  # the assessment falls between day 100 and day 130
REPORT_AFTER_ASSESSMENT_DAYS = 30
FINAL_VISIT_BEFORE_END_DAYS = 14
CYCLE_MONTHS = 12

# Service allowances per cycle (R-CYC-7).
ADVISORY_DAYS = {1: 8}  # cycle 1; every later cycle gets ADVISORY_DAYS_LATER
ADVISORY_DAYS_LATER = 6
INITIAL_VISITS = {1: 3}  # about 3 initial advisory visits in cycle 1, 1-2 afterwards
INITIAL_VISITS_LATER = 2
SEMINARS = 4
TRAINING_PARTICIPANT_DAYS = 25
ASSESSMENTS = 1


def add_months(day: date, months: int) -> date:
    """Same day of the month `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_end(start: date) -> date:
    return add_months(start, CYCLE_MONTHS)


@dataclass(frozen=True)
class PlannedMilestone:
    kind: str
    due_date: date
    owner: str
    cancelled: bool = False


def assessment_due_this_cycle(*, stage: int, previous_cycle_assessed: bool) -> bool:
    """Stage 1: every cycle. Stage 2: every other cycle (once every 24 months)."""
    return stage == 1 or not previous_cycle_assessed


def plan_cycle(
    *, start: date, stage: int = 1, previous_cycle_assessed: bool = False, phase: int = 3
) -> list[PlannedMilestone]:
    end = cycle_end(start)
    assessed = phase != 1 and assessment_due_this_cycle(stage=stage, previous_cycle_assessed=previous_cycle_assessed)
    assessment_due = start + timedelta(days=INITIAL_ADVISORY_DAYS + ASSESSMENT_WINDOW_DAYS)
    return [
        PlannedMilestone("initial_advisory_end", start + timedelta(days=INITIAL_ADVISORY_DAYS), "advisor"),
        PlannedMilestone("assessment", assessment_due, "programme_manager", cancelled=not assessed),
        PlannedMilestone(
            "assessment_report_release",
            assessment_due + timedelta(days=REPORT_AFTER_ASSESSMENT_DAYS),
            "programme_manager",
            cancelled=not assessed,
        ),
        PlannedMilestone("progress_report_1", add_months(start, 5), "factory"),
        PlannedMilestone("progress_report_2", add_months(start, 11), "advisor"),
        PlannedMilestone("final_visit", end - timedelta(days=FINAL_VISIT_BEFORE_END_DAYS), "advisor"),
        PlannedMilestone("cycle_end", end, "system"),
    ]


def advisory_days(cycle_number: int) -> int:
    return ADVISORY_DAYS.get(cycle_number, ADVISORY_DAYS_LATER)


def initial_visits(cycle_number: int) -> int:
    return INITIAL_VISITS.get(cycle_number, INITIAL_VISITS_LATER)
