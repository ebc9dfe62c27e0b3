"""Two years of receivables history with believable payment behaviour, for the demo company.

Each customer gets a *behaviour* — punctual, takes discounts, chronically late, seasonal,
deteriorating, disputing, pays in instalments, or a bad debt — that decides when (and how much)
it pays each invoice. Invoices and payments go through remit's own services in date order, so
the open items left on the as-of date have the aging, discounts, credit notes and exchange
differences a real company's would. Integer arithmetic only; the same seed gives the same
history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from remit.core.actor import Actor
from remit.core.money import Money
from remit.receivables.models import Customer, CustomerTransaction, InvoiceKind
from remit.receivables.services import LineSpec, MarkSpec, invoice_issue, payment_register

BEHAVIOURS = [
    # name, weight (per 100), days paid relative to due (low, high)
    ("punctual", 34, (-8, 2)),
    ("discount_taker", 12, (0, 0)),   # pays inside the discount period
    ("chronic_late", 15, (12, 45)),
    ("seasonal", 8, (-3, 5)),         # late in summer and over Christmas
    ("deteriorating", 8, (-5, 5)),    # later and later, then stops
    ("disputing", 7, (0, 20)),        # some invoices disputed, credited or paid very late
    ("instalments", 8, (0, 15)),      # pays in two or three parts
    ("bad_debt", 3, (20, 60)),        # pays for a while, then never
    ("very_late", 5, (45, 110)),
]
LINES = {
    "KEY": [("Framework agreement, monthly", 40_000, 120_000), ("Project delivery", 20_000, 90_000)],
    "PUB": [("Maintenance contract", 8_000, 40_000), ("Consulting hours", 5_000, 30_000)],
    "FOR": [("Export delivery", 1_500, 9_000), ("Freight", 200, 1_200)],
    "DOM": [("Delivery", 1_000, 18_000), ("Installation", 800, 9_000),
            ("Service call", 600, 3_500)],
}
INVOICES_PER_YEAR = {"KEY": 12, "PUB": 6, "FOR": 5, "DOM": 4}
CHANNELS = ["web", "phone", "partner", "field sales"]


@dataclass
class Profile:
    behaviour: str
    low: int
    high: int
    channel: str
    stop_after: date | None = None  # bad debts and the deteriorating stop paying


def profile_for(rng: random.Random, start: date, as_of: date) -> Profile:
    roll = rng.randint(1, sum(w for _, w, _ in BEHAVIOURS))
    for name, weight, (low, high) in BEHAVIOURS:
        roll -= weight
        if roll <= 0:
            break
    stop = None
    if name == "bad_debt":
        stop = start + timedelta(days=rng.randint(250, 600))
    elif name == "deteriorating":
        stop = as_of - timedelta(days=rng.randint(20, 90))
    return Profile(name, low, high, rng.choice(CHANNELS), stop)


def pay_offset(rng: random.Random, profile: Profile, invoice_date: date, start: date,
               as_of: date) -> int | None:
    """Days after the due date the customer pays; None when it never pays."""
    if profile.stop_after and invoice_date >= profile.stop_after:
        return None
    offset = rng.randint(profile.low, profile.high)
    if profile.behaviour == "seasonal" and (invoice_date.month in (6, 7) or
                                            invoice_date.month == 12):
        offset += rng.randint(15, 40)
    if profile.behaviour == "deteriorating":
        progress = (invoice_date - start).days * 100 // max((as_of - start).days, 1)
        offset += progress * rng.randint(30, 60) // 100
    return offset


def history_for_customer(rng: random.Random, customer: Customer, profile: Profile,
                         start: date, as_of: date, actor: Actor) -> tuple[int, int]:
    """Invoices and payments for one customer, in date order. Returns (invoices, payments)."""
    group = customer.group.code
    per_year = INVOICES_PER_YEAR.get(group, 5)
    taxed = group != "FOR"
    events = []  # (date, kind, payload)
    day = start + timedelta(days=rng.randint(0, 40))
    while day <= as_of:
        events.append((day, "invoice", None))
        day += timedelta(days=max(3, 365 // per_year + rng.randint(-12, 12)))
    invoices = payments = 0
    open_by_number: dict[str, CustomerTransaction] = {}
    pending: list[tuple[date, str, int]] = []  # (pay date, invoice number, parts)
    events.sort(key=lambda e: e[0])
    for invoice_day, _, _ in events:
        payments += _pay_due(rng, customer, pending, open_by_number, invoice_day, actor)
        item = _invoice(rng, customer, invoice_day, group, taxed, profile, actor)
        invoices += 1
        offset = pay_offset(rng, profile, invoice_day, start, as_of)
        if offset is None:
            continue
        if profile.behaviour == "discount_taker" and item.discount_dates.exists():
            pay_day = item.discount_dates.first().until - timedelta(days=rng.randint(0, 3))
        else:
            pay_day = item.due_date + timedelta(days=offset)
        if profile.behaviour == "disputing" and rng.randint(1, 100) <= 25:
            _dispute(rng, customer, item, actor)
            pay_day += timedelta(days=rng.randint(20, 70))
        parts = rng.choice([2, 3]) if profile.behaviour == "instalments" else 1
        open_by_number[item.document_number] = item
        pending.append((pay_day, item.document_number, parts))
    payments += _pay_due(rng, customer, pending, open_by_number, as_of, actor)
    return invoices, payments


def _invoice(rng, customer, on, group, taxed, profile, actor) -> CustomerTransaction:
    lines = []
    for description, low, high in rng.sample(LINES[group], k=rng.randint(1, len(LINES[group]))):
        amount = Decimal(rng.randint(low, high))
        if customer.currency in ("EUR", "USD", "GBP"):
            amount = (amount / 10).quantize(Decimal(1))
        lines.append(LineSpec(description, amount,
                              tax_code=None if taxed else _zero_tax(customer)))
    invoice = invoice_issue(customer=customer, invoice_date=on, lines=lines,
                            attributes={"channel": profile.channel}, actor=actor)
    return invoice.transactions.get()


def _zero_tax(customer):
    from remit.receivables.models import SalesTaxCode

    return SalesTaxCode.objects.get(legal_entity=customer.legal_entity, code="Z")


def _dispute(rng, customer, item, actor) -> None:
    """The customer disputes the invoice; sometimes it gets a partial credit note."""
    CustomerTransaction.objects.filter(pk=item.pk).update(
        attributes={**item.attributes, "dispute": "yes"})
    if rng.randint(1, 100) <= 50:
        share = Decimal(rng.choice([10, 20, 25, 50]))
        amount = (item.invoice.net_amount * share / 100).quantize(Decimal("0.01"))
        if amount > 0:
            invoice_issue(
                customer=customer, invoice_date=item.document_date + timedelta(
                    days=rng.randint(5, 25)), kind=InvoiceKind.CREDIT_NOTE,
                original=item.invoice, reason="disputed: partial credit",
                lines=[LineSpec("Agreed reduction", amount,
                                tax_code=item.invoice.lines.first().tax_code)],
                actor=actor)


def _pay_due(rng, customer, pending, open_by_number, until: date, actor) -> int:
    """Pay, in date order, what falls due for payment up to ``until``."""
    made = 0
    pending.sort()
    while pending and pending[0][0] <= until:
        pay_day, number, parts = pending.pop(0)
        item = open_by_number.get(number)
        if item is None:
            continue
        item.refresh_from_db()
        if not item.is_open:
            open_by_number.pop(number, None)
            continue
        if parts > 1:
            amount = (item.open_amount / parts).quantize(Decimal("1"))
            pending.append((pay_day + timedelta(days=rng.randint(20, 40)), number, parts - 1))
        else:
            amount = _amount_with_discount(item, pay_day)
            if rng.randint(1, 100) <= 3:  # a rounding slip: a few units short or over
                amount += Decimal(rng.randint(-3, 3))
        if amount <= 0:
            continue
        payment_register(customer=customer, payment_date=pay_day,
                         amount=Money(amount, customer.currency), marks=[MarkSpec(item)],
                         reference=f"Invoice {number}", actor=actor)
        made += 1
        pending.sort()
    return made


def _amount_with_discount(item: CustomerTransaction, on: date) -> Decimal:
    from remit.receivables.selectors import discount_offer

    return discount_offer(item, on)[1]
