"""Customer payments: journals of money received, each line posted to the bank and the
customer's receivable as a payment item, then settled against the items it was marked for
(or, with automatic settlement on, against the oldest due)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from remit.core import config
from remit.core.actor import Actor
from remit.core.audit import audit_record, audit_together
from remit.core.config import config_scope
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.inserts import insert
from remit.core.models import LegalEntity
from remit.core.money import Money
from remit.core.sequences import sequence_next_by_code
from remit.ledger.models import JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import journal_for_type
from remit.ledger.services import journal_entry_post

from ..models import (
    BankAccount,
    Customer,
    CustomerTransaction,
    JournalStatus,
    PaymentJournal,
    PaymentLine,
    PaymentMark,
    PaymentMethod,
    SettlementKind,
    TransactionKind,
)
from .batch_rows import SAVED_STATE
from .customers import customers_lock, receivable_account_for
from .settlement import MarkSpec, settle_automatically, settle_date, settle_held
from .setup import parameters_read

PAYMENT_SOURCE = "receivables.payment"


@transaction.atomic
def payment_journal_create(*, legal_entity: LegalEntity, description: str = "",
                           actor: Actor) -> PaymentJournal:
    actor.require("receivables.add_paymentjournal")
    _, number = sequence_next_by_code(legal_entity, "payment_journal")
    journal = PaymentJournal.objects.create(legal_entity=legal_entity, number=number,
                                            description=description.strip()[:255],
                                            created_by=actor.user)
    audit_record(actor=actor, action="receivables.payment_journal.create", obj=journal)
    return journal


@transaction.atomic
def payment_line_add(*, journal: PaymentJournal, customer: Customer, payment_date: date,
                     amount: Money, bank_account: BankAccount,
                     method: str = PaymentMethod.BANK_TRANSFER, reference: str = "",
                     marks: Sequence[MarkSpec] = (), full_settlement: bool = False,
                     actor: Actor) -> PaymentLine:
    actor.require("receivables.add_paymentjournal")
    locked = PaymentJournal.objects.select_for_update().get(pk=journal.pk)
    if locked.status != JournalStatus.DRAFT:
        raise RuleViolation(f"{locked} is posted", code="journal_posted")
    _check_line(locked, customer, amount, bank_account, method, marks)
    line = PaymentLine.objects.create(
        journal=locked, line_no=locked.lines.count() + 1, customer=customer,
        payment_date=payment_date, amount=amount.amount, currency=amount.currency,
        method=method, bank_account=bank_account, reference=reference.strip()[:100],
        full_settlement=full_settlement)
    PaymentMark.objects.bulk_create(
        PaymentMark(line=line, item=m.item, amount_to_settle=m.amount_to_settle,
                    use_cash_discount=m.use_cash_discount) for m in marks)
    return line


def _check_line(journal, customer, amount, bank_account, method, marks) -> None:
    if customer.legal_entity_id != journal.legal_entity_id:
        raise InvalidInput.field("customer", "belongs to another legal entity")
    if bank_account.legal_entity_id != journal.legal_entity_id or not bank_account.is_active:
        raise InvalidInput.field("bank_account", f"{bank_account.code} is not an active bank "
                                 "account of this legal entity")
    if amount.currency != customer.currency:
        raise InvalidInput.field("amount", f"{customer} pays in {customer.currency}, "
                                 f"not {amount.currency}")
    if amount.amount <= 0 or amount.amount != amount.rounded_amount():
        raise InvalidInput.field("amount", f"a positive amount in {amount.currency} with at most "
                                 f"{amount.decimals} decimals")
    if method not in PaymentMethod.values:
        raise InvalidInput.field("method", f"choose one of {', '.join(PaymentMethod.values)}")
    for i, mark in enumerate(marks):
        if mark.item.customer_id != customer.pk or not mark.item.is_open:
            raise InvalidInput.field(("marks", i), f"{mark.item} is not an open item of "
                                     f"{customer}")


@transaction.atomic
def payment_journal_post(*, journal: PaymentJournal, actor: Actor) -> list[CustomerTransaction]:
    """Post every line: one voucher each (bank against receivable), a payment item, and its
    settlement. All lines or none."""
    actor.require("receivables.post_paymentjournal")
    locked = PaymentJournal.objects.select_for_update().get(pk=journal.pk)
    if locked.status != JournalStatus.DRAFT:
        raise RuleViolation(f"{locked} is already posted", code="journal_posted")
    lines = list(locked.lines.select_related("customer__legal_entity", "bank_account__account")
                 .prefetch_related("marks__item").order_by("line_no"))
    if not lines:
        raise InvalidInput.field("lines", "the journal has no lines")
    with config_scope(), audit_together():
        customers_lock([line.customer_id for line in lines])
        items = [_post_line(line, actor, [MarkSpec(m.item, m.amount_to_settle,
                                                   m.use_cash_discount)
                                          for m in line.marks.all()]) for line in lines]
        locked.status = JournalStatus.POSTED
        locked.posted_at = timezone.now()
        locked.save(update_fields=["status", "posted_at"])
        audit_record(actor=actor, action="receivables.payment_journal.post", obj=locked,
                     data={"lines": len(lines), "vouchers": [i.document_number for i in items]})
    return items


def _post_line(line: PaymentLine, actor: Actor, marks: Sequence[MarkSpec]) -> CustomerTransaction:
    """Post one line; the caller holds the lock of its customer."""
    customer = line.customer
    legal_entity = customer.legal_entity
    receivable = receivable_account_for(customer)
    amount = Money(line.amount, line.currency)
    entry = journal_entry_post(
        legal_entity=legal_entity,
        journal=journal_for_type(legal_entity, JournalType.CUSTOMER_PAYMENT),
        entry_date=line.payment_date,
        description=f"Payment {customer.account_number} {customer.name}"[:255],
        lines=[PostingLine(line.bank_account.account, amount,
                           f"{line.get_method_display()} {line.reference}".strip()),
               PostingLine(receivable, -amount, f"{customer.account_number} payment")],
        actor=actor, source=PAYMENT_SOURCE)
    credit = entry.built_lines[1]  # the receivable line
    line.document_number = entry.number
    if line.pk is None:  # a payment registered at once: its line is written with its voucher
        insert([line])
        insert([PaymentMark(line=line, item=m.item, amount_to_settle=m.amount_to_settle,
                            use_cash_discount=m.use_cash_discount) for m in marks])
    else:
        line.save(update_fields=["document_number"])
    item = CustomerTransaction(
        legal_entity=legal_entity, customer=customer, kind=TransactionKind.PAYMENT,
        document_number=entry.number, document_date=line.payment_date,
        due_date=line.payment_date, currency=line.currency, amount=-line.amount,
        amount_acc=credit.debit_acc - credit.credit_acc, receivable_account=receivable,
        journal_entry=entry, payment_line=line, description=line.reference)
    insert([item])
    if marks:
        # items settled by someone else meanwhile are skipped: the money stays open, never lost
        on = settle_date([m.item for m in marks], line.payment_date)
        _, rows = settle_held(customer=customer, on=on, payment=item, marks=marks,
                              kind=SettlementKind.PAYMENT, full_settlement=line.full_settlement,
                              actor=actor, skip_settled=True)
        if item.pk in rows:  # its state as the settlement left it, without reading it again
            for column in SAVED_STATE:
                setattr(item, column, getattr(rows[item.pk], column))
    elif parameters_read(legal_entity).automatic_settlement:
        settle_automatically(customer=customer, on=line.payment_date, actor=actor, credit=item)
        item.refresh_from_db()
    return item


@dataclass(frozen=True)
class PaymentSpec:
    customer: Customer
    payment_date: date
    amount: Money
    bank_account: BankAccount
    method: str = PaymentMethod.BANK_TRANSFER
    reference: str = ""
    marks: Sequence[MarkSpec] = ()
    full_settlement: bool = False


@transaction.atomic
def payment_journal_enter(*, legal_entity: LegalEntity, description: str,
                          payments: Sequence[PaymentSpec], actor: Actor) -> PaymentJournal:
    """A whole journal (say, one bank statement's payments) entered and posted as one use
    case: every line posts, or nothing does and no draft is left behind."""
    if not payments:
        raise InvalidInput.field("lines", "a journal needs at least one line")
    journal = payment_journal_create(legal_entity=legal_entity, description=description,
                                     actor=actor)
    for i, p in enumerate(payments):
        try:
            payment_line_add(journal=journal, customer=p.customer, payment_date=p.payment_date,
                             amount=p.amount, bank_account=p.bank_account, method=p.method,
                             reference=p.reference, marks=p.marks,
                             full_settlement=p.full_settlement, actor=actor)
        except InvalidInput as exc:
            raise InvalidInput(f"line {i + 1}: {exc.message}", code=exc.code,
                               errors=[(("lines", i, *loc), m) for loc, m in exc.errors]) \
                from None
    payment_journal_post(journal=journal, actor=actor)
    journal.refresh_from_db()
    return journal


@transaction.atomic
def payment_register(*, customer: Customer, payment_date: date, amount: Money,
                     bank_account: BankAccount | None = None,
                     method: str = PaymentMethod.BANK_TRANSFER, reference: str = "",
                     marks: Sequence[MarkSpec] = (), full_settlement: bool = False,
                     actor: Actor) -> CustomerTransaction:
    """One payment received and posted at once (a one-line journal), settled against the
    marked items."""
    actor.require("receivables.add_paymentjournal")
    actor.require("receivables.post_paymentjournal")
    legal_entity = customer.legal_entity
    with config_scope(), audit_together():
        customers_lock([customer.pk])  # the query also tells the config stamp
        if bank_account is None:
            bank_account = config.cached(
                ("receivables.bank", legal_entity.pk),
                lambda: BankAccount.objects.filter(legal_entity=legal_entity, is_active=True)
                .select_related("account").order_by("code").first())
            if bank_account is None:
                raise RuleViolation(f"{legal_entity.code} has no active bank account",
                                    code="bank_account_missing")
        return _register(customer, legal_entity, payment_date, amount, bank_account, method,
                         reference, marks, full_settlement, actor)


def _register(customer, legal_entity, payment_date, amount, bank_account, method, reference,
              marks, full_settlement, actor) -> CustomerTransaction:
    _, number = sequence_next_by_code(legal_entity, "payment_journal")
    # one use case, all or nothing: the journal is written posted, its line with its voucher
    journal = PaymentJournal(legal_entity=legal_entity, number=number,
                             description=f"Payment from {customer.name}"[:255],
                             created_by=actor.user, status=JournalStatus.POSTED,
                             posted_at=timezone.now())
    _check_line(journal, customer, amount, bank_account, method, marks)
    insert([journal])
    line = PaymentLine(
        journal=journal, line_no=1, customer=customer, payment_date=payment_date,
        amount=amount.amount, currency=amount.currency, method=method,
        bank_account=bank_account, reference=reference.strip()[:100],
        full_settlement=full_settlement)
    item = _post_line(line, actor, marks)
    audit_record(actor=actor, action="receivables.payment.register", obj=item,
                 legal_entity=legal_entity,
                 data={"customer": customer.account_number, "amount": amount.amount,
                       "currency": amount.currency, "journal": number,
                       "marked": [m.item.document_number for m in marks]})
    return item
