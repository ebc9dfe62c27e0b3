"""A bounced payment (NSF, not sufficient funds): the payment is cancelled — its settlements
undone so the invoices it paid are open again, its voucher reversed (receivable back, bank
out), and a bounced-payment item settled against it — and the bank's NSF fee, when it has one,
is charged to the customer as a new open item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.money import ZERO, Money, RoundingPoint, quantize
from remit.core.selectors import exchange_rate_on
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import journal_entry_post, journal_entry_reverse

from ..models import CustomerTransaction, Settlement, SettlementKind, TransactionKind
from .customers import customers_lock
from .payments import PAYMENT_SOURCE
from .settlement import items_lock, settlement_record, settlement_undo

NSF_SOURCE = "receivables.nsf"


@dataclass(frozen=True)
class Bounced:
    reversal: CustomerTransaction
    fee: CustomerTransaction | None
    reopened: list[str]


def nsf_problem(payment: CustomerTransaction) -> str | None:
    """Why this item cannot be registered as bounced (None: it can): only a payment posted
    through a payment journal with a bank account, and only once."""
    if payment.kind != TransactionKind.PAYMENT:
        return f"{payment} is not a payment"
    if payment.payment_line_id is None or payment.payment_line.bank_account_id is None:
        return f"{payment} was not received through a payment journal with a bank account"
    if CustomerTransaction.objects.filter(reverses=payment).exists():
        return f"{payment} is already registered as bounced"
    return None


@transaction.atomic
def payment_bounce(*, payment: CustomerTransaction, on: date, actor: Actor,
                   reason: str = "") -> Bounced:
    """Register ``payment`` as bounced on date ``on``."""
    actor.require("receivables.register_nsf")
    customer = payment.customer
    customers_lock([customer.pk])
    settlements = list(Settlement.objects.filter(lines__item=payment, reversed_on__isnull=True)
                       .distinct().order_by("-settled_on", "-pk"))
    # every item the bounce touches, locked at once and in key order, before any posting
    items = items_lock([payment.pk] + [line.item_id for s in settlements
                                       for line in s.lines.all()])
    payment = items[payment.pk]
    if problem := nsf_problem(payment):
        raise RuleViolation(problem, code="not_bounceable")
    if any(s.kind == SettlementKind.WRITE_OFF for s in settlements):
        raise RuleViolation(f"{payment} was netted in a write-off; undo the write-off first "
                            "(that needs the right to write off)", code="written_off")
    if on < payment.document_date:
        raise InvalidInput.field("on", f"must be on or after the payment date "
                                 f"{payment.document_date}")
    text = f"NSF {payment.document_number}" + (f": {reason.strip()}" if reason.strip() else "")
    reopened = []
    for settlement in settlements:
        reopened += [line.item.document_number for line in
                     settlement.lines.select_related("item").exclude(item=payment)]
        settlement_undo(settlement=settlement, on=on, reason=text, actor=actor)
    payment.refresh_from_db()
    bank = payment.payment_line.bank_account
    reversal_entry = journal_entry_reverse(entry=payment.journal_entry, reversal_date=on,
                                           reason=text, actor=actor, owner=PAYMENT_SOURCE)
    reversal = CustomerTransaction.objects.create(
        legal_entity=payment.legal_entity, customer=customer,
        kind=TransactionKind.PAYMENT_REVERSAL, document_number=reversal_entry.number,
        document_date=on, due_date=on, currency=payment.currency, amount=-payment.amount,
        amount_acc=-payment.amount_acc, receivable_account=payment.receivable_account,
        journal_entry=reversal_entry, reverses=payment, description=text[:255])
    rows = items_lock([payment.pk, reversal.pk])
    settlement_record(customer=customer, on=on, kind=SettlementKind.NSF,
                      currency=payment.currency, actor=actor, comment=text[:255],
                      changes=[(rows[payment.pk], rows[payment.pk].open_amount, ZERO, ZERO, ""),
                               (rows[reversal.pk], rows[reversal.pk].open_amount, ZERO, ZERO,
                                "")])
    fee = _charge_fee(payment, bank, on, actor) if bank.nsf_fee else None
    audit_record(actor=actor, action="receivables.payment.nsf", obj=payment,
                 data={"customer": customer.account_number, "payment": payment.document_number,
                       "reversal": reversal.document_number, "reopened": reopened,
                       "fee": fee.amount if fee else None})
    return Bounced(reversal, fee, reopened)


def _charge_fee(payment, bank, on, actor) -> CustomerTransaction:
    """The bank's NSF fee as a charge to the customer (receivable / fee income), in the
    customer's currency, in the bank account's NSF journal."""
    customer = payment.customer
    legal_entity = customer.legal_entity
    amount = bank.nsf_fee
    if bank.currency != customer.currency:
        amount = quantize(amount * exchange_rate_on(bank.currency, customer.currency, on),
                          customer.currency, RoundingPoint.DOCUMENT)
    fee = Money(amount, customer.currency)
    journal = bank.nsf_journal or journal_for_type(legal_entity, JournalType.CUSTOMER_PAYMENT)
    text = f"NSF fee {payment.document_number}"
    entry = journal_entry_post(
        legal_entity=legal_entity, journal=journal, entry_date=on,
        description=f"{text} {customer.account_number} {customer.name}"[:255],
        lines=[PostingLine(payment.receivable_account, fee, f"{customer.account_number} {text}"),
               PostingLine(account_for_role(legal_entity, AccountRole.FEE_INCOME), -fee, text)],
        actor=actor, source=NSF_SOURCE)
    line = entry.lines.get(line_no=1)
    return CustomerTransaction.objects.create(
        legal_entity=legal_entity, customer=customer, kind=TransactionKind.FEE,
        document_number=entry.number, document_date=on, due_date=on, currency=fee.currency,
        amount=fee.amount, amount_acc=line.debit_acc - line.credit_acc,
        receivable_account=payment.receivable_account, journal_entry=entry,
        description=text)
