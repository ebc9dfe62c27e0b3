"""Columns that give the answer away. An export of invoice history often carries, beside the
facts known when an invoice was issued (channel, region, a dispute flag), columns written when
it was paid: days late, days to pay, the payment date, a paid/late status. A payment model that
learns from those scores every invoice perfectly in its test and uselessly in use.

Each kept column is tested against the outcomes the file itself records: a number equal to the
days late or days to pay, a date equal to the settlement date, or a few values that sort the
invoices by outcome (paid or open, on time or late) far better than guessing the commonest.
A column found so is a leak and cannot be chosen as a feature. Pure; no Django.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

MIN_ROWS = 20           # fewer settled rows than this say nothing
MATCH_PERCENT = 90      # a number or date equal to an outcome this often is that outcome
PURITY_PERCENT = 90     # a category that sorts the outcome this well...
ERROR_REMOVED_PERCENT = 75  # ...and removes this much of the commonest-guess error
MAX_VALUES = 30         # more distinct values than this is not a category
_NUMBER = re.compile(r"[+-]?\d+([.,]0+)?")


def _number(text: str) -> int | None:
    text = text.strip().replace(" ", "")
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return int(Decimal(text.replace(",", ".")))
    except InvalidOperation:
        return None


def _date(text: str) -> date | None:
    from remit.imports.formats import FormatProblem, parse_date

    try:
        return parse_date(text, "dmy") if "." in text else parse_date(text, None)
    except FormatProblem:
        return None


@dataclass
class ColumnStats:
    values: int = 0
    settled: int = 0
    days_late: int = 0
    days_to_pay: int = 0
    settled_date: int = 0
    categories: Counter = field(default_factory=Counter)  # (value, outcome) → rows
    too_many: bool = False
    samples: list = field(default_factory=list)

    def add(self, text: str, outcome: str, invoice_date: date, due: date,
            settled_on: date | None) -> None:
        self.values += 1
        if len(self.samples) < 3 and text not in self.samples:
            self.samples.append(text)
        if settled_on is not None and outcome != "open":
            self.settled += 1
            number = _number(text)
            if number is not None:
                late = (settled_on - due).days
                if number in (late, max(late, 0)):
                    self.days_late += 1
                if number == (settled_on - invoice_date).days:
                    self.days_to_pay += 1
            elif _date(text) == settled_on:
                self.settled_date += 1
        if not self.too_many:
            self.categories[(text, outcome)] += 1
            if len({v for v, _ in self.categories}) > MAX_VALUES:
                self.too_many = True
                self.categories.clear()

    def leak(self) -> str:
        """Why the column gives the outcome away, or '' when it does not."""
        if self.settled >= MIN_ROWS:
            for count, what in ((self.days_late, "the days late"),
                                (self.days_to_pay, "the days to pay"),
                                (self.settled_date, "the settlement date")):
                if 100 * count >= MATCH_PERCENT * self.settled:
                    return f"equals {what} in {count} of {self.settled} paid invoices"
        if self.too_many or self.values < MIN_ROWS:
            return ""
        for name, group in (("paid or open", _paid_or_open), ("on time or late", _late),
                            ("the outcome", lambda o: o)):
            found = _sorts(self.categories, group)
            if found:
                return f"tells {name}: {found}"
        return ""


def _paid_or_open(outcome: str) -> str:
    return "open" if outcome == "open" else "paid"


def _late(outcome: str) -> str | None:
    return None if outcome == "open" else outcome


def _sorts(categories: Counter, group) -> str:
    by_value: dict[str, Counter] = {}
    totals: Counter = Counter()
    for (value, outcome), n in categories.items():
        g = group(outcome)
        if g is None:
            continue
        by_value.setdefault(value, Counter())[g] += n
        totals[g] += n
    rows = sum(totals.values())
    if rows < MIN_ROWS or len(totals) < 2:
        return ""
    guessed = max(totals.values())  # right by always guessing the commonest outcome
    right = sum(max(c.values()) for c in by_value.values())
    if 100 * right >= PURITY_PERCENT * rows \
            and 100 * (right - guessed) >= ERROR_REMOVED_PERCENT * (rows - guessed):
        return (f"its values sort {100 * right // rows} % of the invoices right (guessing: "
                f"{100 * guessed // rows} %)")
    return ""


def outcome_of(due: date, settled_on: date | None, fully_settled: bool) -> str:
    if not fully_settled or settled_on is None:
        return "open"
    return "on time" if settled_on <= due else "late"
