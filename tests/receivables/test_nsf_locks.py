"""A bounce locks the payment and every item of its settlements at once, in key order, after
the customer and before any number sequence: a transaction locking the same items in key order
cannot deadlock with it (PostgreSQL, real connections)."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction

from remit.core.services import legal_entity_create
from remit.receivables.models import CustomerTransaction
from remit.receivables.services import MarkSpec, payment_bounce, settle
from tests.helpers import SYSTEM
from tests.receivables.conftest import Story

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_bounce_never_deadlocks_with_a_key_order_item_lock():
    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    story = Story(entity)
    customer = story.customer()
    low = story.invoice(customer, "1000.00")
    high = story.invoice(customer, "1000.00")
    payment = story.pay(customer, "2000.00", date(2026, 3, 5))
    settle(customer=customer, on=date(2026, 3, 5), kind="payment", payment=payment,
           marks=[MarkSpec(low)], actor=SYSTEM)
    settle(customer=customer, on=date(2026, 3, 6), kind="payment", payment=payment,
           marks=[MarkSpec(high)], actor=SYSTEM)
    assert low.pk < high.pk < payment.pk
    holding = threading.Event()
    outcomes = {}

    def agent():  # locks items in key order, e.g. collection_status_set([low, high])
        try:
            with transaction.atomic():
                list(CustomerTransaction.objects.select_for_update().filter(pk=low.pk))
                holding.set()
                time.sleep(1.5)  # the bounce now holds `high` and waits for `low`
                list(CustomerTransaction.objects.select_for_update().filter(pk=high.pk))
            outcomes["agent"] = "ok"
        except Exception as exc:  # noqa: BLE001
            outcomes["agent"] = exc
        finally:
            connection.close()

    def clerk():
        try:
            holding.wait(10)
            payment_bounce(payment=payment, on=date(2026, 3, 10), actor=SYSTEM)
            outcomes["clerk"] = "ok"
        except Exception as exc:  # noqa: BLE001
            outcomes["clerk"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=agent), threading.Thread(target=clerk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes == {"agent": "ok", "clerk": "ok"}, outcomes
    assert CustomerTransaction.objects.get(pk=low.pk).open_amount == Decimal("1000.00")
