"""The rows every batch path of receivables writes — open items, settlements and their lines —
as light objects the settlement rules read like saved items, and the writers that insert them
with one statement per table (``core.bulk``). Shared by imported history, invoices issued in a
batch and payments registered in a batch."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from remit.core import bulk
from remit.core.actor import Actor
from remit.core.bulk import Table
from remit.core.models import LegalEntity
from remit.core.money import ZERO

from ..models import (
    CashDiscountDate,
    CollectionStatus,
    CustomerTransaction,
    Settlement,
    SettlementKind,
    SettlementLine,
)


class NewItem:
    """An open item about to be inserted: the attributes the settlement rules read, without
    a model object's cost."""

    __slots__ = ("pk", "customer_id", "kind", "document_number", "document_date", "due_date",
                 "currency", "amount", "amount_acc", "settled_amount", "settled_acc",
                 "discount_taken", "is_open", "closed_on", "receivable_account",
                 "journal_entry_id", "description", "attributes", "periods", "invoice_id",
                 "payment_line_id")

    def __init__(self, **values):
        self.pk = self.journal_entry_id = self.closed_on = None
        self.invoice_id = self.payment_line_id = None
        self.amount_acc = self.settled_amount = self.settled_acc = self.discount_taken = ZERO
        self.is_open, self.attributes, self.periods, self.description = True, {}, (), ""
        for name, value in values.items():
            setattr(self, name, value)

    @property
    def open_amount(self):
        return self.amount - self.settled_amount

    def __str__(self) -> str:
        return f"{self.kind.replace('_', ' ')} {self.document_number}"


class NewSettlement:
    __slots__ = ("customer_id", "settled_on", "journal_entry_id", "kind")

    def __init__(self, customer_id: int, settled_on: date, kind: str = SettlementKind.IMPORT):
        self.customer_id, self.settled_on = customer_id, settled_on
        self.journal_entry_id, self.kind = None, kind


ITEM_COLUMNS = ("legal_entity_id", "customer_id", "kind", "document_number", "document_date",
                "due_date", "currency", "amount", "amount_acc", "settled_amount", "settled_acc",
                "discount_taken", "is_open", "closed_on", "receivable_account_id",
                "journal_entry_id", "invoice_id", "payment_line_id", "description",
                "attributes", "collection_status")
SETTLEMENT_COLUMNS = ("legal_entity_id", "customer_id", "settled_on", "kind",
                      "journal_entry_id", "comment", "created_at", "created_by_id")
SETTLEMENT_LINE_COLUMNS = ("settlement_id", "item_id", "amount", "amount_acc", "discount",
                           "write_off", "write_off_kind")
SAVED_STATE = ("settled_amount", "settled_acc", "discount_taken", "is_open", "closed_on")


def items_write(legal_entity: LegalEntity, items: list[NewItem]) -> None:
    """Insert new open items (their ids are taken here unless given) and their cash discount
    periods."""
    table = Table(CustomerTransaction, ITEM_COLUMNS)
    missing = [item for item in items if item.pk is None]
    for pk, item in zip(table.ids(len(missing)), missing):
        item.pk = pk
    dates = Table(CashDiscountDate, ("transaction_id", "until", "percent"))
    date_ids = iter(dates.ids(sum(len(item.periods) for item in items)))
    for item in items:
        table.add((item.pk, legal_entity.pk, item.customer_id, item.kind, item.document_number,
                   item.document_date, item.due_date, item.currency, item.amount,
                   item.amount_acc, item.settled_amount, item.settled_acc, item.discount_taken,
                   item.is_open, item.closed_on, item.receivable_account.pk,
                   item.journal_entry_id, item.invoice_id, item.payment_line_id,
                   item.description[:255], item.attributes, CollectionStatus.NOT_DISPUTED))
        for period in item.periods:
            dates.add((next(date_ids), item.pk, period.until, period.percent))
    table.write()
    dates.write()


def settlements_write(legal_entity: LegalEntity, settlements: list, actor: Actor) -> None:
    """Insert settlements — (NewSettlement, [(item, amount, amount_acc, discount, write-off,
    write-off kind), ...]) — and their lines; the items must have their ids."""
    now = timezone.now()
    user = actor.user.pk if actor.user is not None else None
    made = Table(Settlement, SETTLEMENT_COLUMNS)
    lines = Table(SettlementLine, SETTLEMENT_LINE_COLUMNS)
    line_ids = iter(lines.ids(sum(len(its) for _, its in settlements)))
    for pk, (settlement, its_lines) in zip(made.ids(len(settlements)), settlements):
        made.add((pk, legal_entity.pk, settlement.customer_id, settlement.settled_on,
                  settlement.kind, settlement.journal_entry_id, "", now, user))
        for item, amount, amount_acc, discount, write_off, kind in its_lines:
            lines.add((next(line_ids), pk, item.pk, amount, amount_acc, discount, write_off,
                       kind))
    made.write()
    lines.write()


def items_save_state(items) -> None:
    """Saved items whose settled state moved (an invoice a batch paid)."""
    if items:
        bulk.update(CustomerTransaction, SAVED_STATE,
                    [[getattr(i, c) for c in SAVED_STATE] + [i.pk] for i in items])
