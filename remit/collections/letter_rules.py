"""Pure collection-letter rules: which letter of a sequence is due next (spec §3.9).

- Letter 1 is due once the item (per transaction) or the customer's oldest overdue item (per
  customer) is at least the letter's *days* past its due date; letter 2 and later once that
  many days have passed since the previous letter's date.
- A letter is only sent when the overdue balance reaches its *minimum overdue balance*. With
  *ignore payments and credit notes*, that balance counts overdue invoices only; otherwise it
  is the net of everything overdue.
- After the last letter nothing more is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Level:
    number: int            # 1..5
    days: int
    min_overdue: Decimal
    fee: Decimal = Decimal(0)


@dataclass(frozen=True)
class Stage:
    """Where a customer (or an item) stands: the last letter's level and date (0, None before
    any letter)."""

    level: int = 0
    sent_on: date | None = None


def next_letter(levels: Sequence[Level], stage: Stage, oldest_due: date, overdue: Decimal,
                on: date) -> Level | None:
    ordered = sorted(levels, key=lambda x: x.number)
    if stage.level >= len(ordered):
        return None  # the last letter has been sent
    following = ordered[stage.level]
    if on <= oldest_due:
        return None  # nothing overdue
    since = oldest_due if stage.level == 0 or stage.sent_on is None else stage.sent_on
    if (on - since).days < following.days:
        return None
    if overdue <= 0 or overdue < following.min_overdue:
        return None
    return following


def overdue_balance(items: Sequence[tuple[Decimal, date]], on: date,
                    ignore_credits: bool) -> Decimal:
    """(open amount, due date) pairs → the overdue balance the minimum is checked against."""
    return sum((amount for amount, due in items
                if due < on and (amount > 0 or not ignore_credits)), Decimal(0))
