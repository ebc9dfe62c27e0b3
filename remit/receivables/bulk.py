"""Open items at scale: many customer transactions posted in one set-based pass (through
``ledger.bulk``), for big imports and benchmark data. Same postings, same checks, same books
as one at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from remit.core.actor import Actor
from remit.core.models import LegalEntity
from remit.core.money import Money
from remit.ledger.bulk import EntrySpec, entries_prepare, entries_write
from remit.ledger.models import Account, Journal
from remit.ledger.rules import PostingLine

from remit.core.exceptions import InvalidInput

from .models import Customer, CustomerTransaction, TransactionKind
from .services.customers import receivable_account_for


@dataclass(frozen=True)
class OpenItemSpec:
    customer: Customer
    kind: str
    document_number: str
    document_date: date
    due_date: date
    amount: Money
    description: str = ""
    attributes: dict = field(default_factory=dict)


DEBIT_KINDS = {TransactionKind.INVOICE, TransactionKind.OPENING_BALANCE}


def _check(i: int, spec: OpenItemSpec, legal_entity: LegalEntity) -> None:
    """The checks the one-at-a-time services make on an item: its customer, currency and
    the sign its kind carries."""
    where = ("items", i)
    if spec.customer.legal_entity_id != legal_entity.pk:
        raise InvalidInput.field(where, f"item {i + 1}: {spec.customer} belongs to another "
                                 "legal entity")
    if spec.amount.currency != spec.customer.currency:
        raise InvalidInput.field(where, f"item {i + 1}: {spec.customer} is invoiced in "
                                 f"{spec.customer.currency}, not {spec.amount.currency}")
    if spec.kind not in TransactionKind.values or spec.amount.amount == 0:
        raise InvalidInput.field(where, f"item {i + 1}: a {spec.kind} of {spec.amount} "
                                 "cannot be posted")
    positive = spec.amount.amount > 0
    if spec.kind != TransactionKind.OPENING_BALANCE and positive != (spec.kind in DEBIT_KINDS):
        raise InvalidInput.field(where, f"item {i + 1}: a {spec.kind} of {spec.amount} has "
                                 "the wrong sign")


def open_items_post_bulk(*, legal_entity: LegalEntity, items: Sequence[OpenItemSpec],
                         counter_account: Account, journal: Journal, source: str,
                         actor: Actor) -> list[CustomerTransaction]:
    """Post each item (receivable against ``counter_account``) and create its open item."""
    receivable_of: dict[tuple, Account] = {}
    specs = []
    for i, spec in enumerate(items):
        _check(i, spec, legal_entity)
        key = (spec.customer.pk, spec.customer.group_id)
        if key not in receivable_of:
            receivable_of[key] = receivable_account_for(spec.customer)
        receivable = receivable_of[key]
        text = f"{spec.customer.account_number} {spec.document_number}"
        specs.append(EntrySpec(
            journal=journal, entry_date=spec.document_date,
            description=f"{spec.kind.replace('_', ' ').capitalize()} {spec.document_number} "
                        f"{spec.customer.name}",
            lines=[PostingLine(receivable, spec.amount, text),
                   PostingLine(counter_account, -spec.amount, text)], source=source))
    with transaction.atomic():
        posted = entries_write(legal_entity=legal_entity,
                               prepared=entries_prepare(legal_entity, specs), actor=actor)
        rows = []
        for spec, entry, entry_spec in zip(items, posted, specs):
            rows.append(CustomerTransaction(
                legal_entity=legal_entity, customer=spec.customer, kind=spec.kind,
                document_number=spec.document_number, document_date=spec.document_date,
                due_date=spec.due_date, currency=spec.amount.currency, amount=spec.amount.amount,
                amount_acc=entry.lines[0].amount_acc, receivable_account=entry_spec.lines[0].account,
                journal_entry_id=entry.pk, description=spec.description[:255],
                attributes=dict(spec.attributes)))
        CustomerTransaction.objects.bulk_create(rows, batch_size=2000)
    return rows
