"""Credit decisions racing on PostgreSQL with real connections. Each race is forced into the
dangerous interleaving: the first transaction has made its decision but not committed when the
second one decides. With the locks, the second waits and sees the first; without them it would
decide on the same headroom. The order and key-order tests fail with their locks taken out;
an automatic release is protected twice (the group lock, and the check again at posting)."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from remit.core.services import legal_entity_create
from remit.credit import adjustments, holds, services
from remit.sales.models import OrderStatus, SalesOrder
from tests.helpers import SYSTEM, first_then_second

from .conftest import DAY, CreditStory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _story():
    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    story = CreditStory(entity)
    # delivered, not yet invoiced orders count: the packing slip step is where they race
    story.params(limit_type="balance_packing")
    return story


def _delivered(orders):
    return SalesOrder.objects.filter(pk__in=[o.pk for o in orders],
                                     status=OrderStatus.DELIVERED).count()


def test_two_orders_of_one_customer_cannot_both_pass_the_same_limit():
    story = _story()
    customer = story.customer(limit=1000)
    a, b = story.order(customer, "600.00"), story.order(customer, "600.00")
    out = first_then_second(lambda: story.post(a, "packing_slip"),
                             lambda: story.post(b, "packing_slip"))
    assert out["first"].posted and not out["second"].posted, out
    assert _delivered([a, b]) == 1


def test_two_customers_of_one_credit_group_cannot_both_pass_the_group_limit():
    story = _story()
    group = services.credit_group_create(code="G", description="Shared", currency="NOK",
                                         credit_limit=1000, limit_expires=date(2027, 1, 1),
                                         actor=SYSTEM)
    customers = [story.customer(limit=0) for _ in range(2)]
    for customer in customers:
        services.credit_group_add(group=group, customer=customer, actor=SYSTEM)
    a, b = (story.order(c, "600.00") for c in customers)
    out = first_then_second(lambda: story.post(a, "packing_slip"),
                             lambda: story.post(b, "packing_slip"))
    assert out["first"].posted and not out["second"].posted, out
    assert _delivered([a, b]) == 1


def test_an_automatic_release_and_a_group_members_posting_share_no_headroom():
    story = _story()
    story.params(limit_type="balance_packing", auto_release="with_posting")
    group = services.credit_group_create(code="G", description="G", currency="NOK",
                                         credit_limit=100, limit_expires=date(2027, 6, 30),
                                         actor=SYSTEM)
    a, b = story.customer(limit=0), story.customer(limit=0)
    for customer in (a, b):
        services.credit_group_add(group=group, customer=customer, actor=SYSTEM)
    order_a, order_b = story.order(a, "600.00"), story.order(b, "600.00")
    assert not story.post(order_a, "packing_slip").posted  # held: the group has 100
    journal = adjustments.adjustment_create(legal_entity=story.entity, kind="limit",
                                            actor=SYSTEM)
    adjustments.adjustment_line_add(adjustment=journal, credit_group=group, new_limit=1000,
                                    new_to=date(2027, 6, 30), actor=SYSTEM)
    adjustments.adjustment_post(adjustment=journal, on=DAY, actor=SYSTEM)
    out = first_then_second(
        lambda: story.post(order_b, "packing_slip"),
        lambda: holds.holds_evaluate(legal_entity=story.entity, as_of=DAY, actor=SYSTEM))
    assert out["first"].posted, out
    assert out["second"].released == 0, out  # it waited, then saw b's delivery
    assert _delivered([order_a, order_b]) == 1


def test_adjustment_posting_locks_groups_in_key_order_whatever_the_line_order():
    """Journal lines naming G2 then G1: posting waits for G1 before it takes G2, so two
    journals naming them in opposite orders cannot deadlock. While another transaction holds
    G1 and the posting waits, G2 is still free."""
    from remit.credit.models import CreditGroup

    story = _story()
    g1, g2 = (services.credit_group_create(code=code, description=code, currency="NOK",
                                           credit_limit=100, limit_expires=date(2027, 1, 1),
                                           actor=SYSTEM) for code in ("G1", "G2"))
    journal = adjustments.adjustment_create(legal_entity=story.entity, kind="limit",
                                            actor=SYSTEM)
    for group in (g2, g1):
        adjustments.adjustment_line_add(adjustment=journal, credit_group=group, new_limit=500,
                                        new_to=date(2027, 1, 1), actor=SYSTEM)
    probe = {}

    def g2_free():  # on its own connection, while the posting waits for G1
        try:
            with transaction.atomic():
                CreditGroup.objects.select_for_update(nowait=True).get(pk=g2.pk)
            probe["g2"] = "free"
        except Exception as exc:  # noqa: BLE001
            probe["g2"] = repr(exc)[:80]
        finally:
            connection.close()

    def check_g2():
        thread = threading.Thread(target=g2_free)
        thread.start()
        thread.join(10)

    out = first_then_second(
        lambda: CreditGroup.objects.select_for_update().get(pk=g1.pk),
        lambda: adjustments.adjustment_post(adjustment=journal, on=DAY, actor=SYSTEM),
        meanwhile=check_g2)
    assert not isinstance(out.get("second"), Exception), out
    assert probe == {"g2": "free"}
