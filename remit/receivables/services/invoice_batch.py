"""Invoices issued in a batch — a recurring run, the demo's two years of billing — by the rules
``invoice_issue`` posts one by: the same lines and totals (``_lines``), the same refusals
(``posting_problem``), due dates and cash discount periods from the terms, the same voucher
(``entry_lines_for``) checked as ``journal_entry_post`` checks it. Then the writing is
set-based: the numbers of the batch taken with one update per sequence, every invoice, line,
entry, open item and discount period inserted with one statement per table, one audit record.
Only plain invoices: credit notes and corrections go one at a time (they settle their
original)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.bulk import Table
from remit.core.exceptions import DomainError, InvalidInput
from remit.core.models import LegalEntity
from remit.core.selectors import RateBook
from remit.core.sequences import sequence_next_block
from remit.ledger.bulk import EntrySpec, entries_prepare, entries_write
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.selectors import account_for_role, journal_for_type

from .. import rules
from ..models import (
    CashDiscountTerms,
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    PaymentTerms,
    TransactionKind,
)
from .batch_rows import NewItem, items_write
from .customers import ProfileLines, customers_lock
from .invoices import (
    INVOICE_SOURCE,
    LineSpec,
    _lines,
    _totals,
    due_date_for,
    entry_lines_for,
    posting_problem,
)
from .setup import parameters_for

INVOICE_COLUMNS = ("legal_entity_id", "customer_id", "kind", "status", "number",
                   "invoice_date", "due_date", "currency", "payment_terms_id",
                   "cash_discount_terms_id", "reason", "your_reference", "attributes",
                   "net_amount", "tax_amount", "total_amount", "journal_entry_id",
                   "created_at", "created_by_id", "posted_at")
LINE_COLUMNS = ("invoice_id", "line_no", "description", "quantity", "unit_price", "amount",
                "revenue_account_id", "tax_code_id", "tax_amount")


@dataclass(frozen=True)
class IssueSpec:
    customer: Customer
    invoice_date: date
    lines: Sequence[LineSpec]
    attributes: dict = field(default_factory=dict)
    your_reference: str = ""


@dataclass(frozen=True)
class Issued:
    """An invoice as posted: its number and its open item (id, due date, discount periods)."""

    invoice_id: int
    number: str
    item: NewItem


def invoices_issue_batch(*, legal_entity: LegalEntity, specs: Sequence[IssueSpec],
                         actor: Actor) -> list[Issued]:
    """Issue and post every invoice, or none (the first refused is named by its place)."""
    actor.require("receivables.add_invoice")
    actor.require("receivables.post_invoice")
    if not specs:
        return []
    with transaction.atomic():
        return _issue(legal_entity, specs, actor)


def _issue(entity: LegalEntity, specs: Sequence[IssueSpec], actor: Actor) -> list[Issued]:
    customers_lock({spec.customer.pk for spec in specs})
    status = dict(Customer.objects.filter(pk__in={s.customer.pk for s in specs})
                  .values_list("pk", "status"))
    params = parameters_for(entity)
    revenue = account_for_role(entity, AccountRole.REVENUE)
    terms = {t.pk: t for t in PaymentTerms.objects.filter(legal_entity=entity)}
    discounts = {t.pk: [(p.days, p.percent) for p in t.periods.all()]
                 for t in CashDiscountTerms.objects.filter(legal_entity=entity)
                 .prefetch_related("periods")}
    profiles = ProfileLines(entity)
    journal = journal_for_type(entity, JournalType.SALES)
    built = []
    for i, spec in enumerate(specs):
        customer = spec.customer
        if customer.legal_entity_id != entity.pk:
            raise InvalidInput.field(("invoices", i, "customer"),
                                     f"invoice {i + 1}: {customer} belongs to another legal "
                                     "entity")
        customer.status = status[customer.pk]
        invoice = Invoice(legal_entity=entity, customer=customer, kind=InvoiceKind.INVOICE,
                          invoice_date=spec.invoice_date, currency=customer.currency,
                          payment_terms_id=customer.payment_terms_id,
                          cash_discount_terms_id=customer.cash_discount_terms_id,
                          your_reference=spec.your_reference.strip()[:100],
                          attributes=dict(spec.attributes))
        try:
            lines = _lines(invoice, spec.lines, default_tax=params.default_tax_code,
                           revenue=revenue)
            _totals(invoice, lines)
            problem = posting_problem(invoice, customer, lines)
            if problem is not None:
                raise problem
        except DomainError as exc:
            raise type(exc)(f"invoice {i + 1}: {exc.message}", code=exc.code,
                            errors=[(("invoices", i, *loc), m) for loc, m in exc.errors]) \
                from None
        chosen = terms.get(invoice.payment_terms_id) or params.default_payment_terms
        invoice.due_date = due_date_for(spec.invoice_date, chosen)
        periods = tuple(rules.discount_dates(spec.invoice_date,
                                             discounts.get(invoice.cash_discount_terms_id, [])))
        built.append((invoice, lines, periods))
    numbers = sequence_next_block(entity, InvoiceKind.INVOICE, len(built))
    entry_specs = []
    for (invoice, lines, _), (_, number) in zip(built, numbers):
        invoice.number = number
        customer = invoice.customer
        entry_specs.append(EntrySpec(
            journal=journal, entry_date=invoice.invoice_date, source=INVOICE_SOURCE,
            description=f"{invoice.get_kind_display().capitalize()} {number} "
                        f"{customer.name}"[:255],
            lines=entry_lines_for(number=number, sign=1, total=invoice.total_amount,
                                  currency=invoice.currency, lines=lines,
                                  receivable=profiles.receivable_account_for(customer),
                                  customer_number=customer.account_number)))
    dates = [spec.entry_date for spec in entry_specs]
    rates = RateBook({line.amount.currency for spec in entry_specs for line in spec.lines},
                     entity.accounting_currency,
                     between=(min(dates), max(dates)) if dates else None)
    posted = entries_write(legal_entity=entity,
                           prepared=entries_prepare(entity, entry_specs, rates.rate),
                           actor=actor)
    return _write(entity, built, entry_specs, posted, actor)


def _write(entity, built, entry_specs, posted, actor) -> list[Issued]:
    now = timezone.now()
    user = actor.user.pk if actor.user is not None else None
    invoices, lines = Table(Invoice, INVOICE_COLUMNS), Table(InvoiceLine, LINE_COLUMNS)
    line_ids = iter(lines.ids(sum(len(ls) for _, ls, _ in built)))
    items, out = [], []
    for pk, (invoice, its_lines, periods), spec, entry in zip(
            invoices.ids(len(built)), built, entry_specs, posted):
        invoices.add((pk, entity.pk, invoice.customer_id, invoice.kind, InvoiceStatus.POSTED,
                      invoice.number, invoice.invoice_date, invoice.due_date, invoice.currency,
                      invoice.payment_terms_id, invoice.cash_discount_terms_id, "",
                      invoice.your_reference, invoice.attributes, invoice.net_amount,
                      invoice.tax_amount, invoice.total_amount, entry.pk, now, user, now))
        for line in its_lines:
            lines.add((next(line_ids), pk, line.line_no, line.description, line.quantity,
                       line.unit_price, line.amount, line.revenue_account.pk,
                       line.tax_code.pk if line.tax_code else None, line.tax_amount))
        item = NewItem(customer_id=invoice.customer_id, kind=TransactionKind.INVOICE,
                       document_number=invoice.number, document_date=invoice.invoice_date,
                       due_date=invoice.due_date, currency=invoice.currency,
                       amount=invoice.total_amount, amount_acc=entry.lines[0].amount_acc,
                       receivable_account=spec.lines[0].account, journal_entry_id=entry.pk,
                       invoice_id=pk, attributes=invoice.attributes, periods=periods)
        items.append(item)
        out.append(Issued(pk, invoice.number, item))
    invoices.write()
    lines.write()
    items_write(entity, items)
    audit_record(actor=actor, action="receivables.invoice.post_batch", legal_entity=entity,
                 data={"invoices": len(out), "first": out[0].number, "last": out[-1].number})
    return out
