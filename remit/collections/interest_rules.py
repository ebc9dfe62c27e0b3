"""Pure interest rules: how much interest an overdue amount earns between two dates under an
interest code's date-effective versions (spec §3.8).

remit's reading, where the spec is silent (see docs/design/collections.md):
- Interest runs from the due date plus the grace days (the *anchor*). It is charged per
  complete interval of N days or N months after the anchor: the k-th interval ends on
  anchor + k·N. Nothing is charged for an interval that has not ended.
- Ranges pick the value by the base amount, or by the days / months overdue at the end of
  each interval ("from month 4" charges the 4th month and later at the new rate).
- The version in effect on an interval's end date prices it; each version's interest is a
  separate piece, so a rate change gives separate interest notes.
- *Per day*: amount × yearly % ÷ 365 × days, for the days after the anchor, split by version.
- Minimum and maximum interest limits apply to each piece (one item under one version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from remit.core.dates import add_months
from remit.core.money import ZERO, RoundingPoint, quantize

HUNDRED = Decimal(100)
DAYS_PER_YEAR = Decimal(365)


@dataclass(frozen=True)
class Range:
    from_value: Decimal
    value: Decimal  # a percent, or an amount in the item's currency


@dataclass(frozen=True)
class Version:
    key: object
    effective_from: date
    basis: str = "percentage"    # or "amount"
    every: int = 1
    unit: str = "month"          # or "day"
    range_by: str = "none"       # "amount", "days", "months"
    ranges: tuple[Range, ...] = ()
    per_day: bool = False        # yearly percent ÷ 365 per day
    grace_days: int = 0
    min_interest: Decimal | None = None
    max_interest: Decimal | None = None


@dataclass(frozen=True)
class Piece:
    version: object
    start: date          # first day charged
    end: date            # last day charged
    intervals: int       # complete intervals (or days, per day)
    rate: Decimal        # the percent or amount of the last interval (for display)
    interest: Decimal



def version_on(versions: Sequence[Version], day: date) -> Version | None:
    current = None
    for version in sorted(versions, key=lambda v: v.effective_from):
        if version.effective_from <= day:
            current = version
    return current


def _value(version: Version, amount: Decimal, days: int, months: int) -> Decimal:
    measure = {"amount": amount, "days": Decimal(days), "months": Decimal(months)}.get(
        version.range_by, ZERO)
    chosen = ZERO
    for line in sorted(version.ranges, key=lambda r: r.from_value):
        if version.range_by == "none" or line.from_value <= measure:
            chosen = line.value
    return chosen


def _charge(version: Version, amount: Decimal, value: Decimal, currency: str) -> Decimal:
    if version.basis == "amount":
        return value
    return amount * value / HUNDRED


def _limit(version: Version, interest: Decimal) -> Decimal:
    if interest <= 0:
        return interest
    if version.min_interest is not None and interest < version.min_interest:
        interest = version.min_interest
    if version.max_interest is not None and interest > version.max_interest:
        interest = version.max_interest
    return interest


def interest(*, amount: Decimal, due: date, charged_to: date | None, to: date,
             versions: Sequence[Version], currency: str) -> list[Piece]:
    """The interest ``amount`` (open, positive) earns for the days after ``charged_to`` (None:
    never charged) up to ``to``; one piece per version with something to charge."""
    if amount <= 0 or not versions:
        return []
    pieces: dict[object, dict] = {}
    first = version_on(versions, to) or sorted(versions, key=lambda v: v.effective_from)[0]
    anchor = due + timedelta(days=first.grace_days)
    if first.per_day:
        return _per_day(amount, anchor, charged_to, to, versions, currency)
    k = 1
    while True:
        if first.unit == "day":
            end = anchor + timedelta(days=k * first.every)
        else:
            end = add_months(anchor, k * first.every)
        if end > to:
            break
        start = anchor + timedelta(days=(k - 1) * first.every) if first.unit == "day" \
            else add_months(anchor, (k - 1) * first.every)
        # only intervals wholly after what was charged: a version that changes the interval
        # never charges the same days twice
        if charged_to is None or start >= charged_to:
            version = version_on(versions, end)
            if version is not None:
                days = (end - due).days
                months = k * first.every if first.unit == "month" else 0
                value = _value(version, amount, days, months)
                piece = pieces.setdefault(version.key, {
                    "version": version, "start": (charged_to or anchor) + timedelta(days=1),
                    "end": end, "n": 0, "rate": value, "sum": ZERO})
                piece["end"], piece["rate"] = end, value
                piece["n"] += 1
                piece["sum"] += _charge(version, amount, value, currency)
        k += 1
    return [Piece(p["version"].key, p["start"], p["end"], p["n"], p["rate"],
                  quantize(_limit(p["version"], p["sum"]), currency, RoundingPoint.DOCUMENT))
            for p in pieces.values() if p["sum"] > 0]


def _per_day(amount, anchor, charged_to, to, versions, currency) -> list[Piece]:
    """Yearly percent ÷ 365 per day, for each version's stretch of the days charged."""
    start = max(anchor, charged_to or anchor) + timedelta(days=1)
    ordered = sorted(versions, key=lambda v: v.effective_from)
    pieces = []
    for i, version in enumerate(ordered):
        until = ordered[i + 1].effective_from - timedelta(days=1) if i + 1 < len(ordered) \
            else to
        first, last = max(start, version.effective_from), min(to, until)
        days = (last - first).days + 1
        if days <= 0:
            continue
        value = _value(version, amount, 0, 0)
        total = amount * value / HUNDRED / DAYS_PER_YEAR * days
        if total > 0:
            pieces.append(Piece(version.key, first, last, days, value,
                                quantize(_limit(version, total), currency,
                                         RoundingPoint.DOCUMENT)))
    return pieces
