"""Pure receivables rules: due dates, cash discount, invoice arithmetic, and the settlement
plan (which items a payment closes, with what discount and what write-off).

No ORM and no clock: every function takes the dates and amounts it needs, so the worked
examples of the spec are tests of these functions as much as of the services.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from remit.core.money import ZERO, RoundingPoint, quantize

HUNDRED = Decimal(100)


# --- terms ------------------------------------------------------------------------------------

def due_date(invoice_date: date, method: str, days: int) -> date:
    """net: invoice date + N days; end_of_month: last day of the invoice's month + N days;
    on_receipt: the invoice date."""
    if method == "net":
        return invoice_date + timedelta(days=days)
    if method == "end_of_month":
        last = calendar.monthrange(invoice_date.year, invoice_date.month)[1]
        return invoice_date.replace(day=last) + timedelta(days=days)
    if method == "on_receipt":
        return invoice_date
    raise ValueError(f"unknown payment terms method {method!r}")


@dataclass(frozen=True)
class DiscountPeriod:
    until: date
    percent: Decimal


def discount_dates(invoice_date: date, periods: Sequence[tuple[int, Decimal]]) -> list[DiscountPeriod]:
    """(days, percent) terms → dated periods, earliest (best) first."""
    return sorted((DiscountPeriod(invoice_date + timedelta(days=d), p) for d, p in periods),
                  key=lambda x: x.until)


def discount_rate(periods: Sequence[DiscountPeriod], on: date, use: str = "normal") -> Decimal:
    """The percent valid on a payment date: the first period whose date has not passed.
    'always' takes the first period's percent whatever the date; 'never' takes none."""
    if use == "never" or not periods:
        return ZERO
    ordered = sorted(periods, key=lambda x: x.until)
    if use == "always":
        return ordered[0].percent
    for period in ordered:
        if on <= period.until:
            return period.percent
    return ZERO


# --- statements -------------------------------------------------------------------------------

STATEMENT_BUCKETS = [("Not due", None, 0), ("1–30 days", 1, 30), ("31–60 days", 31, 60),
                     ("61–90 days", 61, 90), ("Over 90 days", 91, None)]


def statement_bucket(due: date, as_of: date) -> int:
    """Which column of a statement's aging summary an item falls in, by days past due."""
    overdue = (as_of - due).days
    for i, (_, low, high) in enumerate(STATEMENT_BUCKETS):
        if (low is None or overdue >= low) and (high is None or overdue <= high):
            return i
    return len(STATEMENT_BUCKETS) - 1


# --- invoices ---------------------------------------------------------------------------------

def line_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    return quantize(quantity * unit_price, currency, RoundingPoint.DOCUMENT)


def line_tax(amount: Decimal, rate_percent: Decimal, currency: str) -> Decimal:
    return quantize(amount * rate_percent / HUNDRED, currency, RoundingPoint.TAX)


# --- settlement -------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenItem:
    """What the plan needs to know of an open item. Amounts are signed: invoices positive,
    credit notes and payments negative."""

    key: object
    kind: str
    document_date: date
    due_date: date
    amount: Decimal
    open: Decimal
    discount_taken: Decimal = ZERO
    periods: tuple[DiscountPeriod, ...] = ()

    @property
    def is_debit(self) -> bool:
        return self.amount > 0


@dataclass(frozen=True)
class Mark:
    item: OpenItem
    amount_to_settle: Decimal | None = None  # signed; None = everything open
    use_cash_discount: str = "normal"


@dataclass(frozen=True)
class Tolerances:
    """In the transaction currency (the service converts the accounting-currency limits)."""

    penny: Decimal = ZERO
    over_under: Decimal = ZERO


@dataclass(frozen=True)
class Policy:
    discount_on_partial: bool = True
    discount_on_credit_notes: bool = True
    specific_discount: bool = True
    full_settlement: bool = False
    order: str = "oldest_first"  # or "due_date" (automatic settlement)


@dataclass(frozen=True)
class ItemSettlement:
    key: object
    settle: Decimal          # signed: how much of the item's open amount is closed
    discount: Decimal = ZERO  # signed, part of settle
    write_off: Decimal = ZERO  # signed, part of settle
    write_off_kind: str = ""

    @property
    def cash(self) -> Decimal:
        return self.settle - self.discount - self.write_off


@dataclass
class Plan:
    items: list[ItemSettlement] = field(default_factory=list)
    payment_used: Decimal = ZERO       # positive: money from the payment applied to items
    payment_write_off: Decimal = ZERO  # signed like the payment's settle: negative written off
    payment_write_off_kind: str = ""

    @property
    def payment_settle(self) -> Decimal:
        """How much of the payment item (negative) this plan closes."""
        return -self.payment_used + self.payment_write_off


def _full_discount(item: OpenItem, rate: Decimal, currency: str) -> Decimal:
    """The discount still to take if the item is settled completely: rate × amount, less what
    earlier partial payments already took (signed like the item, never the other way)."""
    if rate == 0:
        return ZERO
    left = quantize(item.amount * rate / HUNDRED, currency, RoundingPoint.DISCOUNT) \
        - item.discount_taken
    left = max(left, ZERO) if item.is_debit else min(left, ZERO)
    return _cap(left, item.open)  # a discount never closes more than is open


def discount_available(item: OpenItem, on: date, currency: str) -> Decimal:
    """The discount still to take if the item is settled completely on ``on`` (signed like the
    item: a credit note's discount is negative)."""
    return _full_discount(item, discount_rate(item.periods, on), currency)


def _partial_discount(cash: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Discount on a partial payment: paid ÷ (1 − d) × d (signed like ``cash``)."""
    d = rate / HUNDRED
    return quantize(cash / (1 - d) * d, currency, RoundingPoint.DISCOUNT)


def _cap(discount: Decimal, limit: Decimal) -> Decimal:
    """|discount| ≤ |limit| (both signed like the item; a zero limit allows nothing)."""
    return limit if abs(discount) > abs(limit) else discount


def _tie(key) -> tuple:
    """Ties broken by the item's key in its own order: ids as numbers (as text, 100 would
    come before 99), other keys as text."""
    return (0, key, "") if isinstance(key, int) else (1, 0, str(key))


def _order(marks: Sequence[Mark], on: date, policy: Policy) -> list[Mark]:
    if policy.order == "due_date":
        return sorted(marks, key=lambda m: (m.item.due_date, m.item.document_date,
                                            _tie(m.item.key)))
    # oldest first; on the same date the better discount first
    return sorted(marks, key=lambda m: (m.item.document_date,
                                        -discount_rate(m.item.periods, on, m.use_cash_discount),
                                        m.item.due_date, _tie(m.item.key)))


def _rate(mark: Mark, on: date, policy: Policy, payment: Decimal = ZERO) -> Decimal:
    if not policy.discount_on_credit_notes and (not mark.item.is_debit or payment <= 0):
        # neither side of a credit note settlement gets a discount the other does not give
        return ZERO
    return discount_rate(mark.item.periods, on, mark.use_cash_discount)


def _target(mark: Mark) -> Decimal:
    """How much of the item to close: what the mark says, never more than is open."""
    wanted = mark.amount_to_settle if mark.amount_to_settle is not None else mark.item.open
    return min(wanted, mark.item.open) if mark.item.is_debit else max(wanted, mark.item.open)


def _discount_for(mark: Mark, target: Decimal, rate: Decimal, currency: str,
                  policy: Policy) -> Decimal:
    remaining = _full_discount(mark.item, rate, currency)
    if target == mark.item.open:
        return remaining
    if rate and policy.discount_on_partial:
        return _cap(quantize(target * rate / HUNDRED, currency, RoundingPoint.DISCOUNT),
                    remaining)
    return ZERO


def _from_cash(mark: Mark, cash: Decimal, rate: Decimal, currency: str,
               policy: Policy) -> ItemSettlement:
    """Settle part of an item with this much money (signed like the item)."""
    discount = ZERO
    if rate and policy.discount_on_partial:
        discount = _cap(_partial_discount(cash, rate, currency),
                        _full_discount(mark.item, rate, currency))
    settle = cash + discount
    target = _target(mark)
    if abs(settle) > abs(target):
        settle, discount = target, target - cash
    return ItemSettlement(mark.item.key, settle, discount)


def plan_settlement(*, payment: Decimal, on: date, marks: Sequence[Mark], currency: str,
                    tolerances: Tolerances = Tolerances(), policy: Policy = Policy()) -> Plan:
    """Apply ``payment`` (money received, positive; zero when a credit note pays) to the marked
    items on date ``on``.

    Credit notes are applied first, adding their net value to what is available; then invoices
    in the policy's order, each in full while the money lasts, the last one partly, with the
    partial discount paid ÷ (1 − d) × d. Money left over goes back to the credit notes first
    (a credit note is never used beyond what the invoices need), then stays with the payment:
    written off when within the tolerances (penny difference first, then over/underpayment),
    else left open as a credit. A shortfall on the last invoice is written off the same way, or
    in full under full settlement; otherwise it stays open."""
    plan = Plan()
    available = payment
    credits = [m for m in marks if not m.item.is_debit]
    debits = _order([m for m in marks if m.item.is_debit], on, policy)
    rates = {}

    for mark in credits:
        target = _target(mark)
        if target == 0:
            continue
        rates[mark.item.key] = rate = _rate(mark, on, policy)
        discount = _discount_for(mark, target, rate, currency, policy)
        plan.items.append(ItemSettlement(mark.item.key, target, discount))
        available -= target - discount

    last_partial = None
    for mark in debits:
        if available <= 0:
            break
        target = _target(mark)
        if target <= 0:
            continue
        rate = _rate(mark, on, policy, payment)
        discount = _discount_for(mark, target, rate, currency, policy)
        if available >= target - discount:
            plan.items.append(ItemSettlement(mark.item.key, target, discount))
            available -= target - discount
            continue
        partial = _from_cash(mark, available, rate, currency, policy)
        plan.items.append(partial)
        last_partial = (len(plan.items) - 1, target - partial.settle)
        available = ZERO

    credit_cash = -sum((i.cash for i in plan.items if i.key in rates), ZERO)
    if available > 0 and credit_cash > 0:  # leftovers go back to the credit notes first
        back = min(available, credit_cash)
        _give_back_to_credit_notes(plan, back, credits, rates, currency, policy)
        available -= back
    plan.payment_used = max(payment - available, ZERO)
    if payment > 0 and available > 0:
        _overpayment(plan, available, tolerances, policy)
    elif last_partial is not None and (payment > 0 or policy.full_settlement):
        # tolerances settle differences in money received; a credit note alone closes
        # only what it covers (unless the user asked for full settlement)
        _underpayment(plan, *last_partial, tolerances, policy)
    return plan


def _give_back_to_credit_notes(plan: Plan, excess: Decimal, credits: Sequence[Mark],
                               rates: dict, currency: str, policy: Policy) -> None:
    by_key = {m.item.key: m for m in credits}
    for i in range(len(plan.items) - 1, -1, -1):
        item = plan.items[i]
        if excess <= 0 or item.key not in by_key:
            continue
        cash = item.cash + min(excess, -item.cash)  # toward zero
        excess -= cash - item.cash
        if cash == 0:
            plan.items.pop(i)
        else:
            plan.items[i] = _from_cash(by_key[item.key], cash, rates[item.key], currency, policy)


def _overpayment(plan: Plan, left: Decimal, tolerances: Tolerances, policy: Policy) -> None:
    if not policy.specific_discount:
        # unspecific administration: an overpayment first reduces the discount taken
        for i in range(len(plan.items) - 1, -1, -1):
            item = plan.items[i]
            if left <= 0:
                break
            if item.discount > 0:
                back = min(item.discount, left)
                plan.items[i] = replace(item, discount=item.discount - back)
                left -= back
                plan.payment_used += back
    if left <= 0:
        return
    if left <= tolerances.penny:
        plan.payment_write_off_kind = "penny"
    elif left <= tolerances.over_under:
        plan.payment_write_off_kind = "over_under"
    else:
        return  # stays on the customer's account as an open credit
    plan.payment_write_off = -left  # the payment closes in full; the extra is written off


def _underpayment(plan: Plan, index: int, shortfall: Decimal, tolerances: Tolerances,
                  policy: Policy) -> None:
    if shortfall <= 0:
        return
    if policy.full_settlement:
        kind = "full_settlement"
    elif shortfall <= tolerances.penny:
        kind = "penny"
    elif shortfall <= tolerances.over_under:
        kind = "over_under"
    else:
        return  # the rest stays open on the invoice
    item = plan.items[index]
    plan.items[index] = replace(item, settle=item.settle + shortfall, write_off=shortfall,
                                write_off_kind=kind)


def plan_is_consistent(plan: Plan, payment: Decimal) -> bool:
    """Money in equals items closed: Σ cash over the items is the payment used, and no more
    than was paid is used (a self-check the services make before posting)."""
    return (sum((i.cash for i in plan.items), ZERO) == plan.payment_used
            and ZERO <= plan.payment_used <= max(payment, ZERO))
