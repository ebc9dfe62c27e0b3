"""A receivables history with customers who pay on time, late and very late — posted through
the batch services (the rules of the per-document ones, tests/receivables/test_batch_paths.py
proves them equal) so that a year of history costs a test a fraction of a second."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.core.money import Money
from remit.receivables.models import CustomerGroup, CustomerTransaction, PaymentTerms, SalesTaxCode
from remit.receivables.services import LineSpec, MarkSpec, PaymentSpec, customer_create
from remit.receivables.services.invoice_batch import IssueSpec, invoices_issue_batch
from remit.receivables.services.payment_batch import payments_register_batch
from tests.helpers import SYSTEM

START = date(2025, 1, 6)
PAID_UNTIL = date(2026, 3, 1)


class Book:
    """Customers who pay on time, late or very late, invoiced every two weeks for a year."""

    def __init__(self, entity):
        self.entity = entity
        self.group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Dom")
        self.tax = SalesTaxCode.objects.get(legal_entity=entity, code="Z")
        self.terms = PaymentTerms.objects.get(legal_entity=entity, code="N14")  # due in 14 days
        self.n = 0

    def customer(self, delay_days: int, invoices: int, start=START, every=14,
                 pay: bool = True):
        self.n += 1
        customer = customer_create(legal_entity=self.entity, account_number=str(30000 + self.n),
                                   name=f"Payer {self.n}", group=self.group,
                                   payment_terms=self.terms,
                                   customer_since=start - timedelta(days=30), actor=SYSTEM)
        days = [start + timedelta(days=every * k + self.n % 5) for k in range(invoices)]
        issued = invoices_issue_batch(legal_entity=self.entity, actor=SYSTEM, specs=[
            IssueSpec(customer, day, [LineSpec("Service", Decimal(1000 + 37 * k),
                                               tax_code=self.tax)])
            for k, day in enumerate(days)])
        items = CustomerTransaction.objects.in_bulk([done.item.pk for done in issued])
        payments = []
        for k, (day, done) in enumerate(zip(days, issued)):
            paid_on = day + timedelta(days=14 + delay_days + (k % 3))
            if pay and paid_on < PAID_UNTIL:
                item = items[done.item.pk]
                payments.append(PaymentSpec(customer, paid_on, Money.of(item.amount, "NOK"),
                                            None, marks=[MarkSpec(item)]))
        payments_register_batch(legal_entity=self.entity, payments=payments, actor=SYSTEM)
        return customer


@pytest.fixture
def book(entity):
    book = Book(entity)
    for delay in (-3, -1, 0, 6, 12, 20, 45, 60):
        book.customer(delay, 26)
    return book
