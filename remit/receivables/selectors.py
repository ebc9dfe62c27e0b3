"""Read-side queries for receivables: customers with balances, open items, history, invoices.

The lists and look-ups take a ``CustomerScope`` (core.scope), not a bare legal entity: what a
user may see is decided there, once, and no query here can leave it out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery

from remit.core.db import ExactSum
from remit.core.exceptions import NotFound
from remit.core.money import ZERO
from remit.core.scope import CustomerScope

from . import rules
from .models import (
    CashDiscountDate,
    Customer,
    CustomerTransaction,
    Invoice,
    Settlement,
    TransactionKind,
)


def customers_list(scope: CustomerScope, *, text: str | None = None,
                   group: str | None = None) -> QuerySet[Customer]:
    qs = (Customer.objects.filter(scope.q(""), legal_entity=scope.legal_entity)
          .select_related("group")
          .annotate(balance=ExactSum(F("transactions__amount") - F("transactions__settled_amount"),
                                     zero=True))
          .order_by("account_number"))
    if text:
        qs = qs.filter(Q(search_name__contains=text.casefold())
                       | Q(account_number__startswith=text) | Q(organisation_number=text))
    if group:
        qs = qs.filter(group__code=group)
    return qs


def customer_by_number(scope: CustomerScope, account_number: str) -> Customer:
    legal_entity = scope.legal_entity
    customer = (Customer.objects.filter(scope.q(""), legal_entity=legal_entity,
                                        account_number=account_number)
                .select_related("group", "legal_entity", "payment_terms", "cash_discount_terms",
                                "salesperson", "tax_code")
                .prefetch_related("contacts", "addresses").first())
    if customer is None:
        raise NotFound(f"No customer {account_number} in {legal_entity.code}")
    return customer


def open_items(customer: Customer) -> QuerySet[CustomerTransaction]:
    return (CustomerTransaction.objects.filter(customer=customer, is_open=True)
            .select_related("journal_entry", "invoice")
            .prefetch_related(Prefetch("discount_dates", CashDiscountDate.objects.order_by("until")))
            .order_by("due_date", "id"))


def transactions(customer: Customer) -> QuerySet[CustomerTransaction]:
    return (CustomerTransaction.objects.filter(customer=customer)
            .select_related("journal_entry", "invoice")
            .order_by("-document_date", "-id"))


def settlements(customer: Customer) -> QuerySet[Settlement]:
    return (Settlement.objects.filter(customer=customer)
            .select_related("journal_entry", "reversal_entry")
            .prefetch_related("lines__item").order_by("-settled_on", "-id"))


def customer_summary(customer: Customer, as_of: date) -> dict:
    """Balance, overdue and the last payment, in the customer's currency and the accounting
    currency, from two aggregate queries."""
    items = CustomerTransaction.objects.filter(customer=customer)
    open_part = F("amount") - F("settled_amount")
    totals = items.aggregate(
        balance=ExactSum(open_part, zero=True),
        balance_acc=ExactSum(F("amount_acc") - F("settled_acc"), zero=True),
        overdue=ExactSum(open_part, filter=Q(is_open=True, amount__gt=0, due_date__lt=as_of),
                         zero=True),
    )
    totals["open_items"] = items.filter(is_open=True).count()
    totals["last_payment"] = items.filter(kind=TransactionKind.PAYMENT).aggregate(
        d=Max("document_date"))["d"]
    return totals


def discount_offer(item: CustomerTransaction, on: date) -> tuple[Decimal, Decimal]:
    """(discount, net to pay) if the item is settled in full on ``on`` — what a payment form
    proposes. A credit note's discount is negative: it is worth less than its face value."""
    periods = tuple(rules.DiscountPeriod(d.until, d.percent) for d in item.discount_dates.all())
    if not periods or not item.is_open:
        return ZERO, item.open_amount
    discount = rules.discount_available(
        rules.OpenItem(item.pk, item.kind, item.document_date, item.due_date, item.amount,
                       item.open_amount, item.discount_taken, periods), on, item.currency)
    return discount, item.open_amount - discount


def invoices_list(scope: CustomerScope, *, status: str | None = None,
                  kind: str | None = None, text: str | None = None) -> QuerySet[Invoice]:
    open_part = Subquery(CustomerTransaction.objects.filter(invoice=OuterRef("pk"))
                         .annotate(o=F("amount") - F("settled_amount")).values("o")[:1])
    qs = (Invoice.objects.filter(scope.q(), legal_entity=scope.legal_entity)
          .select_related("customer")
          .annotate(open_signed=open_part).order_by("-invoice_date", "-id"))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(Q(number__icontains=text)
                       | Q(customer__search_name__contains=text.casefold())
                       | Q(customer__account_number=text))
    return qs


def invoice_detail(scope: CustomerScope, pk: int) -> Invoice:
    legal_entity = scope.legal_entity
    invoice = (Invoice.objects.filter(scope.q(), legal_entity=legal_entity, pk=pk)
               .select_related("customer", "journal_entry", "original", "corrects",
                               "payment_terms", "cash_discount_terms")
               .prefetch_related("lines__revenue_account", "lines__tax_code", "transactions",
                                 "credit_notes", "corrections").first())
    if invoice is None:
        raise NotFound(f"No invoice {pk} in {legal_entity.code}")
    return invoice


def transactions_list(scope: CustomerScope, *, state: str | None = None,
                      kind: str | None = None, text: str | None = None, as_of: date,
                      due_from: date | None = None, due_to: date | None = None):
    """Every customer transaction of the legal entity — posted invoices, imported history,
    credit notes, payments — filtered as a clerk asks: open, overdue or settled."""
    qs = (CustomerTransaction.objects.filter(scope.q(), legal_entity=scope.legal_entity)
          .select_related("customer").order_by("-document_date", "-id"))
    if state == "open":
        qs = qs.filter(is_open=True)
    elif state == "overdue":
        qs = qs.filter(is_open=True, amount__gt=0, due_date__lt=as_of)
    elif state == "settled":
        qs = qs.filter(is_open=False)
    if kind:
        qs = qs.filter(kind=kind)
    if due_from:
        qs = qs.filter(due_date__gte=due_from)
    if due_to:
        qs = qs.filter(due_date__lte=due_to)
    if text:
        qs = qs.filter(Q(document_number__icontains=text)
                       | Q(customer__search_name__contains=text.casefold())
                       | Q(customer__account_number=text))
    return qs
