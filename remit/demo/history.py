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
from remit.core.money import ZERO
from remit.receivables import rules
from remit.receivables.models import (
    CashDiscountTerms,
    Customer,
    CustomerStatus,
    CustomerTransaction,
    Invoice,
    InvoiceKind,
    PaymentTerms,
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
    parameters_for,
    payment_bounce,
)
from remit.receivables.services.invoice_batch import IssueSpec, invoices_issue_batch
from remit.receivables.services.invoices import _lines, _totals, due_date_for
from remit.receivables.services.payment_batch import payments_register_batch
from remit.receivables.services.payments import PaymentSpec

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


class Bill:
    """An invoice of the history: waiting in the batch, then posted (its open item's id)."""

    __slots__ = ("spec", "total", "due_date", "periods", "item_id", "pending_payments")


    def __init__(self, spec: IssueSpec, total: Decimal, due: date, periods: tuple):
        self.spec, self.total, self.due_date, self.periods = spec, total, due, periods
        self.item_id, self.pending_payments = None, 0


class Paid:
    """A payment of the history: waiting in the batch, then posted (its item)."""

    __slots__ = ("item",)

    def __init__(self):
        self.item = None


class History:
    """One legal entity's history as a queue of dated events, processed in date order."""

    def __init__(self, rng: random.Random, start: date, as_of: date, actor: Actor):
        self.rng, self.start, self.as_of, self.actor = rng, start, as_of, actor
        self.queue: list = []
        self.order = itertools.count()
        self.invoices = self.payments = self.bounced = self.written_off = 0
        self.blocked: set[int] = set()
        self.open_items: dict[int, CustomerTransaction] | None = None  # until the next posting
        self.bills: list[Bill] = []
        self.pays: list[tuple[PaymentSpec, Bill, Paid]] = []
        self.entity = None
        self.month = None

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
        if self.entity is None:
            self._setup(customer.legal_entity)
        return count

    def _setup(self, entity) -> None:
        """What deciding an invoice's total, due date and discount needs, read once."""
        from remit.ledger.models import AccountRole
        from remit.ledger.selectors import account_for_role

        self.entity = entity
        self.params = parameters_for(entity)
        self.revenue = account_for_role(entity, AccountRole.REVENUE)
        self.zero_tax = SalesTaxCode.objects.get(legal_entity=entity, code="Z")
        self.terms = {t.pk: t for t in PaymentTerms.objects.filter(legal_entity=entity)}
        self.discounts = {t.pk: [(p.days, p.percent) for p in t.periods.all()]
                          for t in CashDiscountTerms.objects.filter(legal_entity=entity)
                          .prefetch_related("periods")}

    def run(self, step: Callable[[str, int], None], label: str) -> None:
        while self.queue:
            on, _, kind, payload = heapq.heappop(self.queue)
            if (on.year, on.month) != self.month:  # a month at a time
                self.flush()
                self.month = (on.year, on.month)
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
        self.flush()

    def flush(self) -> None:
        """Post what is waiting: the invoices, then the payments (which may settle them)."""
        if self.bills or self.pays:
            self.open_items = None
        if self.bills:
            issued = invoices_issue_batch(legal_entity=self.entity, actor=self.actor,
                                          specs=[b.spec for b in self.bills])
            for bill, done in zip(self.bills, issued):
                bill.item_id = done.item.pk
            self.bills = []
        if self.pays:
            items = {i.pk: i for i in CustomerTransaction.objects.filter(
                pk__in=[bill.item_id for _, bill, _ in self.pays])}
            specs = [PaymentSpec(spec.customer, spec.payment_date, spec.amount, None,
                                 reference=f"Invoice {items[bill.item_id].document_number}",
                                 marks=[MarkSpec(items[bill.item_id])])
                     for spec, bill, _ in self.pays]
            made = payments_register_batch(legal_entity=self.entity, payments=specs,
                                           actor=self.actor)
            for (_, bill, paid), item in zip(self.pays, made):
                paid.item = item
                bill.pending_payments = 0
            self.pays = []

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
            lines.append(LineSpec(description, amount,
                                  tax_code=DEFAULT_TAX if group != "FOR" else self.zero_tax))
        bill = self._bill(customer, on, lines, {"channel": profile.channel})
        self.invoices += 1
        offset = pay_offset(rng, profile, on, self.start, self.as_of)
        if offset is None:
            return
        if profile.behaviour == "discount_taker" and bill.periods:
            pay_day = bill.periods[0].until - timedelta(days=rng.randint(0, 3))
        else:
            pay_day = bill.due_date + timedelta(days=offset)
        if profile.behaviour == "disputing" and rng.randint(1, 100) <= 25:
            bill.spec.attributes["dispute"] = "yes"
            if rng.randint(1, 100) <= 50:
                self.push(on + timedelta(days=rng.randint(5, 25)), "credit", bill,
                          Decimal(rng.choice([10, 20, 25, 50])))
            pay_day += timedelta(days=rng.randint(20, 70))
        parts = rng.choice([2, 3]) if profile.behaviour == "instalments" else 1
        self.push(pay_day, "pay", bill, parts, profile.behaviour in SHAKY)

    def _bill(self, customer: Customer, on: date, lines, attributes: dict) -> Bill:
        """The invoice as the batch will post it: its total, due date and discount periods,
        by the rules the batch uses."""
        spec = IssueSpec(customer, on, lines, attributes=attributes)
        draft = Invoice(legal_entity=self.entity, customer=customer, invoice_date=on,
                        currency=customer.currency)
        _totals(draft, _lines(draft, lines, default_tax=self.params.default_tax_code,
                              revenue=self.revenue))
        terms = self.terms.get(customer.payment_terms_id) or self.params.default_payment_terms
        periods = tuple(rules.discount_dates(on, self.discounts.get(
            customer.cash_discount_terms_id, [])))
        bill = Bill(spec, draft.total_amount, due_date_for(on, terms), periods)
        self.bills.append(bill)
        return bill

    def _item(self, bill: Bill) -> CustomerTransaction:
        """The bill's open item as the books have it now (after posting what waits)."""
        if bill.item_id is None:
            self.flush()
        return CustomerTransaction.objects.get(pk=bill.item_id)

    def _credit(self, on: date, bill: Bill, share: Decimal) -> None:
        """An agreed reduction on a disputed invoice: a credit note applied to it (what waits
        to post first when it could change the invoice)."""
        if bill.item_id is None or bill.pending_payments:
            self.flush()
        item = self._item(bill)
        amount = (item.invoice.net_amount * share / 100).quantize(Decimal("0.01"))
        if not item.is_open or amount <= 0:
            return
        self.open_items = None
        invoice_issue(customer=item.customer, invoice_date=on, kind=InvoiceKind.CREDIT_NOTE,
                      original=item.invoice, reason="disputed: partial credit",
                      lines=[LineSpec("Agreed reduction", amount,
                                      tax_code=item.invoice.lines.first().tax_code)],
                      actor=self.actor)

    def _pay(self, on: date, bill: Bill, parts: int, shaky: bool = False) -> None:
        rng = self.rng
        if bill.pending_payments:  # its state depends on a payment still waiting
            self.flush()
        if bill.item_id is None:  # still waiting to post: all of it open, nothing taken
            currency = bill.spec.customer.currency
            state = rules.OpenItem(0, "invoice", bill.spec.invoice_date, bill.due_date,
                                   bill.total, bill.total, ZERO, bill.periods)
            open_amount = bill.total
            offer = bill.total - rules.discount_available(state, on, currency)
        else:
            item = self._open_items().get(bill.item_id)
            if item is None:  # settled or credited in full
                return
            open_amount, currency = item.open_amount, item.currency
            offer = discount_offer(item, on)[1]
        if parts > 1:
            amount = (open_amount / parts).quantize(Decimal("1"))
            self.push(on + timedelta(days=rng.randint(20, 40)), "pay", bill, parts - 1, shaky)
        else:
            amount = offer
            if rng.randint(1, 100) <= 3:  # a slip: a few units short or over
                amount += Decimal(rng.randint(-3, 3))
        if amount <= 0:
            return
        paid = Paid()
        self.pays.append((PaymentSpec(bill.spec.customer, on, Money(amount, currency), None),
                          bill, paid))
        bill.pending_payments += 1
        self.payments += 1
        if shaky and rng.randint(1, 100) <= BOUNCE_PERCENT:
            self.push(on + timedelta(days=rng.randint(3, 8)), "nsf", paid, bill)

    def _open_items(self) -> dict[int, CustomerTransaction]:
        """The open items as the books have them since the last posting (read once then)."""
        if self.open_items is None:
            self.open_items = {i.pk: i for i in CustomerTransaction.objects.filter(
                legal_entity=self.entity, is_open=True).prefetch_related("discount_dates")}
        return self.open_items

    def _bounce(self, on: date, paid: Paid, bill: Bill) -> None:
        """The bank returns the payment; the customer pays again a few weeks later (and that
        one clears). What waits posts first when the payment or its invoice is among it."""
        if paid.item is None or bill.pending_payments:
            self.flush()
        payment = CustomerTransaction.objects.select_related("customer").get(pk=paid.item.pk)
        payment_bounce(payment=payment, on=on, reason="insufficient funds", actor=self.actor)
        self.open_items = None
        self.bounced += 1
        self.push(on + timedelta(days=self.rng.randint(10, 30)), "pay", bill, 1, False)

    def _write_off(self, on: date, customer: Customer) -> None:
        """A bad debt that stopped paying long ago: written off and blocked."""
        self.flush()
        if not CustomerTransaction.objects.filter(customer=customer, is_open=True).exists():
            return
        self.open_items = None
        customer_write_off(customer=customer, on=on, comment="stopped paying; sent to agency",
                           reason=WriteOffReason.objects.get(legal_entity=customer.legal_entity,
                                                             code="BADDEBT"),
                           actor=self.actor)
        customer_update(customer=customer, status=CustomerStatus.BLOCKED, actor=self.actor)
        self.blocked.add(customer.pk)
        self.written_off += 1
