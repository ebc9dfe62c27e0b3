"""Two years of receivables history with believable payment behaviour, for the demo company.

Each customer gets a *behaviour* — punctual, takes discounts, chronically late, seasonal,
deteriorating, disputing, pays in instalments, or a bad debt — that decides when (and how much)
it pays each invoice. All customers' invoices, credit notes and payments of a legal entity go
through remit's own services in one date order, so numbers follow dates and the open items left
on the as-of date have the aging, discounts, credit notes and exchange differences a real
company's would. Shaky payers now and then bounce a payment (NSF: the invoice reopens, the bank's
fee is charged, they pay again later); bad debts that stopped paying long ago are written off
and blocked. Integer arithmetic only; the same seed gives the same history.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from remit.core.actor import Actor
from remit.core.money import Money
from remit.receivables.models import (
    Customer,
    CustomerStatus,
    CustomerTransaction,
    InvoiceKind,
    SalesTaxCode,
    WriteOffReason,
)
from remit.receivables.selectors import discount_offer
from remit.receivables.services import (
    DEFAULT_TAX,
    LineSpec,
    MarkSpec,
    customer_update,
    customer_write_off,
    invoice_issue,
    payment_bounce,
    payment_register,
)

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
SHAKY = {"bad_debt", "very_late", "instalments", "deteriorating"}  # their payments may bounce
BOUNCE_PERCENT = 4
WRITE_OFF_AFTER_DAYS = 300  # a bad debt is written off this long after it stopped paying
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
    if profile.behaviour == "seasonal" and invoice_date.month in (6, 7, 12):
        offset += rng.randint(15, 40)
    if profile.behaviour == "deteriorating":
        progress = (invoice_date - start).days * 100 // max((as_of - start).days, 1)
        offset += progress * rng.randint(30, 60) // 100
    return offset


class History:
    """One legal entity's history as a queue of dated events, processed in date order."""

    def __init__(self, rng: random.Random, start: date, as_of: date, actor: Actor):
        self.rng, self.start, self.as_of, self.actor = rng, start, as_of, actor
        self.queue: list = []
        self.order = itertools.count()
        self.invoices = self.payments = self.bounced = self.written_off = 0
        self.blocked: set[int] = set()

    def push(self, on: date, kind: str, *payload) -> None:
        if on <= self.as_of:
            heapq.heappush(self.queue, (on, next(self.order), kind, payload))

    def schedule(self, customer: Customer, profile: Profile) -> int:
        per_year = INVOICES_PER_YEAR.get(customer.group.code, 5)
        day = self.start + timedelta(days=self.rng.randint(0, 40))
        count = 0
        while day <= self.as_of:
            self.push(day, "invoice", customer, profile)
            count += 1
            day += timedelta(days=max(3, 365 // per_year + self.rng.randint(-12, 12)))
        if profile.behaviour == "bad_debt":
            self.push(profile.stop_after + timedelta(days=WRITE_OFF_AFTER_DAYS), "write_off",
                      customer)
        return count

    def run(self, step: Callable[[str, int], None], label: str) -> None:
        while self.queue:
            on, _, kind, payload = heapq.heappop(self.queue)
            if kind == "invoice":
                self._invoice(on, *payload)
                step(label, 1)
            elif kind == "credit":
                self._credit(on, *payload)
            elif kind == "nsf":
                self._bounce(on, *payload)
            elif kind == "write_off":
                self._write_off(on, *payload)
            else:
                self._pay(on, *payload)

    def _invoice(self, on: date, customer: Customer, profile: Profile) -> None:
        if customer.pk in self.blocked:
            return
        rng = self.rng
        group = customer.group.code
        lines = []
        for description, low, high in rng.sample(LINES[group], k=rng.randint(1, len(LINES[group]))):
            amount = Decimal(rng.randint(low, high))
            if customer.currency in ("EUR", "USD", "GBP"):
                amount = (amount / 10).quantize(Decimal(1))
            lines.append(LineSpec(description, amount, tax_code=DEFAULT_TAX if group != "FOR"
                                  else SalesTaxCode.objects.get(
                                      legal_entity=customer.legal_entity, code="Z")))
        invoice = invoice_issue(customer=customer, invoice_date=on, lines=lines,
                                attributes={"channel": profile.channel}, actor=self.actor)
        item = invoice.transactions.get()
        self.invoices += 1
        offset = pay_offset(rng, profile, on, self.start, self.as_of)
        if offset is None:
            return
        dates = list(item.discount_dates.all())
        if profile.behaviour == "discount_taker" and dates:
            pay_day = dates[0].until - timedelta(days=rng.randint(0, 3))
        else:
            pay_day = item.due_date + timedelta(days=offset)
        if profile.behaviour == "disputing" and rng.randint(1, 100) <= 25:
            CustomerTransaction.objects.filter(pk=item.pk).update(
                attributes={**item.attributes, "dispute": "yes"})
            if rng.randint(1, 100) <= 50:
                self.push(on + timedelta(days=rng.randint(5, 25)), "credit", item,
                          Decimal(rng.choice([10, 20, 25, 50])))
            pay_day += timedelta(days=rng.randint(20, 70))
        parts = rng.choice([2, 3]) if profile.behaviour == "instalments" else 1
        self.push(pay_day, "pay", item, parts, profile.behaviour in SHAKY)

    def _credit(self, on: date, item: CustomerTransaction, share: Decimal) -> None:
        """An agreed reduction on a disputed invoice: a credit note applied to it."""
        item.refresh_from_db()
        amount = (item.invoice.net_amount * share / 100).quantize(Decimal("0.01"))
        if not item.is_open or amount <= 0:
            return
        invoice_issue(customer=item.customer, invoice_date=on, kind=InvoiceKind.CREDIT_NOTE,
                      original=item.invoice, reason="disputed: partial credit",
                      lines=[LineSpec("Agreed reduction", amount,
                                      tax_code=item.invoice.lines.first().tax_code)],
                      actor=self.actor)

    def _pay(self, on: date, item: CustomerTransaction, parts: int, shaky: bool = False) -> None:
        rng = self.rng
        item.refresh_from_db()
        if not item.is_open:
            return
        if parts > 1:
            amount = (item.open_amount / parts).quantize(Decimal("1"))
            self.push(on + timedelta(days=rng.randint(20, 40)), "pay", item, parts - 1, shaky)
        else:
            amount = discount_offer(item, on)[1]
            if rng.randint(1, 100) <= 3:  # a slip: a few units short or over
                amount += Decimal(rng.randint(-3, 3))
        if amount <= 0:
            return
        payment = payment_register(customer=item.customer, payment_date=on,
                                   amount=Money(amount, item.currency), marks=[MarkSpec(item)],
                                   reference=f"Invoice {item.document_number}",
                                   actor=self.actor)
        self.payments += 1
        if shaky and rng.randint(1, 100) <= BOUNCE_PERCENT:
            self.push(on + timedelta(days=rng.randint(3, 8)), "nsf", payment, item)

    def _bounce(self, on: date, payment: CustomerTransaction, item: CustomerTransaction) -> None:
        """The bank returns the payment; the customer pays again a few weeks later (and that
        one clears)."""
        payment_bounce(payment=payment, on=on, reason="insufficient funds", actor=self.actor)
        self.bounced += 1
        self.push(on + timedelta(days=self.rng.randint(10, 30)), "pay", item, 1, False)

    def _write_off(self, on: date, customer: Customer) -> None:
        """A bad debt that stopped paying long ago: written off and blocked."""
        if not CustomerTransaction.objects.filter(customer=customer, is_open=True).exists():
            return
        customer_write_off(customer=customer, on=on, comment="stopped paying; sent to agency",
                           reason=WriteOffReason.objects.get(legal_entity=customer.legal_entity,
                                                             code="BADDEBT"),
                           actor=self.actor)
        customer_update(customer=customer, status=CustomerStatus.BLOCKED, actor=self.actor)
        self.blocked.add(customer.pk)
        self.written_off += 1
