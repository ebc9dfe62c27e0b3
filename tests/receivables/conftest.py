"""Builders for receivables stories: a customer, an invoice, a payment — through the services."""

from datetime import date
from decimal import Decimal

import pytest

from remit.core.money import Money
from remit.ledger.services import ledger_check_run
from remit.receivables.models import (
    CashDiscountTerms,
    CustomerGroup,
    CustomerTransaction,
    SalesTaxCode,
)
from remit.receivables.services import (
    LineSpec,
    MarkSpec,
    customer_create,
    invoice_create,
    invoice_post,
    parameters_for,
    payment_register,
)
from tests.helpers import SYSTEM

DAY0 = date(2026, 3, 2)


class Story:
    def __init__(self, entity):
        self.entity = entity
        self.group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
        self.zero_tax = SalesTaxCode.objects.get(legal_entity=entity, code="Z")
        self.counter = 0

    def customer(self, currency="NOK", discount=None):
        self.counter += 1
        terms = None
        if discount:
            terms = CashDiscountTerms.objects.create(legal_entity=self.entity,
                                                     code=f"T{self.counter}", name=discount)
            for part in discount.split(","):
                percent, days = part.split("/")
                terms.periods.create(percent=Decimal(percent), days=int(days))
        return customer_create(legal_entity=self.entity, account_number=str(10000 + self.counter),
                               name=f"Customer {self.counter}", group=self.group,
                               currency=currency, cash_discount_terms=terms, actor=SYSTEM)

    def invoice(self, customer, amount="1000.00", on=DAY0, *, tax=None, discount="keep", **kw):
        draft = invoice_create(customer=customer, invoice_date=on, actor=SYSTEM, lines=[
            LineSpec("Consulting", Decimal(amount), tax_code=tax or self.zero_tax)], **kw)
        posted = invoice_post(invoice=draft, actor=SYSTEM)
        return posted.transactions.get()

    def pay(self, customer, amount, on, *marks, full_settlement=False, **mark_kw):
        return payment_register(
            customer=customer, payment_date=on, amount=Money.of(amount, customer.currency),
            marks=[MarkSpec(m, **mark_kw) if isinstance(m, CustomerTransaction) else m
                   for m in marks],
            full_settlement=full_settlement, actor=SYSTEM)

    def tolerances(self, penny="0", over_under="0", **flags):
        params = parameters_for(self.entity)
        params.max_penny_difference = Decimal(penny)
        params.max_over_under = Decimal(over_under)
        for key, value in flags.items():
            setattr(params, key, value)
        params.save()


def fresh(item):
    item.refresh_from_db()
    return item


def books_ok():
    run = ledger_check_run(actor=SYSTEM)
    assert run.ok, run.violations
    return True


@pytest.fixture
def story(entity):
    return Story(entity)
