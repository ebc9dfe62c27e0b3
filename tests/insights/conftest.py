"""A receivables history with customers who pay on time, late and very late — built through
the services, for the prediction tests."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.core.money import Money
from remit.receivables.models import CustomerGroup, SalesTaxCode
from remit.receivables.services import (
    LineSpec,
    MarkSpec,
    customer_create,
    invoice_issue,
    payment_register,
)
from tests.helpers import SYSTEM

START = date(2025, 1, 6)
PAID_UNTIL = date(2026, 3, 1)


class Book:
    """Customers who pay on time, late or very late, invoiced every two weeks for a year."""

    def __init__(self, entity):
        self.entity = entity
        self.group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Dom")
        self.tax = SalesTaxCode.objects.get(legal_entity=entity, code="Z")
        self.n = 0

    def customer(self, delay_days: int, invoices: int, start=START, every=14,
                 pay: bool = True):
        self.n += 1
        customer = customer_create(legal_entity=self.entity, account_number=str(30000 + self.n),
                                   name=f"Payer {self.n}", group=self.group,
                                   customer_since=start - timedelta(days=30), actor=SYSTEM)
        for k in range(invoices):
            day = start + timedelta(days=every * k + self.n % 5)
            posted = invoice_issue(customer=customer, invoice_date=day,
                                   due_date=day + timedelta(days=14), actor=SYSTEM,
                                   lines=[LineSpec("Service", Decimal(1000 + 37 * k),
                                                   tax_code=self.tax)])
            paid_on = day + timedelta(days=14 + delay_days + (k % 3))
            if pay and paid_on < PAID_UNTIL:
                payment_register(customer=customer, payment_date=paid_on,
                                 amount=Money.of(posted.total_amount, "NOK"),
                                 marks=[MarkSpec(posted.transactions.get())], actor=SYSTEM)
        return customer


@pytest.fixture
def book(entity):
    book = Book(entity)
    for delay in (-3, -1, 0, 6, 12, 20, 45, 60):
        book.customer(delay, 26)
    return book
