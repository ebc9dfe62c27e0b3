"""Invoice history at the speed of the database: a batch of invoices and credit notes, with
what was paid or refunded of each, posted set-based — the same entries, open items and
settlements, by the same rules, as posting them one at a time.

Each document posts receivable against the migration account (the opening-balance account) on
its date. What was settled of it posts as a payment (or, for a credit note, a refund) on the
settled date, settled against the document by ``rules.plan_settlement`` with the legal
entity's tolerances, its voucher from ``voucher.voucher_lines`` (a realized exchange
difference when the rate moved). Accounts come from the posting profile by
``ProfileLines`` (the per-customer rule), rates from a ``RateBook`` (the ``exchange_rate_on``
rule). The difference is only in the writing: every entry of the batch is numbered and
inserted at once, every item, settlement and settlement line with one insert per table.

A document already in remit is left as it is; a settled amount that grew since the last
import posts just the difference (whatever settled it in remit counts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput
from remit.core.models import LegalEntity
from remit.core.money import ZERO, Money
from remit.core.selectors import RateBook
from remit.ledger.bulk import EntrySpec, entries_prepare, entries_write
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_for_role, journal_for_type

from . import rules, voucher
from .models import (
    Customer,
    CustomerTransaction,
    DiscountAdministration,
    SettlementKind,
    SettlementLine,
    TransactionKind,
)
from .services.batch_rows import (
    NewItem,
    NewSettlement,
    items_save_state,
    items_write,
    settlements_write,
)
from .services.customers import ProfileLines, customers_lock
from .services.settlement import SETTLEMENT_SOURCE, items_lock
from .services.setup import parameters_for

IMPORT_SOURCE = "receivables.import"
PAYMENT_SUFFIX = "-PAY"
MAX_NUMBER = 40 - len(PAYMENT_SUFFIX) - 2  # room for '-PAY99'


@dataclass(frozen=True)
class HistoryDoc:
    """One document of the history as the file tells it. ``amount`` is signed (a credit note
    negative); ``settled`` and ``open`` are what the file says was paid (refunded) and is still
    open, as positive amounts, None when it does not say."""

    line: int
    customer: Customer
    number: str
    document_date: date
    due_date: date
    amount: Decimal
    currency: str
    settled_on: date | None = None
    settled: Decimal | None = None
    open: Decimal | None = None
    description: str = ""
    attributes: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return TransactionKind.INVOICE if self.amount > 0 else TransactionKind.CREDIT_NOTE

    @property
    def sign(self) -> int:
        return 1 if self.amount > 0 else -1

    @property
    def settled_total(self) -> Decimal:
        """What the file says was settled in all (positive)."""
        if self.settled is not None:
            return self.settled
        if self.open is not None:
            return abs(self.amount) - self.open
        return abs(self.amount) if self.settled_on is not None else ZERO


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class History:
    """What posting a legal entity's history needs, read once: accounts, journals, rules'
    parameters, exchange rates."""

    def __init__(self, legal_entity: LegalEntity, currencies: Sequence[str] = ()):
        self.legal_entity = legal_entity
        self.accounting = legal_entity.accounting_currency
        self.profiles = ProfileLines(legal_entity)
        self.counter = account_for_role(legal_entity, AccountRole.OPENING_BALANCE)
        self.sales = journal_for_type(legal_entity, JournalType.SALES)
        self.payments = journal_for_type(legal_entity, JournalType.CUSTOMER_PAYMENT)
        self.params = parameters_for(legal_entity)
        self.policy = rules.Policy(
            discount_on_partial=self.params.discount_on_partial_payments,
            discount_on_credit_notes=self.params.discount_on_credit_notes,
            specific_discount=(self.params.discount_administration
                               == DiscountAdministration.SPECIFIC))
        self.rates = RateBook(set(currencies) | {self.accounting}, self.accounting)
        self._roles: dict[str, object] = {}

    def currencies(self, codes) -> None:
        """Make sure the rate book knows these currencies (read again if one is new)."""
        if set(codes) - self.rates.currencies:
            self.rates = RateBook(set(codes) | self.rates.currencies, self.accounting)

    def account_for(self, role: str):
        if role not in self._roles:
            self._roles[role] = account_for_role(self.legal_entity, role)
        return self._roles[role]

    def tolerances(self, currency: str, on: date) -> rules.Tolerances:
        return voucher.tolerances(self.params, self.rates.rate(currency, on), currency)


def settle_plan(history: History, item, delta: Decimal, on: date, doc: HistoryDoc,
                payment) -> list[voucher.Change]:
    """The changes settling ``delta`` of the document against its payment (or refund), as
    ``settle`` makes them: an invoice marked against the payment, without cash discount; a
    credit note marked together with its refund."""
    currency = doc.currency
    open_item = rules.OpenItem(key=0, kind=item.kind, document_date=item.document_date,
                               due_date=item.due_date, amount=item.amount,
                               open=item.amount - item.settled_amount,
                               discount_taken=item.discount_taken)
    tolerances = history.tolerances(currency, on)
    if doc.open is not None and doc.open > 0:
        tolerances = rules.Tolerances()  # the file says the rest is still open
    if doc.sign > 0:
        plan = rules.plan_settlement(payment=delta, on=on, currency=currency,
                                     marks=[rules.Mark(open_item, None, "never")],
                                     tolerances=tolerances, policy=history.policy)
        changes = [(item, i.settle, i.discount, i.write_off, i.write_off_kind)
                   for i in plan.items]
        if plan.payment_settle != 0:
            changes.append((payment, plan.payment_settle, ZERO, plan.payment_write_off,
                            plan.payment_write_off_kind))
        return changes
    refund = rules.OpenItem(key=1, kind=payment.kind, document_date=payment.document_date,
                            due_date=payment.due_date, amount=payment.amount,
                            open=payment.amount)
    plan = rules.plan_settlement(payment=ZERO, on=on, currency=currency, policy=history.policy,
                                 marks=[rules.Mark(open_item, None, "never"),
                                        rules.Mark(refund, None, "never")],
                                 tolerances=tolerances)
    rows = {0: item, 1: payment}
    return [(rows[i.key], i.settle, i.discount, i.write_off, i.write_off_kind)
            for i in plan.items]


def history_post(*, history: History, docs: Sequence[HistoryDoc], actor: Actor) -> Outcome:
    """Post a batch of history documents inside the caller's transaction. A document refused
    by a rule raises ``InvalidInput`` naming its line; nothing of the batch is then written."""
    if not connection.in_atomic_block:
        raise RuntimeError("history is posted inside the caller's transaction")
    entity = history.legal_entity
    history.currencies({d.currency for d in docs})
    outcome = Outcome()
    existing = _existing(entity, docs)
    specs: list[EntrySpec] = []
    owners: list[tuple[object, int]] = []  # (item or settlement, doc index) per spec
    new_items: list[NewItem] = []
    changed: list[CustomerTransaction] = []
    settlements: list[tuple[NewSettlement, list[tuple]]] = []
    payment_numbers = _payment_numbers(entity, docs, existing)
    items: dict[int, object] = {}  # doc index → its open item (new or locked)
    for i, doc in enumerate(docs):
        item = existing.get((doc.kind, doc.number))
        if item is None:
            item = _new_item(history, doc)
            new_items.append(item)
            specs.append(_document_entry(history, doc, item))
            owners.append((item, i))
        elif item.amount != doc.amount or item.customer_id != doc.customer.pk:
            raise InvalidInput.field(
                "amount", f"line {doc.line}: {doc.number} was imported as {item.amount} for "
                f"customer {item.customer.account_number}; the file now says {doc.amount} for "
                f"{doc.customer.account_number}. Correct it in remit (credit note) rather "
                "than by re-importing")
        items[i] = item
        already = getattr(item, "paid_so_far", ZERO)
        wanted = doc.settled_total
        problem = more_paid_problem(doc, item, already)
        if problem:
            raise InvalidInput.field("settled_amount", f"line {doc.line}: {problem}")
        if wanted == already or doc.settled_on is None:
            if item.pk:
                outcome.unchanged += 1
            else:
                outcome.created += 1
            continue
        payment = _new_payment(history, doc, item, wanted - already,
                               payment_numbers[doc.number])
        new_items.append(payment)
        specs.append(_payment_entry(history, doc, payment))
        owners.append((payment, i))
        if item.pk:
            changed.append(item)
            outcome.updated += 1
        else:
            outcome.created += 1
    prepared = entries_prepare(entity, specs, history.rates.rate)
    for (owner, _), entry in zip(owners, prepared):
        owner.amount_acc = entry.lines[0].amount_acc
    vouchers = []
    for owner, i in list(owners):
        if owner.kind != TransactionKind.PAYMENT:
            continue
        settlement, lines, spec = _settle(history, docs[i], items[i], owner, actor)
        settlements.append((settlement, lines))
        if spec is not None:
            vouchers.append(spec)
            owners.append((settlement, i))
    prepared += entries_prepare(entity, vouchers, history.rates.rate, offset=len(prepared))
    entries = entries_write(legal_entity=entity, prepared=prepared, actor=actor)
    for (owner, _), entry in zip(owners, entries):
        owner.journal_entry_id = entry.pk
    _write(history, new_items, settlements, actor)
    items_save_state(changed)
    audit_record(actor=actor, action="receivables.history.post", legal_entity=entity,
                 data={"documents": len(docs), "created": outcome.created,
                       "updated": outcome.updated, "unchanged": outcome.unchanged,
                       "entries": len(entries), "settlements": len(settlements)})
    return outcome


def _write(history: History, new_items: list[NewItem], settlements: list, actor: Actor) -> None:
    """The chunk's new open items, settlements and settlement lines: one insert per table."""
    items_write(history.legal_entity, new_items)
    settlements_write(history.legal_entity, settlements, actor)


def _existing(entity: LegalEntity, docs: Sequence[HistoryDoc]) -> dict:
    numbers = defaultdict(list)
    for doc in docs:
        numbers[doc.kind].append(doc.number)
    found = {}
    for kind, batch in numbers.items():
        for row in (CustomerTransaction.objects.filter(legal_entity=entity, kind=kind,
                                                       document_number__in=batch)
                    .select_related("customer", "receivable_account")):
            found[(kind, row.document_number)] = row
    if found:  # their settled amounts may change: lock them in the one lock order
        customers_lock({row.customer_id for row in found.values()})
        locked = items_lock([row.pk for row in found.values()])
        paid = paid_so_far(locked.values())
        for key, row in list(found.items()):
            fresh = locked[row.pk]
            fresh.customer = row.customer
            fresh.paid_so_far = paid[fresh.pk]
            found[key] = fresh
    return found


def paid_so_far(items) -> dict[int, Decimal]:
    """What was paid (refunded) of each item so far, as a positive amount: what settled it,
    less what was written off (penny differences, over/underpayments) and taken as cash
    discount — the figure an export's paid column holds."""
    items = list(items)
    written = defaultdict(lambda: ZERO)
    for item_id, write_off in SettlementLine.objects.filter(
            item_id__in=[i.pk for i in items], settlement__reversed_on__isnull=True).exclude(
            write_off=0).values_list("item_id", "write_off"):
        written[item_id] += write_off
    return {i.pk: abs(i.settled_amount - written[i.pk] - i.discount_taken) for i in items}


def more_paid_problem(doc: HistoryDoc, item, already: Decimal) -> str:
    """Why the file's settled figure cannot be brought in over what remit has, or ''."""
    wanted = doc.settled_total
    if wanted < already:
        return (f"{already} of {doc.number} is already paid in remit, more than the file's "
                f"{wanted}; unsettle it in remit if a payment was cancelled")
    if wanted > already and doc.settled_on is not None and not item.is_open:
        return (f"{doc.number} is already closed in remit (paid {already}); the file says "
                f"{wanted} was paid")
    return ""


def _payment_numbers(entity: LegalEntity, docs: Sequence[HistoryDoc], existing) -> dict:
    """The number of each paid document's next payment: '<number>-PAY', then '-PAY2', ...
    after the ones already there."""
    candidates = {}
    for doc in docs:
        if doc.settled_on is None:
            continue
        base = f"{doc.number}{PAYMENT_SUFFIX}"
        candidates[base] = doc.number
        if (doc.kind, doc.number) in existing:
            for k in range(2, 10):
                candidates[f"{base}{k}"] = doc.number
    taken: dict[str, int] = defaultdict(int)
    names = list(candidates)
    for start in range(0, len(names), 900):
        for number in CustomerTransaction.objects.filter(
                legal_entity=entity, kind=TransactionKind.PAYMENT,
                document_number__in=names[start:start + 900]).values_list(
                "document_number", flat=True):
            document = candidates[number]
            rest = number[len(document) + len(PAYMENT_SUFFIX):]
            taken[document] = max(taken[document], int(rest or 1))
    return {doc.number: f"{doc.number}{PAYMENT_SUFFIX}"
            + (str(taken[doc.number] + 1) if taken[doc.number] else "")
            for doc in docs if doc.settled_on is not None}


def _new_item(history: History, doc: HistoryDoc) -> NewItem:
    return NewItem(customer_id=doc.customer.pk, kind=doc.kind, document_number=doc.number,
                   document_date=doc.document_date, due_date=doc.due_date,
                   currency=doc.currency, amount=doc.amount,
                   receivable_account=history.profiles.receivable_account_for(doc.customer),
                   description=doc.description[:255], attributes=dict(doc.attributes))


def _document_entry(history: History, doc: HistoryDoc, item) -> EntrySpec:
    amount = Money(doc.amount, doc.currency)
    label = doc.kind.replace("_", " ")
    return EntrySpec(
        journal=history.sales, entry_date=doc.document_date, source=IMPORT_SOURCE,
        description=f"Imported {label} {doc.number} {doc.customer.name}"[:255],
        lines=[PostingLine(item.receivable_account, amount,
                           f"{doc.customer.account_number} {doc.number}"),
               PostingLine(history.counter, -amount, f"migration {doc.number}")])


def _new_payment(history: History, doc: HistoryDoc, item, amount: Decimal,
                 number: str) -> NewItem:
    """The payment (refund, for a credit note): signed against the document."""
    return NewItem(customer_id=doc.customer.pk, kind=TransactionKind.PAYMENT,
                   document_number=number, document_date=doc.settled_on,
                   due_date=doc.settled_on, currency=doc.currency, amount=-doc.sign * amount,
                   receivable_account=item.receivable_account,
                   description=f"payment of {doc.number}")


def _payment_entry(history: History, doc: HistoryDoc, payment) -> EntrySpec:
    paid = Money(-payment.amount, doc.currency)
    return EntrySpec(
        journal=history.payments, entry_date=doc.settled_on, source=IMPORT_SOURCE,
        description=f"Imported payment for {doc.number} {doc.customer.name}"[:255],
        lines=[PostingLine(payment.receivable_account, -paid,
                           f"{doc.customer.account_number} {doc.number}"),
               PostingLine(history.counter, paid, f"migration {doc.number}")])


def _settle(history: History, doc: HistoryDoc, item, payment, actor: Actor):
    """The settlement of the document against its payment: its lines, the items' new state,
    and the voucher's entry when there is one."""
    on = max(doc.settled_on, item.document_date)
    changes = settle_plan(history, item, -payment.amount * doc.sign, on, doc, payment)
    if doc.open is not None:
        left = abs(item.amount - item.settled_amount
                   - sum((d for row, d, *_ in changes if row is item), ZERO))
        if left != doc.open:
            raise InvalidInput.field(
                "open_amount", f"line {doc.line}: {doc.number} would have {left} open after "
                f"{abs(payment.amount)} settled, not the file's {doc.open} (more than the "
                "penny and over/underpayment limits apart)")
    lines_spec = voucher.voucher_lines(changes, currency=doc.currency,
                                       accounting=history.accounting,
                                       account_for=history.account_for)
    spec = None
    if lines_spec:
        spec = EntrySpec(journal=history.payments, entry_date=on, source=SETTLEMENT_SOURCE,
                         description=f"Settlement {doc.customer.account_number} "
                                     f"{doc.customer.name}"[:255],
                         lines=lines_spec,
                         rates=voucher.voucher_rates(changes, doc.currency, history.accounting))
    settlement = NewSettlement(doc.customer.pk, on, SettlementKind.IMPORT)
    lines = []
    for row, delta, discount, write_off, write_off_kind in changes:
        share = voucher.delta_acc(row, delta, history.accounting)
        lines.append((row, delta, share, discount, write_off, write_off_kind))
        voucher.apply_change(row, delta, share, discount, on)
    return settlement, lines, spec
