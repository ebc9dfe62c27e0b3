"""Pure aging rules: which period of an aging definition a date falls in, as of a day.

Semantics (remit's reading of D365's period lines, see docs/design/collections.md):
periods are listed from the future to the past. Each has a signed *unit* and an *interval*
(day, week, month, quarter, year, or unlimited). The period with unit 0, when there is one, is
*current*: the as-of date itself and, unless future periods split them, every later date (with
due-date aging: not yet due). Past periods (negative units) follow back from the day before the
as-of date — or from the as-of date itself when there is no current period, so "0–29 days" can
be the first past period. Future periods (positive units) go forward from the day after. An
unlimited period takes everything beyond.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from remit.core.dates import add_months

INTERVALS = ("day", "week", "month", "quarter", "year", "unlimited")


@dataclass(frozen=True)
class PeriodLine:
    label: str
    unit: int
    interval: str


@dataclass(frozen=True)
class Bound:
    """Dates from ``start`` to ``end`` inclusive; None is open-ended."""

    label: str
    start: date | None
    end: date | None

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)



def shift(day: date, n: int, interval: str) -> date:
    if interval == "day":
        return day + timedelta(days=n)
    if interval == "week":
        return day + timedelta(weeks=n)
    if interval == "month":
        return add_months(day, n)
    if interval == "quarter":
        return add_months(day, 3 * n)
    if interval == "year":
        return add_months(day, 12 * n)
    raise ValueError(f"interval {interval!r} has no length")


def bounds(lines: Sequence[PeriodLine], as_of: date) -> list[Bound]:
    """The date range of every period, in the definition's order."""
    for line in lines:
        if line.interval not in INTERVALS:
            raise ValueError(f"unknown interval {line.interval!r}")
    zero = [i for i, line in enumerate(lines) if line.unit == 0 and line.interval != "unlimited"]
    if len(zero) > 1:
        raise ValueError("an aging definition has at most one current (unit 0) period")
    future = [(i, l) for i, l in enumerate(lines) if l.unit > 0 or (
        l.interval == "unlimited" and zero and i < zero[0])]
    past = [(i, l) for i, l in enumerate(lines) if l.unit < 0 or (
        l.interval == "unlimited" and (not zero or i > zero[0]))]
    out: dict[int, Bound] = {}
    if zero:
        out[zero[0]] = Bound(lines[zero[0]].label, as_of, as_of if future else None)
    cursor = as_of - timedelta(days=1) if zero else as_of  # newest day of the next past period
    for i, line in past:
        if line.interval == "unlimited":
            out[i] = Bound(line.label, None, cursor)
            break
        start = shift(cursor + timedelta(days=1), line.unit, line.interval)
        out[i] = Bound(line.label, start, cursor)
        cursor = start - timedelta(days=1)
    cursor = as_of + timedelta(days=1)  # oldest day of the next future period
    for i, line in reversed(future):  # listed future → past, so the nearest is last
        if line.interval == "unlimited":
            out[i] = Bound(line.label, cursor, None)
            break
        end = shift(cursor, line.unit, line.interval) - timedelta(days=1)
        out[i] = Bound(line.label, cursor, end)
        cursor = end + timedelta(days=1)
    if not zero and not future and past:  # dates after the as-of date age with the newest
        first = min(i for i, _ in past)
        out[first] = Bound(out[first].label, out[first].start, None)
    return [out.get(i, Bound(line.label, as_of, as_of)) for i, line in enumerate(lines)]


def period_of(day: date, periods: Sequence[Bound]) -> int | None:
    for i, bound in enumerate(periods):
        if bound.contains(day):
            return i
    return None
