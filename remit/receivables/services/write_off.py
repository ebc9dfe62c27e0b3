"""Writing off a customer's balance: every open item is marked, netted per currency and closed,
and the net goes to the write-off account of the customer's posting profile (an expense or
bad-debt reserve) — with, when the parameters say so, the sales tax in it taken back from tax
payable. One settlement per currency, in the daily journal, with its reason; unsettling it
reopens the items and reverses the voucher."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction

from remit.core.actor import Actor
from remit.core.exceptions import AccessDenied, InvalidInput, RuleViolation
from remit.core.money import ZERO, Money, RoundingPoint, quantize
from remit.ledger.models import Account, AccountRole, JournalType
from remit.ledger.selectors import account_for_role

from ..models import (
    Customer,
    CustomerTransaction,
    InvoiceLine,
    Settlement,
    SettlementKind,
    WriteOffKind,
    WriteOffLimit,
    WriteOffReason,
)
from .customers import customers_lock, posting_profile_line_for
from .settlement import items_lock, settlement_record
from .setup import parameters_for


def write_off_account_for(customer: Customer) -> Account:
    """The posting profile's write-off account for this customer, else the chart's bad debt
    write-off account."""
    line = posting_profile_line_for(customer)
    return line.write_off_account or account_for_role(customer.legal_entity,
                                                      AccountRole.WRITE_OFF)


def _tax_split(rows: Sequence[CustomerTransaction], write_off_account: Account):
    """write_off_split for 'separate sales tax': each invoice's share of tax (per tax payable
    account) back from tax payable, the rest to the write-off account."""
    taxes: dict[int, dict[Account, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    invoice_of = {row.invoice_id: row.pk for row in rows if row.invoice_id}
    for line in (InvoiceLine.objects.filter(invoice_id__in=invoice_of)
                 .exclude(tax_amount=0).select_related("tax_code__account")):
        taxes[invoice_of[line.invoice_id]][line.tax_code.account] += line.tax_amount

    def split(row: CustomerTransaction, amount: Decimal):
        parts = []
        for account, tax in sorted(taxes.get(row.pk, {}).items(), key=lambda kv: kv[0].number):
            share = quantize(amount * tax / abs(row.amount), row.currency, RoundingPoint.TAX)
            if share:
                parts.append((account, share))
        return [*parts, (write_off_account, amount - sum((p for _, p in parts), ZERO))]

    return split


def write_off_limit_check(customer: Customer, rows, actor: Actor) -> None:
    """A person writes off no more than their limit in this legal entity (the net of the items
    at their booked value in the accounting currency); remit itself (a command, a job) is not
    limited."""
    if actor.user is None:
        return
    entity = customer.legal_entity
    total = sum((row.amount_acc - row.settled_acc for row in rows), ZERO)
    limit = WriteOffLimit.objects.filter(legal_entity=entity, user=actor.user).first()
    if limit is None:
        raise AccessDenied(f"{actor.name} has no write-off limit in {entity.code}; an "
                           "administrator sets one under Admin › Write-off limits",
                           code="write_off_limit")
    if total > limit.max_amount:
        raise AccessDenied(f"{actor.name} may write off up to {limit.max_amount:,.2f} "
                           f"{entity.accounting_currency}; this balance is {total:,.2f} "
                           f"{entity.accounting_currency} — ask a collections manager",
                           code="write_off_limit")


@transaction.atomic
def customer_write_off(*, customer: Customer, on: date, actor: Actor,
                       reason: WriteOffReason | None = None, comment: str = "",
                       items: Sequence[CustomerTransaction] | None = None) -> list[Settlement]:
    """Write off every open item of the customer (or just ``items``), one settlement per
    currency. The reason defaults to the parameters' default reason."""
    actor.require("receivables.write_off")
    customers_lock([customer.pk])
    params = parameters_for(customer.legal_entity)
    reason = reason or params.default_write_off_reason
    if reason is None:
        raise InvalidInput.field("reason", "choose a write-off reason (no default is set)")
    if reason.legal_entity_id != customer.legal_entity_id:
        raise InvalidInput.field("reason", f"{reason.code} belongs to another legal entity")
    chosen = (CustomerTransaction.objects.filter(customer=customer, is_open=True)
              if items is None else
              CustomerTransaction.objects.filter(customer=customer,
                                                 pk__in=[i.pk for i in items]))
    rows = items_lock(list(chosen.values_list("pk", flat=True)))
    if items is not None and len(rows) != len({i.pk for i in items}):
        raise InvalidInput.field("items", f"an item is not one of {customer}'s")
    closed = [row for row in rows.values() if not row.is_open]
    if closed:
        raise RuleViolation(f"{closed[0]} is already settled", code="already_settled")
    if not rows:
        raise RuleViolation(f"{customer} has no open items to write off", code="nothing_open")
    write_off_limit_check(customer, rows.values(), actor)
    latest = max(row.document_date for row in rows.values())
    if on < latest:
        raise InvalidInput.field("on", f"must be on or after {latest} (the newest item's date)")
    account = write_off_account_for(customer)
    split = (_tax_split(list(rows.values()), account) if params.write_off_separate_tax
             else (lambda row, amount: [(account, amount)]))
    by_currency = defaultdict(list)
    for row in rows.values():
        by_currency[row.currency].append(row)
    made = []
    for currency, group in sorted(by_currency.items()):
        changes = [(row, row.open_amount, ZERO, row.open_amount, WriteOffKind.WRITE_OFF)
                   for row in sorted(group, key=lambda r: (r.document_date, r.pk))]
        net = Money(sum((row.open_amount for row in group), ZERO), currency).rounded_amount()
        if net < 0:
            raise RuleViolation(f"{customer} has a credit balance of {-net:f} {currency}: "
                                "money owed to the customer is refunded or applied, not "
                                "written off", code="credit_balance")
        made.append(settlement_record(
            customer=customer, on=on, kind=SettlementKind.WRITE_OFF, currency=currency,
            changes=changes, actor=actor, journal_type=JournalType.DAILY,
            write_off_split=split, reason=reason, comment=comment.strip()[:255],
            description=f"Write-off {customer.account_number} {customer.name}: "
                        f"{net:f} {currency}, {reason.code}"))
    return made
