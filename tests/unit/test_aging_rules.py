from datetime import date

import pytest

from remit.collections.rules import Bound, PeriodLine, bounds, period_of

AS_OF = date(2026, 3, 31)
DUE_DATE = [PeriodLine("Current", 0, "day"), PeriodLine("1-30", -30, "day"),
            PeriodLine("31-60", -30, "day"), PeriodLine("61-90", -30, "day"),
            PeriodLine("Over 90", -1, "unlimited")]


def test_due_date_aging_with_a_current_period():
    periods = bounds(DUE_DATE, AS_OF)
    assert periods == [
        Bound("Current", date(2026, 3, 31), None),
        Bound("1-30", date(2026, 3, 1), date(2026, 3, 30)),
        Bound("31-60", date(2026, 1, 30), date(2026, 2, 28)),
        Bound("61-90", date(2025, 12, 31), date(2026, 1, 29)),
        Bound("Over 90", None, date(2025, 12, 30)),
    ]
    assert period_of(date(2026, 4, 15), periods) == 0  # not yet due
    assert period_of(date(2026, 3, 30), periods) == 1  # one day overdue
    assert period_of(date(2025, 6, 1), periods) == 4


def test_a_30_day_first_period_without_current_covers_the_as_of_date_and_29_before():
    periods = bounds([PeriodLine("0-29", -30, "day"), PeriodLine("30+", -1, "unlimited")], AS_OF)
    assert periods[0] == Bound("0-29", date(2026, 3, 2), None)
    assert period_of(date(2026, 3, 2), periods) == 0 and period_of(date(2026, 3, 1), periods) == 1


def test_future_periods_split_what_is_not_yet_due_and_months_follow_the_calendar():
    lines = [PeriodLine("Later", 1, "unlimited"), PeriodLine("Next month", 1, "month"),
             PeriodLine("Today", 0, "day"), PeriodLine("Last month", -1, "month"),
             PeriodLine("Older", -1, "unlimited")]
    periods = bounds(lines, date(2026, 1, 31))
    assert periods == [
        Bound("Later", date(2026, 3, 1), None),
        Bound("Next month", date(2026, 2, 1), date(2026, 2, 28)),
        Bound("Today", date(2026, 1, 31), date(2026, 1, 31)),
        Bound("Last month", date(2025, 12, 31), date(2026, 1, 30)),
        Bound("Older", None, date(2025, 12, 30)),
    ]


def test_every_day_falls_in_exactly_one_period():
    from datetime import timedelta

    periods = bounds(DUE_DATE, AS_OF)
    for offset in range(-400, 400):
        day = AS_OF + timedelta(days=offset)
        assert sum(p.contains(day) for p in periods) == 1


def test_two_current_periods_are_refused():
    with pytest.raises(ValueError, match="at most one"):
        bounds([PeriodLine("a", 0, "day"), PeriodLine("b", 0, "day")], AS_OF)
