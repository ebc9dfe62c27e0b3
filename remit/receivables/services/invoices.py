"""Free-text invoices and credit notes: create a draft, post it (number, balanced entry, open
item with due date and cash discount dates), credit it, or correct it (the original, a
cancelling credit note settled against it, and the corrected invoice)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record, audit_together
from remit.core.config import config_scope
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.inserts import insert
from remit.core.money import ZERO, D, Money
from remit.core.sequences import sequence_next_by_code
from remit.ledger.models import Account, AccountRole, AccountType, JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import journal_entry_post

from .. import rules
from ..models import (
    CashDiscountDate,
    Customer,
    CustomerStatus,
    CustomerTransaction,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    SalesTaxCode,
    SettlementKind,
    TransactionKind,
)
from ..signals import invoice_posted
from .customers import customers_lock, receivable_account_for
from .settlement import MarkSpec, settle, settle_date
from .setup import parameters_for, parameters_read

INVOICE_SOURCE = "receivables.invoice"


class _Default:
    """A marker for 'the customer's default' where None means 'none'."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


DEFAULT_TAX = _Default("DEFAULT_TAX")  # the customer's, else the legal entity's, tax code
CUSTOMER_TERMS = _Default("CUSTOMER_TERMS")  # the customer's payment or cash discount terms
NOT_REVENUE_ROLES = {AccountRole.CASH_DISCOUNT, AccountRole.EXCHANGE_GAIN}


@dataclass(frozen=True)
class LineSpec:
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    revenue_account: Account | None = None
    tax_code: SalesTaxCode | None | _Default = DEFAULT_TAX  # None: no sales tax on the line


_UNSET = _Default("UNSET")


QUANTITY_LIMIT = 10**10  # the quantity column: 14 digits, 4 of them decimals


def _lines(invoice: Invoice, specs: Sequence[LineSpec], *, default_tax=_UNSET,
           revenue: Account | None = None) -> list[InvoiceLine]:
    """The invoice's lines, checked and computed (``default_tax`` and ``revenue``: the legal
    entity's default tax code and revenue account, when the caller has read them already)."""
    if not specs:
        raise InvalidInput.field("lines", "an invoice needs at least one line")
    customer = invoice.customer
    if default_tax is _UNSET:
        default_tax = parameters_for(invoice.legal_entity).default_tax_code
    default_tax = customer.tax_code or default_tax
    rows, total = [], ZERO
    for i, spec in enumerate(specs):
        if not spec.description.strip():
            raise InvalidInput.field(("lines", i, "description"), "describe what is invoiced")
        quantity, price = D(spec.quantity), D(spec.unit_price)
        if quantity <= 0:
            raise InvalidInput.field(("lines", i, "quantity"), "must be greater than zero")
        if quantity >= QUANTITY_LIMIT:
            raise InvalidInput.field(("lines", i, "quantity"), f"less than {QUANTITY_LIMIT:,}")
        account = spec.revenue_account
        if account is None:
            revenue = revenue or account_for_role(invoice.legal_entity, AccountRole.REVENUE)
            account = revenue
        if (account.legal_entity_id != invoice.legal_entity_id
                or account.account_type != AccountType.REVENUE or account.is_blocked
                or account.role in NOT_REVENUE_ROLES):
            raise InvalidInput.field(("lines", i, "revenue_account"),
                                     f"{account.number} is not a revenue account of "
                                     f"{invoice.legal_entity.code} to invoice to")
        tax = default_tax if spec.tax_code is DEFAULT_TAX else spec.tax_code
        if tax is not None and tax.legal_entity_id != invoice.legal_entity_id:
            raise InvalidInput.field(("lines", i, "tax_code"), f"{tax.code} is not a tax code "
                                     "of this legal entity")
        amount = rules.line_amount(quantity, price, invoice.currency)
        total += amount
        if abs(price) >= settings.AMOUNT_LIMIT or abs(total) >= settings.AMOUNT_LIMIT:
            raise InvalidInput.field(("lines", i, "unit_price"), "the invoice would come to more "
                                     f"than {settings.AMOUNT_LIMIT:,} {invoice.currency}, more "
                                     "than one document may carry")
        rows.append(InvoiceLine(
            invoice=invoice, line_no=i + 1, description=spec.description.strip()[:255],
            quantity=quantity, unit_price=price, amount=amount, revenue_account=account,
            tax_code=tax,
            tax_amount=rules.line_tax(amount, tax.rate, invoice.currency) if tax else ZERO))
    return rows


def _totals(invoice: Invoice, lines: Sequence[InvoiceLine]) -> None:
    invoice.net_amount = sum((line.amount for line in lines), ZERO)
    invoice.tax_amount = sum((line.tax_amount for line in lines), ZERO)
    invoice.total_amount = invoice.net_amount + invoice.tax_amount


@transaction.atomic
def invoice_create(*, customer: Customer, invoice_date: date, lines: Sequence[LineSpec],
                   actor: Actor, **options) -> Invoice:
    """A draft invoice or credit note with its lines and totals; nothing posts yet."""
    with audit_together():
        return _create(customer=customer, invoice_date=invoice_date, lines=lines, actor=actor,
                       **options)


def _create(*, customer: Customer, invoice_date: date, lines: Sequence[LineSpec],
            kind: str = InvoiceKind.INVOICE, due_date: date | None = None,
            original: Invoice | None = None, corrects: Invoice | None = None,
            reason: str = "", your_reference: str = "", attributes: dict | None = None,
            payment_terms=CUSTOMER_TERMS, cash_discount_terms=CUSTOMER_TERMS,
            actor: Actor, params=None, save: bool = True) -> Invoice:
    actor.require("receivables.add_invoice")
    if kind not in InvoiceKind.values:
        raise InvalidInput.field("kind", f"choose one of {', '.join(InvoiceKind.values)}")
    if original is not None and (original.customer_id != customer.pk
                                 or original.status != InvoiceStatus.POSTED
                                 or original.kind != InvoiceKind.INVOICE):
        raise InvalidInput.field("original", "a credit note refers to a posted invoice of the "
                                 "same customer")
    if due_date is not None and due_date < invoice_date:
        raise InvalidInput.field("due_date", "cannot be before the invoice date")
    invoice = Invoice(legal_entity=customer.legal_entity, customer=customer, kind=kind,
                      invoice_date=invoice_date, due_date=due_date, currency=customer.currency,
                      payment_terms=(customer.payment_terms if payment_terms is CUSTOMER_TERMS
                                     else payment_terms),
                      cash_discount_terms=(customer.cash_discount_terms
                                           if cash_discount_terms is CUSTOMER_TERMS
                                           else cash_discount_terms),
                      original=original,
                      corrects=corrects, reason=reason.strip()[:255],
                      your_reference=your_reference.strip()[:100],
                      attributes=dict(attributes or {}), created_by=actor.user)
    rows = _lines(invoice, lines, **({} if params is None else
                                     {"default_tax": params.default_tax_code}))
    _totals(invoice, rows)
    invoice._built_lines = rows
    if save:  # else the posting writes it, once, posted
        invoice.save(force_insert=True)
        InvoiceLine.objects.bulk_create(rows)
        _audit_create(invoice, actor)
    return invoice


def _audit_create(invoice: Invoice, actor: Actor) -> None:
    audit_record(actor=actor, action="receivables.invoice.create", obj=invoice,
                 data={"kind": invoice.kind, "customer": invoice.customer.account_number,
                       "total": invoice.total_amount})


@transaction.atomic
def invoice_lines_replace(*, invoice: Invoice, lines: Sequence[LineSpec], actor: Actor) -> Invoice:
    actor.require("receivables.change_invoice")
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.DRAFT:
        raise RuleViolation(f"{locked} is posted; credit or correct it instead",
                            code="invoice_posted")
    rows = _lines(locked, lines)
    locked.lines.all().delete()
    InvoiceLine.objects.bulk_create(rows)
    _totals(locked, rows)
    locked.save(update_fields=["net_amount", "tax_amount", "total_amount"])
    return locked


def _due_date(invoice: Invoice, params=None) -> date:
    if invoice.due_date:
        return invoice.due_date
    return due_date_for(invoice.invoice_date, invoice.payment_terms
                        or invoice.customer.payment_terms
                        or (params or parameters_for(invoice.legal_entity)).default_payment_terms)


def due_date_for(invoice_date: date, terms) -> date:
    """The due date by the payment terms (the invoice date without any)."""
    if terms is None:
        return invoice_date
    return rules.due_date(invoice_date, terms.method, terms.days)


def entry_lines_for(*, number: str, sign: int, total: Decimal, currency: str, lines,
                    receivable: Account, customer_number: str) -> list[PostingLine]:
    """An invoice's voucher: the receivable against each revenue account and each sales tax
    account (in account number order), signed by the kind (a credit note the other way)."""
    entry_lines = [PostingLine(receivable, Money(sign * total, currency),
                               f"{customer_number} {number}")]
    revenue: dict = defaultdict(lambda: ZERO)
    tax: dict = defaultdict(lambda: ZERO)
    for line in lines:
        revenue[line.revenue_account] += line.amount
        if line.tax_amount:
            tax[line.tax_code.account] += line.tax_amount
    for account, amount in sorted(revenue.items(), key=lambda kv: kv[0].number):
        entry_lines.append(PostingLine(account, Money(-sign * amount, currency), number))
    for account, amount in sorted(tax.items(), key=lambda kv: kv[0].number):
        entry_lines.append(PostingLine(account, Money(-sign * amount, currency),
                                       f"sales tax {number}"))
    return entry_lines


def posting_problem(invoice: Invoice, customer: Customer, lines) -> InvalidInput | RuleViolation | None:
    """Why a document cannot post (the rule for one posted by a clerk and a batch alike)."""
    if invoice.kind == InvoiceKind.INVOICE and customer.status != CustomerStatus.ACTIVE:
        return RuleViolation(f"{customer} is {customer.get_status_display()}; no invoices",
                             code="customer_on_hold")
    if not lines:
        return InvalidInput.field("lines", "an invoice needs at least one line")
    if invoice.total_amount <= 0:
        return InvalidInput.field("lines", "the total must be greater than zero (a line may "
                                  "be negative, e.g. a discount, but not the whole document)")
    return None


def _discount_dates(invoice: Invoice) -> list[rules.DiscountPeriod]:
    if invoice.original_id is not None:  # a credit note carries its invoice's discount
        item = invoice.original.transactions.first()
        return [rules.DiscountPeriod(d.until, d.percent)
                for d in item.discount_dates.all()] if item else []
    terms = invoice.cash_discount_terms
    if terms is None:
        return []
    return rules.discount_dates(invoice.invoice_date,
                                [(p.days, p.percent) for p in terms.periods.all()])


@transaction.atomic
def invoice_draft_delete(*, invoice: Invoice, actor: Actor) -> None:
    """Discard a draft that will not be posted. It never reached the books, so nothing is
    reversed; the audit log keeps who discarded what. A posted document is credited or
    corrected instead."""
    actor.require("receivables.change_invoice")
    locked = (Invoice.objects.select_for_update().select_related("customer")
              .filter(pk=invoice.pk).first())
    if locked is None:
        raise RuleViolation(f"{invoice} is already gone", code="invoice_gone")
    if locked.status != InvoiceStatus.DRAFT:
        raise RuleViolation(f"{locked} is posted; credit or correct it instead",
                            code="invoice_posted")
    audit_record(actor=actor, action="receivables.invoice.delete", obj=locked,
                 data={"kind": locked.kind, "customer": locked.customer.account_number,
                       "total": locked.total_amount, "currency": locked.currency})
    locked.delete()


@transaction.atomic
def invoice_post(*, invoice: Invoice, actor: Actor, apply_to_original: bool = True) -> Invoice:
    """Post a draft: its number, a balanced entry (receivable against revenue and sales tax)
    and an open item with its due date and cash discount dates. A credit note for an invoice
    is settled against it at once; a correction first cancels the invoice it corrects."""
    actor.require("receivables.post_invoice")
    with config_scope(), audit_together():
        customers_lock([invoice.customer_id])  # the query also tells the config stamp
        locked = (Invoice.objects.select_for_update().select_related("customer", "legal_entity")
                  .get(pk=invoice.pk))
        if locked.status != InvoiceStatus.DRAFT:
            raise RuleViolation(f"{locked} is already posted", code="invoice_posted")
        lines = list(locked.lines.select_related("revenue_account", "tax_code__account"))
        return _post(locked, lines, actor, apply_to_original, locked_already=True,
                     params=parameters_read(locked.legal_entity))


@transaction.atomic
def invoice_issue(*, customer: Customer, invoice_date: date, lines: Sequence[LineSpec],
                  actor: Actor, **options) -> Invoice:
    """Create and post in one step (imports, recurring runs, the demo): the same checks and
    postings as a draft posted by a clerk, without reading it back; the configuration read
    once for both."""
    actor.require("receivables.post_invoice")
    with config_scope(), audit_together():
        customers_lock([customer.pk])  # first, as every posting; it also tells the config stamp
        params = parameters_read(customer.legal_entity)
        draft = _create(customer=customer, invoice_date=invoice_date, lines=lines,
                        actor=actor, params=params, save=False, **options)
        return _post(draft, list(draft._built_lines), actor, apply_to_original=True,
                     locked_already=True, params=params)


def _post(locked: Invoice, lines: list[InvoiceLine], actor: Actor,
          apply_to_original: bool, *, locked_already: bool = False, params=None) -> Invoice:
    if not locked_already:
        customers_lock([locked.customer_id])  # before any item or number sequence
    customer = locked.customer
    _totals(locked, lines)
    problem = posting_problem(locked, customer, lines)
    if problem is not None:
        raise problem
    if locked.corrects_id is not None:
        _cancel(locked.corrects, locked.invoice_date, locked.reason, actor)

    _, locked.number = sequence_next_by_code(locked.legal_entity, locked.kind)
    sign = locked.sign
    receivable = receivable_account_for(customer)
    entry_lines = entry_lines_for(number=locked.number, sign=sign, total=locked.total_amount,
                                  currency=locked.currency, lines=lines, receivable=receivable,
                                  customer_number=customer.account_number)
    entry = journal_entry_post(
        legal_entity=locked.legal_entity, journal=journal_for_type(locked.legal_entity,
                                                                   JournalType.SALES),
        entry_date=locked.invoice_date,
        description=f"{locked.get_kind_display().capitalize()} {locked.number} "
                    f"{customer.name}"[:255],
        lines=entry_lines, actor=actor, source=INVOICE_SOURCE)
    first = entry.built_lines[0]  # the receivable line
    due = _due_date(locked, params) if sign > 0 else locked.invoice_date
    locked.status = InvoiceStatus.POSTED
    locked.journal_entry = entry
    locked.posted_at = timezone.now()
    if sign > 0:
        locked.due_date = due
    if locked.pk is None:  # issued in one step: written once, already posted
        insert([locked])
        insert(lines)
        _audit_create(locked, actor)
    else:
        locked.save(update_fields=["status", "number", "journal_entry", "posted_at",
                                   "due_date", "net_amount", "tax_amount", "total_amount"])
    item = CustomerTransaction(
        legal_entity=locked.legal_entity, customer=customer,
        kind=TransactionKind.CREDIT_NOTE if sign < 0 else TransactionKind.INVOICE,
        document_number=locked.number, document_date=locked.invoice_date, due_date=due,
        currency=locked.currency, amount=sign * locked.total_amount,
        amount_acc=first.debit_acc - first.credit_acc, receivable_account=receivable,
        journal_entry=entry, invoice=locked, description=locked.reason or "",
        attributes=locked.attributes)
    insert([item])
    insert([CashDiscountDate(transaction=item, until=p.until, percent=p.percent)
            for p in _discount_dates(locked)])
    audit_record(actor=actor, action="receivables.invoice.post", obj=locked,
                 data={"number": locked.number, "total": locked.total_amount,
                       "currency": locked.currency, "entry": entry.number})
    invoice_posted.send(sender=Invoice, invoice=locked, item=item)
    if locked.original_id and apply_to_original:
        original_item = locked.original.transactions.filter(is_open=True).first()
        if original_item is not None:
            settle(customer=customer, on=settle_date([original_item], locked.invoice_date),
                   kind=SettlementKind.CREDIT_NOTE,
                   marks=[MarkSpec(item), MarkSpec(original_item)], actor=actor)
    return locked


def _cancel(original: Invoice, on: date, reason: str, actor: Actor) -> Invoice:
    """The cancelling credit note of a correction: the original's lines, settled against it."""
    item = original.transactions.select_for_update().first()
    if item is None or item.settled_amount != 0:
        raise RuleViolation(f"{original} has payments or credits settled against it; unsettle "
                            "them before correcting it", code="invoice_settled")
    cancel = invoice_create(
        customer=original.customer, invoice_date=on, kind=InvoiceKind.CREDIT_NOTE,
        original=original, reason=f"Cancels {original.number}: {reason}"[:255], actor=actor,
        lines=[LineSpec(line.description, line.unit_price, line.quantity, line.revenue_account,
                        line.tax_code) for line in original.lines.all()])
    cancel = invoice_post(invoice=cancel, actor=actor, apply_to_original=False)
    settle(customer=original.customer, on=on, kind=SettlementKind.CORRECTION, actor=actor,
           marks=[MarkSpec(cancel.transactions.get(), use_cash_discount="never"),
                  MarkSpec(item, use_cash_discount="never")])
    return cancel


@transaction.atomic
def invoice_correction_start(*, invoice: Invoice, correction_date: date, reason: str,
                             actor: Actor) -> Invoice:
    """A draft corrected invoice, a copy of the original to edit. Posting it cancels the
    original with a credit note settled against it, then posts the correction."""
    actor.require("receivables.post_invoice")
    if invoice.status != InvoiceStatus.POSTED or invoice.kind != InvoiceKind.INVOICE:
        raise RuleViolation(f"only a posted invoice can be corrected, not {invoice}",
                            code="not_correctable")
    if invoice.corrections.exists():
        raise RuleViolation(f"{invoice} already has a correction", code="already_corrected")
    if not reason.strip():
        raise InvalidInput.field("reason", "say why the invoice is corrected")
    if correction_date < invoice.invoice_date:
        raise InvalidInput.field("correction_date", f"must be on or after {invoice.invoice_date}")
    item = invoice.transactions.first()
    if item is None or item.settled_amount != 0:
        raise RuleViolation(f"{invoice} has payments or credits settled against it; unsettle "
                            "them before correcting it", code="invoice_settled")
    return invoice_create(
        customer=invoice.customer, invoice_date=correction_date, corrects=invoice,
        reason=reason, your_reference=invoice.your_reference, actor=actor,
        lines=[LineSpec(line.description, line.unit_price, line.quantity, line.revenue_account,
                        line.tax_code) for line in invoice.lines.all()])

