"""Opening balances: open items carried over from a previous system."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput
from remit.core.money import Money
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import journal_entry_post

from ..models import Customer, CustomerTransaction, TransactionKind
from .customers import receivable_account_for

OPENING_BALANCE_SOURCE = "receivables.opening_balance"


@transaction.atomic
def opening_balance_post(*, customer: Customer, document_number: str, document_date: date,
                         due_date: date, amount: Money, actor: Actor) -> CustomerTransaction:
    """An open item carried over from a previous system: receivable against opening-balance
    equity, and an open customer transaction, in one transaction."""
    actor.require("receivables.post_openingbalance")
    legal_entity = customer.legal_entity
    if amount.currency != customer.currency:
        raise InvalidInput.field("amount", f"{customer} is invoiced in {customer.currency}, "
                                 f"not {amount.currency}")
    if amount.is_zero():
        raise InvalidInput.field("amount", "an opening balance cannot be zero")
    if due_date < document_date:
        raise InvalidInput.field("due_date", "cannot be before the document date")
    if not document_number.strip():
        raise InvalidInput.field("document_number", "required")
    if CustomerTransaction.objects.filter(legal_entity=legal_entity,
                                          kind=TransactionKind.OPENING_BALANCE,
                                          document_number=document_number).exists():
        raise InvalidInput.field("document_number", f"{document_number} is already posted")
    receivable = receivable_account_for(customer)
    equity = account_for_role(legal_entity, AccountRole.OPENING_BALANCE)
    journal = journal_for_type(legal_entity, JournalType.OPENING)
    entry = journal_entry_post(
        legal_entity=legal_entity, journal=journal, entry_date=document_date,
        description=f"Opening balance {document_number} {customer.name}"[:255],
        lines=[PostingLine(receivable, amount, f"{customer.account_number} {document_number}"),
               PostingLine(equity, -amount, f"{customer.account_number} {document_number}")],
        actor=actor, source=OPENING_BALANCE_SOURCE,
    )
    line = entry.lines.get(account=receivable)
    try:
        item = CustomerTransaction.objects.create(
            legal_entity=legal_entity, customer=customer, kind=TransactionKind.OPENING_BALANCE,
            document_number=document_number, document_date=document_date, due_date=due_date,
            currency=amount.currency, amount=amount.amount,
            amount_acc=line.debit_acc - line.credit_acc, receivable_account=receivable,
            journal_entry=entry,
        )
    except IntegrityError:
        raise InvalidInput.field("document_number", f"{document_number} is already posted") from None
    audit_record(actor=actor, action="receivables.opening_balance.post", obj=item,
                 data={"customer": customer.account_number, "amount": amount.amount,
                       "currency": amount.currency, "entry": entry.number})
    return item

