"""Builders for credit stories: customers with limits, sales orders and their steps — all
through the services, as a credit manager or a sales rep would."""

from datetime import date
from decimal import Decimal

import pytest

from remit.credit import adjustments
from remit.credit.models import BlockingRule, Checkpoint
from remit.credit.setup import credit_for, parameters_for
from remit.receivables.models import CustomerGroup, SalesTaxCode
from remit.receivables.services import LineSpec, customer_create
from remit.sales.services import sales_order_create, sales_order_post
from tests.helpers import SYSTEM

DAY = date(2026, 3, 2)


class CreditStory:
    def __init__(self, entity):
        self.entity = entity
        self.group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
        self.zero_tax = SalesTaxCode.objects.get(legal_entity=entity, code="Z")
        self.counter = 0

    def customer(self, limit=None, *, expires=date(2027, 12, 31), entity=None, number=None,
                 **credit):
        entity = entity or self.entity
        self.counter += 1
        customer = customer_create(
            legal_entity=entity, account_number=number or str(20000 + self.counter),
            name=f"Credit customer {self.counter}",
            group=self.group if entity == self.entity else
            CustomerGroup.objects.get_or_create(legal_entity=entity, code="DOM",
                                                defaults={"name": "Domestic"})[0],
            currency=entity.accounting_currency, actor=SYSTEM)
        if limit is not None:
            self.set_limit(customer, limit, expires)
        if credit:
            record = credit_for(customer)
            for key, value in credit.items():
                setattr(record, key, value)
            record.save()
        return customer

    def set_limit(self, customer, limit, expires=date(2027, 12, 31)):
        journal = adjustments.adjustment_create(legal_entity=customer.legal_entity,
                                                kind="limit", actor=SYSTEM)
        adjustments.adjustment_line_add(adjustment=journal, customer=customer,
                                        new_limit=Decimal(limit), new_to=expires, actor=SYSTEM)
        adjustments.adjustment_post(adjustment=journal, on=DAY, actor=SYSTEM)

    def order(self, customer, amount="1000.00", on=DAY, **kw):
        return sales_order_create(customer=customer, order_date=on, actor=SYSTEM, lines=[
            LineSpec("Widgets", Decimal(amount), tax_code=self.zero_tax)], **kw)

    def post(self, order, step="confirmation", on=DAY, actor=SYSTEM, **kw):
        return sales_order_post(order=order, step=step, on=on, actor=actor, **kw)

    def params(self, **values):
        params = parameters_for(self.entity)
        for key, value in values.items():
            setattr(params, key, value)
        params.save()

    def checkpoint(self, step, **values):
        Checkpoint.objects.filter(legal_entity=self.entity, step=step).update(**values)

    def rule(self, rule_type, **kw):
        return BlockingRule.objects.create(legal_entity=self.entity, rule_type=rule_type, **kw)


@pytest.fixture
def cs(entity):
    return CreditStory(entity)
