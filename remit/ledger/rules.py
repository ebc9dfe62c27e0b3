"""Pure ledger rules: what a balanced entry is, how accounting amounts are derived, and the
canonical form an entry's checksum is taken over. No ORM, no clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from remit.core.money import ZERO, Money, RoundingPoint, normalize_rate, quantize

from .exceptions import EmptyEntry, UnbalancedEntry

CHECKSUM_VERSION = "v1"
AMOUNT_EXPONENT = Decimal("0.0001")
RATE_EXPONENT = Decimal("0.000000000001")


@dataclass(frozen=True)
class PostingLine:
    """One line to post. ``amount`` is signed: positive debits, negative credits.
    ``amount_acc`` (accounting currency, signed the same way) is derived from the exchange rate
    when not given."""

    account: object
    amount: Money
    description: str = ""
    amount_acc: Decimal | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class ConvertedLine:
    account: object
    amount: Money
    amount_acc: Decimal
    rate: Decimal
    description: str


def convert_lines(
    lines: Sequence[PostingLine], accounting_currency: str, rates: dict[str, Decimal]
) -> list[ConvertedLine]:
    """Accounting amounts for each line, rounded at the CONVERSION point. When every line is in
    one currency and balances in it, the rounding residual (a few smallest units at most) goes to
    the largest line, so a balanced document stays balanced in the accounting currency."""
    converted = []
    for line in lines:
        rate = normalize_rate(line.rate if line.rate is not None else rates[line.amount.currency])
        if line.amount_acc is not None:
            acc = line.amount_acc
        elif line.amount.currency == accounting_currency:
            acc = line.amount.amount
        else:
            acc = quantize(line.amount.amount * rate, accounting_currency, RoundingPoint.CONVERSION)
        converted.append(ConvertedLine(line.account, line.amount, acc, rate, line.description))
    currencies = {c.amount.currency for c in converted}
    if len(currencies) == 1 and accounting_currency not in currencies:
        balance = sum((c.amount.amount for c in converted), ZERO)
        residual = sum((c.amount_acc for c in converted), ZERO)
        explicit = any(line.amount_acc is not None for line in lines)
        if balance == 0 and residual != 0 and not explicit:
            largest = max(range(len(converted)), key=lambda i: abs(converted[i].amount_acc))
            c = converted[largest]
            converted[largest] = ConvertedLine(c.account, c.amount, c.amount_acc - residual,
                                               c.rate, c.description)
    return converted


def balance_problems(lines: Sequence[ConvertedLine], accounting_currency: str) -> list[str]:
    """Why these lines do not make a postable entry; empty when they do.

    An entry must balance in the accounting currency. When all its lines share one transaction
    currency it must balance in that currency too (a mixed-currency entry, such as a settlement
    with a realized exchange difference, balances in the accounting currency only)."""
    problems = []
    if len(lines) < 2:
        problems.append(f"an entry needs at least two lines, got {len(lines)}")
    for i, line in enumerate(lines, start=1):
        if line.amount.amount == 0 and line.amount_acc == 0:
            problems.append(f"line {i} has no amount")
        elif line.amount.amount * line.amount_acc < 0:
            problems.append(f"line {i} debits in one currency and credits in the other")
    total_acc = sum((line.amount_acc for line in lines), ZERO)
    if total_acc != 0:
        problems.append(f"debits and credits differ by {total_acc:f} {accounting_currency}")
    currencies = {line.amount.currency for line in lines}
    if len(currencies) == 1:
        (currency,) = currencies
        total = sum((line.amount.amount for line in lines), ZERO)
        if total != 0 and currency != accounting_currency:
            problems.append(f"debits and credits differ by {total:f} {currency}")
    return problems


def ensure_postable(lines: Sequence[ConvertedLine], accounting_currency: str) -> None:
    if not lines:
        raise EmptyEntry("An entry without lines cannot be posted", errors=[(("lines",), "empty")])
    problems = balance_problems(lines, accounting_currency)
    if problems:
        raise UnbalancedEntry("The entry does not balance: " + "; ".join(problems),
                              errors=[(("lines",), p) for p in problems])


MAX_DAYS_BACK = 366 * 10
MAX_DAYS_AHEAD = 366


def entry_date_problem(entry_date: date, as_of: date) -> str | None:
    """A typed-in date that is surely a typo (1900, 2062) is refused; periods and period close
    will make this precise."""
    if (as_of - entry_date).days > MAX_DAYS_BACK:
        return f"is more than ten years before {as_of.isoformat()}"
    if (entry_date - as_of).days > MAX_DAYS_AHEAD:
        return f"is more than a year after {as_of.isoformat()}"
    return None


def split_sides(value: Decimal) -> tuple[Decimal, Decimal]:
    """(debit, credit); a zero is never signed (a converted -0.00 is stored, and read, as 0)."""
    if value > 0:
        return value, ZERO
    return (ZERO, -value) if value < 0 else (ZERO, ZERO)


@dataclass(frozen=True)
class CanonicalLine:
    line_no: int
    account_id: int
    currency: str
    debit: Decimal
    credit: Decimal
    debit_acc: Decimal
    credit_acc: Decimal
    rate: Decimal
    description: str


def _amount(value: Decimal) -> str:
    return f"{Decimal(value).quantize(AMOUNT_EXPONENT):f}"


def checksum(
    *,
    legal_entity_id: int,
    journal_id: int,
    number: str,
    sequence_value: int,
    entry_date: date,
    description: str,
    source: str,
    reverses: int | None,
    lines: Sequence[CanonicalLine],
) -> str:
    """SHA-256 over a canonical JSON text of the entry as stored. Accounts and journals are
    named by id, so renumbering an account or renaming a journal leaves posted entries intact;
    amounts are written at the stored scale, so SQLite and PostgreSQL give the same digest."""
    document = {
        "v": CHECKSUM_VERSION, "legal_entity": legal_entity_id, "journal": journal_id,
        "number": number, "sequence": sequence_value, "date": entry_date.isoformat(),
        "description": description, "source": source, "reverses": reverses,
        "lines": [
            [line.line_no, line.account_id, line.currency, _amount(line.debit),
             _amount(line.credit), _amount(line.debit_acc), _amount(line.credit_acc),
             f"{Decimal(line.rate).quantize(RATE_EXPONENT):f}", line.description]
            for line in sorted(lines, key=lambda x: x.line_no)
        ],
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
