"""Working days per country (R-CTY-1), the basis of the 5-working-day feedback deadline (R-ASM-6)."""

from datetime import date, timedelta

import holidays
import pytest

from factories import calendars
from factories.calendars import add_working_days, is_working_day, weekend_days

FRI_SAT = frozenset({4, 5})
SAT_SUN = frozenset({5, 6})
WEEKENDS = {
    "JO": FRI_SAT,
    "EG": FRI_SAT,
    "BD": FRI_SAT,
    "KH": SAT_SUN,
    "VN": SAT_SUN,
    "ID": SAT_SUN,
    "HT": SAT_SUN,
    "ET": SAT_SUN,
    "NI": SAT_SUN,
    "LS": SAT_SUN,
    "PK": SAT_SUN,
}


@pytest.mark.parametrize(("code", "weekend"), sorted(WEEKENDS.items()))
def test_weekend_of_each_country(code, weekend):
    assert weekend_days(code) == weekend


def test_khmer_new_year_is_skipped():
    """Khmer New Year 2026 is Tuesday 14 – Thursday 16 April."""
    thursday = date(2026, 4, 9)
    assert [is_working_day("KH", date(2026, 4, d)) for d in (13, 14, 15, 16, 17)] == [True, False, False, False, True]
    # Fri 10 (1), Mon 13 (2), Fri 17 (3), Mon 20 (4), Tue 21 (5)
    assert add_working_days("KH", thursday, 5) == date(2026, 4, 21)
    assert add_working_days("KH", date(2026, 4, 13), 1) == date(2026, 4, 17)


def test_jordan_independence_day_is_skipped():
    """25 May 2025 is a Sunday, a working day of the Jordanian week, and Independence Day."""
    assert not is_working_day("JO", date(2025, 5, 25))
    assert is_working_day("JO", date(2025, 5, 26))
    assert add_working_days("JO", date(2025, 5, 22), 1) == date(2025, 5, 26)


def test_vietnam_national_day_is_skipped():
    """National Day 2026 is 1–2 September, with Monday 31 August given off."""
    assert [is_working_day("VN", date(2026, 8, 31) + timedelta(days=d)) for d in range(4)] == [
        False,
        False,
        False,
        True,
    ]
    # Thu 27 Aug: Fri 28 (1), Thu 3 Sep (2), Fri 4 (3), Mon 7 (4), Tue 8 (5)
    assert add_working_days("VN", date(2026, 8, 27), 5) == date(2026, 9, 8)


def test_day_after_a_thursday_jordan_versus_cambodia():
    """Friday is a working day in Cambodia and a weekend day in Jordan."""
    thursday = date(2026, 6, 4)
    assert add_working_days("KH", thursday, 1) == date(2026, 6, 5)  # Friday
    assert add_working_days("JO", thursday, 1) == date(2026, 6, 7)  # Sunday


def test_fifth_working_day_after_a_thursday_jordan_versus_cambodia():
    """R-ASM-6: informed on Thursday 22 May 2025.

    Jordan: Fri/Sat weekend, Sun 25 Independence Day → Mon 26 … Thu 29, Sun 1 June.
    Cambodia: Fri 23, Mon 26 … Thu 29.
    """
    thursday = date(2025, 5, 22)
    assert add_working_days("JO", thursday, 5) == date(2025, 6, 1)
    assert add_working_days("KH", thursday, 5) == date(2025, 5, 29)


def test_without_holidays_five_working_days_after_a_thursday_is_the_next_thursday_in_both():
    thursday = date(2026, 6, 4)
    assert add_working_days("JO", thursday, 5) == add_working_days("KH", thursday, 5) == date(2026, 6, 11)


@pytest.mark.parametrize("n", [0, -1, -5])
def test_n_below_one_is_refused(n):
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days("KH", date(2026, 6, 4), n)


def test_start_on_a_weekend_day_is_not_counted():
    saturday = date(2026, 6, 6)
    assert add_working_days("KH", saturday, 1) == date(2026, 6, 8)  # Monday
    assert add_working_days("JO", saturday, 1) == date(2026, 6, 7)  # Sunday


START_DATES = [date(2024, 12, 20) + timedelta(days=k * 17) for k in range(45)]  # ~2 years, every weekday


@pytest.mark.parametrize("code", sorted(WEEKENDS))
def test_property_result_is_the_nth_working_day(code):
    """For a spread of start dates and n: the result is a working day of that country (not on its
    weekend, not a public holiday) and exactly n working days lie in (start, result]."""
    reference = holidays.country_holidays(code, years=range(2024, 2028))
    weekend = WEEKENDS[code]

    def working(day: date) -> bool:
        # A weekend day counts only when the government moved a working day onto it (Vietnam does).
        return day not in reference and (day.weekday() not in weekend or day in reference.weekend_workdays)

    for start in START_DATES:
        for n in (1, 2, 5, 10):
            result = add_working_days(code, start, n)
            assert result > start
            assert working(result), (code, start, n, result)
            assert result not in reference, (code, start, n, result)
            between = [start + timedelta(days=d) for d in range(1, (result - start).days + 1)]
            assert sum(working(day) for day in between) == n, (code, start, n, result)


def test_calendar_is_cached_per_country():
    assert calendars.country_calendar("KH") is calendars.country_calendar("KH")
    assert calendars.country_calendar("KH") is not calendars.country_calendar("JO")
