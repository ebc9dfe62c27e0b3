"""The spec's interest examples (§3.8), against the pure rules."""

from datetime import date
from decimal import Decimal

from remit.collections.interest_rules import Range, Version, interest

D = Decimal
DUE = date(2026, 1, 31)


def charge(amount, to, *versions, charged_to=None):
    return interest(amount=D(amount), due=DUE, charged_to=charged_to, to=to,
                    versions=versions, currency="NOK")


def v(key="v1", effective=date(2020, 1, 1), **kw):
    ranges = tuple(Range(D(f), D(x)) for f, x in kw.pop("ranges", [("0", kw.pop("value", "0"))]))
    return Version(key, effective, ranges=ranges, **kw)


def test_five_percent_for_every_two_months_overdue():
    code = v(value="5", every=2, unit="month")
    assert charge("1000.00", date(2026, 3, 30), code) == []  # two months not yet over
    (piece,) = charge("1000.00", date(2026, 7, 31), code)  # six months: three intervals
    assert (piece.intervals, piece.interest) == (3, D("150.00"))


def test_twenty_five_for_every_twenty_days_overdue():
    code = v(value="25.00", basis="amount", every=20, unit="day")
    (piece,) = charge("1000.00", date(2026, 3, 15), code)  # 43 days: two intervals
    assert (piece.intervals, piece.interest) == (2, D("50.00"))


def test_range_on_amount_percentage_every_three_months():
    code = v(every=3, unit="month", range_by="amount",
             ranges=[("0", "1"), ("1001", "2"), ("5001", "3")])
    to = date(2026, 4, 30)  # one quarter
    assert charge("800.00", to, code)[0].interest == D("8.00")
    assert charge("3000.00", to, code)[0].interest == D("60.00")
    assert charge("6000.00", to, code)[0].interest == D("180.00")


def test_range_on_days_amount_every_fifteen_days():
    """0 → 10.00, 61 → 15.00, 91 → 20.00: 100 days overdue is six intervals, at days 15–60
    (10 each), 75 and 90 (15 each)."""
    code = v(basis="amount", every=15, unit="day", range_by="days",
             ranges=[("0", "10.00"), ("61", "15.00"), ("91", "20.00")])
    (piece,) = charge("500.00", date(2026, 5, 11), code)  # DUE + 100 days
    assert (piece.intervals, piece.interest) == (6, D("70.00"))
    (later,) = charge("500.00", date(2026, 6, 10), code)  # + 8 intervals: 105, 120 at 20
    assert later.interest == D("110.00")


def test_range_on_months_from_month_four_and_seven():
    """0 → 1.5 %, 4 → 2 %, 7 → 2.5 %: eight months of 1,000 = 3 × 15 + 3 × 20 + 2 × 25."""
    code = v(every=1, unit="month", range_by="months",
             ranges=[("0", "1.5"), ("4", "2"), ("7", "2.5")])
    (piece,) = charge("1000.00", date(2026, 9, 30), code)
    assert (piece.intervals, piece.interest) == (8, D("155.00"))


def test_a_rate_change_gives_a_separate_piece_per_version():
    old = v("old", date(2020, 1, 1), value="1", every=1, unit="month")
    new = v("new", date(2026, 4, 1), value="2", every=1, unit="month")
    pieces = {p.version: p for p in charge("1000.00", date(2026, 6, 30), old, new)}
    assert (pieces["old"].intervals, pieces["old"].interest) == (2, D("20.00"))  # Feb, Mar
    assert (pieces["new"].intervals, pieces["new"].interest) == (3, D("60.00"))  # Apr–Jun


def test_yearly_percent_per_day_divided_by_365():
    code = v(value="8", per_day=True)
    (piece,) = charge("10000.00", date(2026, 3, 2), code)  # 30 days late
    assert (piece.intervals, piece.interest) == (30, D("65.75"))  # 10,000 × 8 % ÷ 365 × 30


def test_grace_days_and_what_was_charged_before_are_not_charged_again():
    code = v(value="1", every=10, unit="day", grace_days=5)
    (piece,) = charge("1000.00", date(2026, 3, 12), code)  # anchor Feb 5: Feb 15, 25, Mar 7
    assert piece.intervals == 3
    assert piece.end == date(2026, 3, 7)  # what a note records as charged up to
    (rest,) = charge("1000.00", date(2026, 3, 30), code, charged_to=piece.end)
    assert (rest.intervals, rest.start) == (2, date(2026, 3, 8))  # Mar 17, Mar 27
    assert charge("1000.00", date(2026, 3, 12), code, charged_to=piece.end) == []


def test_a_new_version_with_another_interval_never_charges_days_twice():
    """1 % a month charged up to May 1; from May 3 it is 1 % every 20 days. The 20-day grid's
    interval that began before May 1 is not charged again (found by a review)."""
    due = date(2026, 4, 1)
    monthly = v("m", date(2020, 1, 1), value="1", every=1, unit="month")
    twenty = v("t", date(2026, 5, 3), value="1", every=20, unit="day")
    (first,) = interest(amount=D("10000.00"), due=due, charged_to=None, to=date(2026, 5, 2),
                        versions=[monthly], currency="NOK")
    later = interest(amount=D("10000.00"), due=due, charged_to=first.end,
                     to=date(2026, 5, 11), versions=[monthly, twenty], currency="NOK")
    assert later == []  # Apr 21 – May 11 began before May 1: not charged again


def test_minimum_and_maximum_interest_per_piece():
    code = v(value="1", every=1, unit="month", min_interest=D("50.00"), max_interest=D("80"))
    assert charge("1000.00", date(2026, 2, 28), code)[0].interest == D("50.00")
    assert charge("1000.00", date(2026, 12, 31), code)[0].interest == D("80.00")
