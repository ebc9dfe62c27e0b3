"""Settlement: closing open items against each other — a payment against invoices, a credit
note against its invoice — with cash discount, write-offs and realized exchange differences,
and undoing it.

The plan (what closes, with which discount) is ``rules.plan_settlement``; this module locks the
items, applies the plan and posts what it means for the ledger. The settlement voucher moves
each receivable account by exactly what its items' open amounts changed, so subledger and
ledger stay equal; discounts, write-offs and the exchange difference are its other lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from remit.core import bulk, reads
from remit.core.actor import Actor
from remit.core.audit import audit_record, audit_together
from remit.core.config import config_scope
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.inserts import insert
from remit.core.money import ZERO, Money
from remit.core.selectors import exchange_rate_on
from remit.ledger.models import Account, JournalType
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import journal_entry_post, journal_entry_reverse

from .. import rules, voucher
from ..models import (
    Customer,
    CustomerTransaction,
    DiscountAdministration,
    Settlement,
    SettlementKind,
    SettlementLine,
    TransactionKind,
)
from .batch_rows import SAVED_STATE
from .customers import customers_lock
from .setup import parameters_read

SETTLEMENT_SOURCE = "receivables.settlement"


@dataclass(frozen=True)
class MarkSpec:
    item: CustomerTransaction
    amount_to_settle: Decimal | None = None
    use_cash_discount: str = "normal"


PERCENT_SCALE = Decimal("0.01")  # CashDiscountDate.percent: decimal_places=2


def items_lock(ids: Sequence[int]) -> dict[int, CustomerTransaction]:
    """Lock open items (after their customer: see ``customers_lock``), in key order, with
    their receivable account and their discount periods — read in the same query, as one
    text per item. Hand-written SQL (``remit.core.reads``): the ORM took longer to compile
    this query than the database took to run it."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    reads.lock_inside_transaction()
    item, account = reads.columns(CustomerTransaction, "t"), reads.columns(Account, "a")
    with connection.cursor() as cursor:
        cursor.execute(_items_sql(len(ids)), ids)
        rows = cursor.fetchall()
    found = {}
    cache = CustomerTransaction._meta.get_field("receivable_account").set_cached_value
    for row in rows:
        locked = item.build(row)
        cache(locked, account.build(row, item.count))
        locked.periods = _periods(row[-1])
        found[locked.pk] = locked
    return found


_items_sql_kept: dict[tuple[str, int], str] = {}


def _items_sql(n: int) -> str:
    return reads.kept(_items_sql_kept, (connection.vendor, n), n, lambda: _items_sql_build(n))


def _items_sql_build(n: int) -> str:
    if connection.vendor == "postgresql":
        text, join = "d.until::text || ' ' || d.percent::text", "string_agg"
    else:
        text, join = "d.until || ' ' || CAST(d.percent AS TEXT)", "group_concat"
    item, account = reads.columns(CustomerTransaction, "t"), reads.columns(Account, "a")
    lock = " FOR UPDATE OF t" if connection.features.has_select_for_update else ""
    return (
        f"SELECT {item.sql}, {account.sql}, "
        f"(SELECT {join}({text}, ',') FROM receivables_cashdiscountdate d "
        f"WHERE d.transaction_id = t.id) "
        f"FROM receivables_customertransaction t "
        f"INNER JOIN ledger_account a ON a.id = t.receivable_account_id "
        f"WHERE t.id IN ({reads.marks(n)}) ORDER BY t.id{lock}")


def _periods(text: str | None) -> tuple[rules.DiscountPeriod, ...]:
    """'2026-03-12 2.00,2026-03-22 1.0' → the periods by date, percent at the column's scale
    (SQLite may give 2 or 2.5 for what PostgreSQL gives as 2.00 and 2.50)."""
    if not text:
        return ()
    periods = []
    for part in text.split(","):
        until, percent = part.split(" ")
        periods.append(rules.DiscountPeriod(date.fromisoformat(until),
                                            Decimal(percent).quantize(PERCENT_SCALE)))
    return tuple(sorted(periods, key=lambda p: p.until))


def _open_item(row: CustomerTransaction) -> rules.OpenItem:
    return rules.OpenItem(key=row.pk, kind=row.kind, document_date=row.document_date,
                          due_date=row.due_date, amount=row.amount, open=row.open_amount,
                          discount_taken=row.discount_taken, periods=row.periods)


def _tolerances(customer: Customer, currency: str, on: date, params) -> rules.Tolerances:
    accounting = customer.legal_entity.accounting_currency
    if currency == accounting:
        rate = Decimal(1)
    else:
        rate = exchange_rate_on(currency, accounting, on)
    return voucher.tolerances(params, rate, currency)


@transaction.atomic
def settle(*, customer: Customer, on: date, marks: Sequence[MarkSpec],
           payment: CustomerTransaction | None = None, kind: str, actor: Actor,
           full_settlement: bool = False, order: str = "oldest_first",
           skip_settled: bool = False) -> Settlement | None:
    """Settle the marked items (and the payment, when given) on date ``on``. The items are
    locked first, so two payments racing for one invoice cannot both close it: the second
    finds it settled and, with ``skip_settled`` (payment posting), leaves its money open
    instead. Returns None when nothing could be settled."""
    if not marks:
        raise InvalidInput.field("marks", "mark at least one open item to settle")
    with config_scope(), audit_together():
        customers_lock([customer.pk])  # the query also tells the config stamp
        return settle_held(customer=customer, on=on, marks=marks, payment=payment, kind=kind,
                           actor=actor, full_settlement=full_settlement, order=order,
                           skip_settled=skip_settled)[0]


def settle_held(*, customer: Customer, on: date, marks: Sequence[MarkSpec],
                payment: CustomerTransaction | None = None, kind: str, actor: Actor,
                full_settlement: bool = False, order: str = "oldest_first",
                skip_settled: bool = False) -> tuple[Settlement | None, dict]:
    """``settle`` for a use case that holds the customer's lock already, inside its
    transaction (a payment posted and settled at once); also returns the locked items as
    they are now, so that the caller need not read them again."""
    if not marks:
        raise InvalidInput.field("marks", "mark at least one open item to settle")
    _refuse_duplicates(marks, payment)
    ids = [m.item.pk for m in marks] + ([payment.pk] if payment is not None else [])
    rows = items_lock(ids)
    if skip_settled:
        closed = {pk for pk, row in rows.items() if not row.is_open}
        marks = [m for m in marks if m.item.pk not in closed]
        rows = {pk: row for pk, row in rows.items() if pk not in closed}
        if not marks or (payment is not None and payment.pk not in rows):
            return None, rows
    params = parameters_read(customer.legal_entity)
    changes = settlement_changes(
        customer=customer, on=on, rows=rows, marks=marks, payment=payment, params=params,
        tolerances=lambda currency: _tolerances(customer, currency, on, params),
        full_settlement=full_settlement, order=order)
    if not changes:
        return None, rows
    return settlement_record(customer=customer, on=on, kind=kind,
                             currency=changes[0][0].currency, changes=changes,
                             actor=actor), rows


def settlement_changes(*, customer: Customer, on: date, rows: dict, marks: Sequence[MarkSpec],
                       payment, params, tolerances, full_settlement: bool = False,
                       order: str = "oldest_first") -> list:
    """What settling the marked items (and the payment) on ``on`` does to each of the locked
    ``rows`` (id → item): checked, planned by ``rules.plan_settlement`` under the legal
    entity's parameters and ``tolerances(currency)``, and proven to add up. Empty when nothing
    can be settled. The rule for one settlement and for a batch of them."""
    _validate(customer, rows, payment, marks, on)
    currency = next(iter(rows.values())).currency
    plan = rules.plan_settlement(
        payment=-rows[payment.pk].open_amount if payment is not None else ZERO,
        on=on, currency=currency,
        marks=[rules.Mark(_open_item(rows[m.item.pk]), m.amount_to_settle, m.use_cash_discount)
               for m in marks],
        tolerances=tolerances(currency),
        policy=rules.Policy(
            discount_on_partial=params.discount_on_partial_payments,
            discount_on_credit_notes=params.discount_on_credit_notes,
            specific_discount=params.discount_administration == DiscountAdministration.SPECIFIC,
            full_settlement=full_settlement, order=order))
    if not plan.items:
        return []
    if not rules.plan_is_consistent(plan, -rows[payment.pk].open_amount if payment else ZERO):
        raise RuleViolation("the settlement does not add up; nothing was settled",
                            code="settlement_inconsistent")
    changes = [(rows[i.key], i.settle, i.discount, i.write_off, i.write_off_kind)
               for i in plan.items]
    if payment is not None and plan.payment_settle != 0:
        changes.append((rows[payment.pk], plan.payment_settle, ZERO, plan.payment_write_off,
                        plan.payment_write_off_kind))
    return changes


Change = voucher.Change


def settlement_record(*, customer: Customer, on: date, kind: str, currency: str,
                      changes: Sequence[Change], actor: Actor,
                      journal_type: str = JournalType.CUSTOMER_PAYMENT,
                      write_off_split=None, description: str = "", **extra) -> Settlement:
    """Post the voucher for these changes to locked items, record the settlement and its
    lines, and move the items' settled amounts. ``write_off_split(row, amount)`` names the
    accounts a 'write_off' write-off goes to (a write-off account, sales tax)."""
    accounting = customer.legal_entity.accounting_currency
    entry = _post(customer, on, currency, accounting, changes, actor, journal_type,
                  write_off_split, description)
    settlement = Settlement(
        legal_entity=customer.legal_entity, customer=customer, settled_on=on, kind=kind,
        journal_entry=entry, created_by=actor.user, **extra)
    insert([settlement])
    lines = []
    for row, delta, discount, write_off, write_off_kind in changes:
        share = voucher.delta_acc(row, delta, accounting)
        lines.append(SettlementLine(settlement=settlement, item=row, amount=delta,
                                    amount_acc=share, discount=discount,
                                    write_off=write_off, write_off_kind=write_off_kind))
        voucher.apply_change(row, delta, share, discount, on)
    bulk.update(CustomerTransaction, SAVED_STATE,  # one statement for every item moved
                [[getattr(row, c) for c in SAVED_STATE] + [row.pk] for row, *_ in changes])
    insert(lines)
    audit_record(actor=actor, action="receivables.settlement.settle", obj=settlement,
                 data={"customer": customer.account_number, "kind": kind,
                       "items": {row.document_number: delta for row, delta, *_ in changes},
                       "entry": entry.number if entry else None})
    return settlement


def _refuse_duplicates(marks: Sequence[MarkSpec], payment) -> None:
    seen = set()
    for i, mark in enumerate(marks):
        if mark.item.pk in seen:
            raise InvalidInput.field(("marks", i), f"{mark.item} is marked twice")
        if payment is not None and mark.item.pk == payment.pk:
            raise InvalidInput.field(("marks", i), f"{mark.item} is the payment itself")
        seen.add(mark.item.pk)


def settle_date(items, on: date) -> date:
    """A settlement is dated no earlier than its newest document: a payment marked against an
    invoice issued later settles on the invoice's date."""
    return max([on, *(item.document_date for item in items)])


def _validate(customer, rows, payment, marks, on: date) -> None:
    if len(rows) != len({m.item.pk for m in marks} | ({payment.pk} if payment else set())):
        raise InvalidInput.field("marks", "a marked item does not exist")
    latest = max(rows.values(), key=lambda row: row.document_date)
    if on < latest.document_date:
        raise InvalidInput.field("on", f"must be on or after {latest.document_date} "
                                 f"(the date of {latest})")
    for i, mark in enumerate(marks):
        if mark.amount_to_settle is None:
            continue
        row = rows[mark.item.pk]
        wanted = Money(mark.amount_to_settle, row.currency)
        if mark.amount_to_settle * row.amount <= 0 or wanted.amount != wanted.rounded_amount():
            raise InvalidInput.field(
                ("marks", i, "amount_to_settle"),
                f"for {row}: {'a positive' if row.amount > 0 else 'a negative'} amount in "
                f"{row.currency} with at most {wanted.decimals} decimals")
    currencies = {row.currency for row in rows.values()}
    if len(currencies) > 1:
        raise InvalidInput.field("marks", "items in different currencies cannot be settled "
                                 f"together ({', '.join(sorted(currencies))})")
    for row in rows.values():
        if row.customer_id != customer.pk:
            raise InvalidInput.field("marks", f"{row} belongs to another customer")
        if not row.is_open:
            raise RuleViolation(f"{row} is already settled", code="already_settled")
    if payment is not None and rows[payment.pk].amount >= 0:
        raise InvalidInput.field("payment", f"{payment} is not a payment or credit")


def _post(customer, on, currency, accounting, changes, actor, journal_type, write_off_split,
          description):
    legal_entity = customer.legal_entity
    lines = voucher.voucher_lines(changes, currency=currency, accounting=accounting,
                                  account_for=lambda role: account_for_role(legal_entity, role),
                                  write_off_split=write_off_split)
    if not lines:
        return None
    return journal_entry_post(
        legal_entity=legal_entity, journal=journal_for_type(legal_entity, journal_type),
        entry_date=on,
        description=(description or f"Settlement {customer.account_number} "
                                    f"{customer.name}")[:255],
        lines=lines, actor=actor, source=SETTLEMENT_SOURCE,
        rates=voucher.voucher_rates(changes, currency, accounting))


@transaction.atomic
def settlement_reverse(*, settlement: Settlement, on: date, reason: str,
                       actor: Actor) -> Settlement:
    """Unsettle: give every item back what the settlement closed and reverse its voucher."""
    actor.require("receivables.change_settlement")
    if settlement.kind == SettlementKind.WRITE_OFF:
        actor.require("receivables.write_off")
    return settlement_undo(settlement=settlement, on=on, reason=reason, actor=actor)


def settlement_undo(*, settlement: Settlement, on: date, reason: str,
                    actor: Actor) -> Settlement:
    """settlement_reverse without its permission check, for use cases that undo settlements
    as one of their steps (a bounced payment's)."""
    customers_lock([settlement.customer_id])
    locked = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if locked.kind == SettlementKind.CORRECTION:
        raise RuleViolation("a correction's settlement of the original invoice against its "
                            "cancelling credit note cannot be undone on its own; credit or "
                            "correct the corrected invoice instead", code="correction_settlement")
    if locked.kind == SettlementKind.NSF:
        raise RuleViolation("a bounced payment stays bounced; register the new payment instead",
                            code="nsf_settlement")
    if locked.is_reversed:
        raise RuleViolation(f"settlement {locked.pk} is already reversed", code="already_reversed")
    if on < locked.settled_on:
        raise InvalidInput.field("on", f"must be on or after {locked.settled_on}")
    lines = list(locked.lines.all())
    rows = items_lock([line.item_id for line in lines])
    for line in lines:
        row = rows[line.item_id]
        row.settled_amount -= line.amount
        row.settled_acc -= line.amount_acc
        row.discount_taken -= line.discount
        row.is_open = True
        row.closed_on = None
        row.save(update_fields=["settled_amount", "settled_acc", "discount_taken", "is_open",
                                "closed_on"])
    if locked.journal_entry_id:
        locked.reversal_entry = journal_entry_reverse(
            entry=locked.journal_entry, reversal_date=on, reason=reason or "unsettled",
            actor=actor, owner=SETTLEMENT_SOURCE)
    locked.reversed_on = on
    locked.save(update_fields=["reversal_entry", "reversed_on"])
    audit_record(actor=actor, action="receivables.settlement.reverse", obj=locked,
                 data={"reason": reason, "items": [rows[line.item_id].document_number
                                                   for line in lines]})
    return locked


@transaction.atomic
def settle_automatically(*, customer: Customer, on: date, actor: Actor,
                         credit: CustomerTransaction | None = None) -> list[Settlement]:
    """Apply open credits (payments and credit notes, oldest first; only ``credit`` when it is
    given, say the payment just posted) to the customer's open invoices by due date, one
    currency at a time — the default order without priorities. Items closed by someone else
    meanwhile are skipped, so a payment being posted is never refused for it."""
    customers_lock([customer.pk])
    made = []
    credits = CustomerTransaction.objects.filter(customer=customer, is_open=True, amount__lt=0)
    if credit is not None:
        credits = credits.filter(pk=credit.pk)
    for credit_item in list(credits.order_by("document_date", "pk")):
        credit_item.refresh_from_db()
        if not credit_item.is_open:
            continue
        debits = list(CustomerTransaction.objects.filter(
            customer=customer, is_open=True, amount__gt=0, currency=credit_item.currency))
        if not debits:
            continue
        when = settle_date(debits + [credit_item], on)
        if credit_item.kind == TransactionKind.PAYMENT:
            result = settle(customer=customer, on=when, payment=credit_item, kind="automatic",
                            marks=[MarkSpec(d) for d in debits], actor=actor, order="due_date",
                            skip_settled=True)
        else:
            result = settle(customer=customer, on=when, kind="automatic", actor=actor,
                            marks=[MarkSpec(credit_item)] + [MarkSpec(d) for d in debits],
                            order="due_date", skip_settled=True)
        if result is not None:
            made.append(result)
    return made
