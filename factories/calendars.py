"""Working days per country: public holidays from the `holidays` package with each country's own
weekend (Friday–Saturday in Bangladesh, Egypt and Jordan; Saturday–Sunday elsewhere).

Used for deadlines such as the 5-working-day feedback period (R-ASM-6).
"""

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def country_calendar(country_code: str) -> holidays.HolidayBase:
    """The country's holiday calendar; years are filled in lazily as dates are asked about."""
    return holidays.country_holidays(country_code)


def is_working_day(country_code: str, day: date) -> bool:
    return country_calendar(country_code).is_working_day(day)


def add_working_days(country_code: str, start: date, n: int) -> date:
    """The n-th working day after `start` (start itself not counted), n >= 1."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return country_calendar(country_code).get_nth_working_day(start, n)


def weekend_days(country_code: str) -> frozenset[int]:
    """Weekday numbers (Monday=0) of the country's weekend."""
    return frozenset(country_calendar(country_code).weekend)
