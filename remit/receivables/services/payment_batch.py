"""Payments registered in a batch — the demo's two years of money received, the bank
statements to come — by the rules ``payment_register`` posts one by: the same checks of a
payment line (``_check_line``), the same voucher (bank against the customer's receivable), a
payment item numbered by its voucher, and each payment settled against its marked items by
``settlement_changes`` (the plan, the legal entity's tolerances and discounts, items closed
meanwhile skipped so no money is refused) with the voucher ``voucher.voucher_lines`` makes.
Payments are settled in the order given, each seeing what the ones before it closed. Then the
writing is set-based: one update per number sequence, one insert per table, one audit record.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.bulk import Table, take_ids
from remit.core.exceptions import DomainError, InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.core.selectors import RateBook
from remit.core.sequences import sequence_next_block
from remit.ledger.bulk import EntrySpec, entries_prepare, entries_write
from remit.ledger.models import JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_for_role, journal_for_type

from .. import voucher
from ..models import (
    BankAccount,
    CustomerTransaction,
    JournalStatus,
    PaymentJournal,
    PaymentLine,
    PaymentMark,
    SettlementKind,
    TransactionKind,
)
from .batch_rows import NewItem, NewSettlement, items_save_state, items_write, settlements_write
from .customers import ProfileLines, customers_lock
from .payments import PAYMENT_SOURCE, PaymentSpec, _check_line
from .settlement import (
    SETTLEMENT_SOURCE,
    MarkSpec,
    _refuse_duplicates,
    items_lock,
    settle_date,
    settlement_changes,
)
from .setup import parameters_for

JOURNAL_COLUMNS = ("legal_entity_id", "number", "description", "status", "created_at",
                   "created_by_id", "posted_at")
LINE_COLUMNS = ("journal_id", "line_no", "customer_id", "payment_date", "amount", "currency",
                "method", "bank_account_id", "reference", "full_settlement", "document_number")


class _Journal:  # what _check_line reads of a payment journal
    def __init__(self, legal_entity_id: int):
        self.legal_entity_id = legal_entity_id


def payments_register_batch(*, legal_entity: LegalEntity, payments: Sequence[PaymentSpec],
                            actor: Actor) -> list[NewItem]:
    """Register and settle every payment (each its own one-line journal, as
    ``payment_register`` makes it), or none. Returns the payment items."""
    actor.require("receivables.add_paymentjournal")
    actor.require("receivables.post_paymentjournal")
    if not payments:
        return []
    with transaction.atomic():
        return _register(legal_entity, payments, actor)


def _register(entity: LegalEntity, payments: Sequence[PaymentSpec], actor: Actor):
    default_bank = BankAccount.objects.filter(legal_entity=entity, is_active=True).order_by(
        "code").select_related("account").first()
    customers_lock({p.customer.pk for p in payments})  # customers, then items: one lock order
    rows = items_lock([m.item.pk for p in payments for m in p.marks])
    journal = _Journal(entity.pk)
    profiles = ProfileLines(entity)
    cp = journal_for_type(entity, JournalType.CUSTOMER_PAYMENT)
    specs, banks = [], []
    for i, p in enumerate(payments):
        bank = p.bank_account or default_bank
        if bank is None:
            raise RuleViolation(f"{entity.code} has no active bank account",
                                code="bank_account_missing")
        try:  # against the items as they are now (locked), not as the caller read them
            _refuse_duplicates(p.marks, None)
            gone = [m.item for m in p.marks if m.item.pk not in rows]
            if gone:
                raise InvalidInput.field("marks", f"{gone[0]} does not exist")
            _check_line(journal, p.customer, p.amount, bank, p.method,
                        [MarkSpec(rows[m.item.pk]) for m in p.marks])
        except DomainError as exc:
            raise type(exc)(f"payment {i + 1}: {exc.message}", code=exc.code,
                            errors=[(("payments", i, *loc), m) for loc, m in exc.errors]) \
                from None
        banks.append(bank)
        label = f"{PaymentLine(method=p.method).get_method_display()} {p.reference}".strip()
        specs.append(EntrySpec(
            journal=cp, entry_date=p.payment_date, source=PAYMENT_SOURCE,
            description=f"Payment {p.customer.account_number} {p.customer.name}"[:255],
            lines=[PostingLine(bank.account, p.amount, label),
                   PostingLine(profiles.receivable_account_for(p.customer), -p.amount,
                               f"{p.customer.account_number} payment")]))
    dates = [p.payment_date for p in payments]
    rates = RateBook({p.amount.currency for p in payments}, entity.accounting_currency,
                     between=(min(dates), max(dates)) if dates else None)
    prepared = entries_prepare(entity, specs, rates.rate)
    items = []
    for p, spec, entry in zip(payments, specs, prepared):
        items.append(NewItem(
            customer_id=p.customer.pk, kind=TransactionKind.PAYMENT,
            document_date=p.payment_date, due_date=p.payment_date,
            currency=p.amount.currency, amount=-p.amount.amount,
            amount_acc=entry.lines[1].amount_acc, receivable_account=spec.lines[1].account,
            description=p.reference.strip()[:100]))
    for item, pk in zip(items, take_ids(CustomerTransaction, len(items))):
        item.pk = pk
    settlements, vouchers, owners, touched = _settle(entity, payments, items, rows, rates)
    prepared += entries_prepare(entity, vouchers, rates.rate, offset=len(prepared))
    posted = entries_write(legal_entity=entity, prepared=prepared, actor=actor)
    for item, entry in zip(items, posted):
        item.journal_entry_id, item.document_number = entry.pk, entry.number
    for settlement, entry in zip(owners, posted[len(items):]):
        settlement.journal_entry_id = entry.pk
    _write(entity, payments, banks, items, actor)
    settlements_write(entity, settlements, actor)
    items_save_state(touched.values())
    audit_record(actor=actor, action="receivables.payment.register_batch", legal_entity=entity,
                 data={"payments": len(items), "first": posted[0].number,
                       "last": posted[len(items) - 1].number,
                       "settlements": len(settlements)})
    return items


def _settle(entity, payments, items, rows, rates):
    """Each payment against its marks, in order, on the in-memory state of the items."""
    params = parameters_for(entity)
    accounting = entity.accounting_currency
    settlements, vouchers, owners, touched = [], [], [], {}
    journal, accounts = None, {}  # read once for the batch, when first needed

    def account_for(role):
        if role not in accounts:
            accounts[role] = account_for_role(entity, role)
        return accounts[role]

    for p, payment in zip(payments, items):
        marks = [m for m in p.marks if rows[m.item.pk].is_open]  # closed meanwhile: skipped
        if not marks:
            continue
        on = settle_date([rows[m.item.pk] for m in marks], p.payment_date)
        state = {m.item.pk: rows[m.item.pk] for m in marks}
        state[payment.pk] = payment
        changes = settlement_changes(
            customer=p.customer, on=on, rows=state, marks=marks, payment=payment,
            params=params, full_settlement=p.full_settlement,
            tolerances=lambda currency, on=on: voucher.tolerances(
                params, rates.rate(currency, on), currency))
        if not changes:
            continue
        currency = p.amount.currency
        lines = voucher.voucher_lines(changes, currency=currency, accounting=accounting,
                                      account_for=account_for)
        settlement = NewSettlement(p.customer.pk, on, SettlementKind.PAYMENT)
        its_lines = []
        for row, delta, discount, write_off, kind in changes:
            share = voucher.delta_acc(row, delta, accounting)
            its_lines.append((row, delta, share, discount, write_off, kind))
            voucher.apply_change(row, delta, share, discount, on)
            if row is not payment:
                touched[row.pk] = row
        settlements.append((settlement, its_lines))
        if lines:
            journal = journal or journal_for_type(entity, JournalType.CUSTOMER_PAYMENT)
            vouchers.append(EntrySpec(
                journal=journal, entry_date=on,
                source=SETTLEMENT_SOURCE, lines=lines,
                description=f"Settlement {p.customer.account_number} {p.customer.name}"[:255],
                rates=voucher.voucher_rates(changes, currency, accounting)))
            owners.append(settlement)
    return settlements, vouchers, owners, touched


def _write(entity, payments, banks, items, actor) -> None:
    now = timezone.now()
    user = actor.user.pk if actor.user is not None else None
    numbers = sequence_next_block(entity, "payment_journal", len(payments))
    journals, lines = Table(PaymentJournal, JOURNAL_COLUMNS), Table(PaymentLine, LINE_COLUMNS)
    marks = Table(PaymentMark, ("line_id", "item_id", "amount_to_settle", "use_cash_discount"))
    mark_ids = iter(marks.ids(sum(len(p.marks) for p in payments)))
    for journal_pk, line_pk, p, bank, item, (_, number) in zip(
            journals.ids(len(payments)), lines.ids(len(payments)), payments, banks, items,
            numbers):
        journals.add((journal_pk, entity.pk, number, f"Payment from {p.customer.name}"[:255],
                      JournalStatus.POSTED, now, user, now))
        lines.add((line_pk, journal_pk, 1, p.customer.pk, p.payment_date, p.amount.amount,
                   p.amount.currency, p.method, bank.pk, p.reference.strip()[:100],
                   p.full_settlement, item.document_number))
        for m in p.marks:
            marks.add((next(mark_ids), line_pk, m.item.pk, m.amount_to_settle,
                       m.use_cash_discount))
        item.payment_line_id = line_pk
    journals.write()
    lines.write()
    marks.write()
    items_write(entity, items)

