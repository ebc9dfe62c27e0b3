"""Two payments for one invoice at the same moment, on PostgreSQL with real connections: the
invoice is never settled beyond its amount, and the second payment's money stays open."""

from datetime import date
from decimal import Decimal

import pytest

from remit.core.services import legal_entity_create
from remit.ledger.services import ledger_check_run
from remit.receivables.models import CustomerTransaction, Settlement
from tests.helpers import SYSTEM
from tests.receivables.conftest import Story
from tests.services.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_payments_racing_for_one_invoice_settle_it_once():
    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    story = Story(entity)
    customer = story.customer()
    invoice = story.invoice(customer, "1000.00")

    outcomes = race(2, lambda i: story.pay(customer, "1000.00", date(2026, 3, 5), invoice))
    assert all(isinstance(o, CustomerTransaction) for o in outcomes), outcomes
    invoice.refresh_from_db()
    assert invoice.settled_amount == Decimal("1000.00") and not invoice.is_open
    opens = sorted(CustomerTransaction.objects.get(pk=o.pk).open_amount for o in outcomes)
    assert opens == [Decimal("-1000.00"), 0]
    assert Settlement.objects.count() == 1
    assert ledger_check_run(actor=SYSTEM).ok


def test_two_settlements_racing_for_one_invoice_lock_it():
    """Both payments are already posted and open; two clerks settle each against the same
    invoice at once. The item lock makes the second see the first's result."""
    from remit.receivables.services import MarkSpec, settle

    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    story = Story(entity)
    customer = story.customer()
    invoice = story.invoice(customer, "1000.00")
    payments = [story.pay(customer, "1000.00", date(2026, 3, 5)) for _ in range(2)]

    outcomes = race(2, lambda i: settle(customer=customer, on=date(2026, 3, 5), kind="payment",
                                        payment=payments[i], marks=[MarkSpec(invoice)],
                                        actor=SYSTEM, skip_settled=True))
    assert sum(isinstance(o, Settlement) for o in outcomes) == 1, outcomes
    assert sum(o is None for o in outcomes) == 1
    invoice.refresh_from_db()
    assert invoice.settled_amount == Decimal("1000.00")
    assert ledger_check_run(actor=SYSTEM).ok


def test_a_payment_posted_while_a_clerk_settles_the_same_invoice_never_deadlocks():
    """Posting a payment (voucher, then its settlement) and settling an open payment against
    the same invoice take their locks in one order — customer, items, number sequences — so
    neither waits on the other in a cycle. Several rounds, each on a fresh invoice."""
    from remit.receivables.services import MarkSpec, settle

    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    story = Story(entity)
    customer = story.customer()
    for _ in range(4):
        invoice = story.invoice(customer, "1000.00")
        open_payment = story.pay(customer, "1000.00", date(2026, 3, 5))

        def work(i, invoice=invoice, open_payment=open_payment):
            if i == 0:
                return story.pay(customer, "1000.00", date(2026, 3, 5), invoice)
            return settle(customer=customer, on=date(2026, 3, 5), kind="payment",
                          payment=open_payment, marks=[MarkSpec(invoice)], actor=SYSTEM,
                          skip_settled=True)

        outcomes = race(2, work)
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        invoice.refresh_from_db()
        assert invoice.settled_amount == Decimal("1000.00") and not invoice.is_open
    assert ledger_check_run(actor=SYSTEM).ok
