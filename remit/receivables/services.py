"""Use cases that write the customer subledger's ground data and opening balances.

Every posting goes through ``remit.ledger.services.journal_entry_post`` in the same transaction
as the customer transaction it creates, so the subledger and the ledger move together.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.core.money import Money, is_currency
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import journal_entry_post

from .models import (
    Customer,
    CustomerGroup,
    CustomerStatus,
    CustomerTransaction,
    PostingProfile,
    PostingProfileLine,
    ProfileScope,
    TransactionKind,
)

OPENING_BALANCE_SOURCE = "receivables.opening_balance"


def receivables_setup_default(*, legal_entity: LegalEntity) -> PostingProfile:
    """A new legal entity gets one default posting profile: all customers → receivable."""
    profile, created = PostingProfile.objects.get_or_create(
        legal_entity=legal_entity, code="GEN",
        defaults={"name": "General", "is_default": True},
    )
    if created:
        PostingProfileLine.objects.create(
            profile=profile, scope=ProfileScope.ALL,
            receivable_account=account_for_role(legal_entity, AccountRole.RECEIVABLE),
        )
    return profile


@transaction.atomic
def customer_group_create(*, legal_entity: LegalEntity, code: str, name: str,
                          actor: Actor) -> CustomerGroup:
    actor.require("receivables.add_customergroup")
    try:
        with transaction.atomic():
            group = CustomerGroup.objects.create(legal_entity=legal_entity, code=code.strip(),
                                                 name=name.strip())
    except IntegrityError:
        raise InvalidInput.field("code", f"customer group {code} already exists") from None
    audit_record(actor=actor, action="receivables.customer_group.create", obj=group)
    return group


@transaction.atomic
def customer_create(*, legal_entity: LegalEntity, account_number: str, name: str,
                    group: CustomerGroup, currency: str | None = None,
                    customer_since: date | None = None, actor: Actor) -> Customer:
    actor.require("receivables.add_customer")
    currency = (currency or legal_entity.accounting_currency).strip().upper()
    account_number, name = account_number.strip(), name.strip()
    if not account_number:
        raise InvalidInput.field("account_number", "required")
    if not name:
        raise InvalidInput.field("name", "required")
    if group.legal_entity_id != legal_entity.pk:
        raise InvalidInput.field("group", f"{group.code} belongs to another legal entity")
    if not is_currency(currency):
        raise InvalidInput.field("currency", f"{currency!r} is not an active ISO 4217 code")
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                legal_entity=legal_entity, account_number=account_number, name=name,
                group=group, currency=currency, customer_since=customer_since,
                status=CustomerStatus.ACTIVE,
            )
    except IntegrityError:
        raise InvalidInput.field("account_number",
                                 f"customer {account_number} already exists") from None
    audit_record(actor=actor, action="receivables.customer.create", obj=customer)
    return customer


def receivable_account_for(customer: Customer, profile: PostingProfile | None = None):
    """The receivable account from the posting profile: customer line, else group, else all."""
    if profile is None:
        profile = PostingProfile.objects.filter(legal_entity=customer.legal_entity_id,
                                                is_default=True).first()
    if profile is None:
        raise RuleViolation(f"{customer.legal_entity.code} has no default posting profile",
                            code="posting_profile_missing")
    lines = profile.lines.select_related("receivable_account")
    line = (lines.filter(scope=ProfileScope.CUSTOMER, customer=customer).first()
            or lines.filter(scope=ProfileScope.GROUP, customer_group_id=customer.group_id).first()
            or lines.filter(scope=ProfileScope.ALL).first())
    if line is None:
        raise RuleViolation(f"posting profile {profile.code} has no line for {customer}",
                            code="posting_profile_incomplete")
    return line.receivable_account


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

