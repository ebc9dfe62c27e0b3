"""Two orders racing past the same credit headroom, on PostgreSQL with real connections: the
check locks the customer (and its credit group) before it reads the exposure, so the second
order sees the first and is held. Without the locks both would pass."""

from datetime import date

import pytest

from remit.core.services import legal_entity_create
from remit.credit import services
from remit.sales.models import OrderStatus, SalesOrder
from tests.helpers import SYSTEM
from tests.services.test_concurrency import race

from .conftest import DAY, CreditStory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _story():
    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    story = CreditStory(entity)
    # delivered, not yet invoiced orders count: the packing slip step is where they race
    story.params(limit_type="balance_packing")
    return story


def _outcome(orders):
    delivered = SalesOrder.objects.filter(pk__in=[o.pk for o in orders],
                                          status=OrderStatus.DELIVERED).count()
    held = SalesOrder.objects.filter(pk__in=[o.pk for o in orders],
                                     credit_holds__status="open").count()
    return delivered, held


def test_two_orders_of_one_customer_cannot_both_pass_the_same_limit():
    story = _story()
    customer = story.customer(limit=1000)
    orders = [story.order(customer, "600.00") for _ in range(2)]
    outcomes = race(2, lambda i: story.post(orders[i], "packing_slip"))
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert _outcome(orders) == (1, 1)


def test_two_customers_of_one_credit_group_cannot_both_pass_the_group_limit():
    story = _story()
    group = services.credit_group_create(code="G", description="Shared", currency="NOK",
                                         credit_limit=1000, limit_expires=date(2027, 1, 1),
                                         actor=SYSTEM)
    customers = [story.customer(limit=0) for _ in range(2)]
    for customer in customers:
        services.credit_group_add(group=group, customer=customer, actor=SYSTEM)
    orders = [story.order(c, "600.00") for c in customers]
    outcomes = race(2, lambda i: story.post(orders[i], "packing_slip", on=DAY))
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert _outcome(orders) == (1, 1)
