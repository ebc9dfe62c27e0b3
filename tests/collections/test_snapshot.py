"""Aging snapshots: per customer, the open amounts in each period as of a date, computed in one
pass over the open items."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.collections.models import AgingSnapshot, AgingSnapshotLine
from remit.collections.services import definition_for, snapshot_create
from remit.receivables.models import CollectionStatus, CustomerTransaction
from tests.helpers import SYSTEM
from tests.receivables.conftest import Story

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 6, 30)
D = Decimal


def test_a_snapshot_buckets_each_customers_open_items_by_due_date(entity, eur_rate):
    story = Story(entity)
    a, b = story.customer(), story.customer(currency="EUR")
    story.invoice(a, "100.00", on=AS_OF - timedelta(days=10))     # due in 20 days: current
    story.invoice(a, "200.00", on=AS_OF - timedelta(days=45))     # 15 days overdue
    story.invoice(a, "300.00", on=AS_OF - timedelta(days=100))    # 70 days overdue
    old = story.invoice(a, "400.00", on=AS_OF - timedelta(days=200))  # over 90
    story.pay(a, "50.00", AS_OF - timedelta(days=5))                 # unapplied payment
    story.invoice(b, "10.00", on=AS_OF - timedelta(days=40))      # 10 EUR, 10 days overdue
    CustomerTransaction.objects.filter(pk=old.pk).update(
        collection_status=CollectionStatus.DISPUTED)

    snapshot = snapshot_create(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    assert snapshot.labels == ["Current", "1–30", "31–60", "61–90", "Over 90"]
    line = AgingSnapshotLine.objects.get(snapshot=snapshot, customer=a)
    # the unapplied payment ages by its own date (5 days ago), netting the 1–30 period
    assert line.buckets(5) == [D("100.00"), D("150.00"), 0, D("300.00"), D("400.00")]
    assert (line.total_due, line.overdue, line.open_items) == (D("950.00"), D("900.00"), 5)
    assert (line.disputed_count, line.disputed_amount) == (1, D("400.00"))
    assert line.oldest_due == AS_OF - timedelta(days=170)
    euro = AgingSnapshotLine.objects.get(snapshot=snapshot, customer=b)
    assert euro.bucket_1 == D("115.00")  # accounting currency (11.5)
    assert snapshot.customers == 2 and snapshot.is_current


def test_a_new_snapshot_replaces_the_current_one_and_breaks_passed_promises(entity):
    story = Story(entity)
    customer = story.customer()
    item = story.invoice(customer, "100.00", on=AS_OF - timedelta(days=60))
    CustomerTransaction.objects.filter(pk=item.pk).update(
        collection_status=CollectionStatus.PROMISED, promise_date=AS_OF - timedelta(days=1))
    first = snapshot_create(legal_entity=entity, as_of=AS_OF - timedelta(days=2), actor=SYSTEM)
    item.refresh_from_db()
    assert item.collection_status == CollectionStatus.PROMISED
    second = snapshot_create(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    item.refresh_from_db()
    assert item.collection_status == CollectionStatus.PROMISE_BROKEN
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert AgingSnapshot.objects.filter(is_current=True).count() == 1


def test_snapshot_amounts_match_a_python_recount(entity):
    """The SQL buckets agree with the pure rules applied item by item."""
    import random

    from remit.collections import rules
    from remit.collections.services import period_lines

    rng = random.Random(5)
    story = Story(entity)
    customers = [story.customer() for _ in range(4)]
    for _ in range(40):
        story.invoice(rng.choice(customers), f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
                      on=AS_OF - timedelta(days=rng.randint(0, 300)))
    snapshot = snapshot_create(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    periods = rules.bounds(period_lines(definition_for(entity)), AS_OF)
    for line in snapshot.lines.all():
        expected = [D(0)] * len(periods)
        for item in CustomerTransaction.objects.filter(customer=line.customer, is_open=True):
            expected[rules.period_of(item.due_date, periods)] += item.amount_acc - item.settled_acc
        assert line.buckets(len(periods)) == expected


def test_snapshot_lines_carry_credit_limit_orders_and_last_payment(entity):
    """Seed 003 / spec §3.2: the snapshot stores the credit limit, open sales orders and
    packing slips beside the aging, and the last payment."""
    from datetime import date
    from decimal import Decimal

    from remit.collections.services import snapshot_create
    from remit.core.money import Money
    from remit.receivables.services import payment_register
    from tests.credit.conftest import CreditStory
    from tests.helpers import SYSTEM

    cs = CreditStory(entity)
    customer = cs.customer(limit=50_000)
    bare = cs.customer()
    from remit.receivables.services import LineSpec, invoice_issue
    for who in (customer, bare):
        invoice_issue(customer=who, invoice_date=date(2026, 2, 1), actor=SYSTEM,
                      lines=[LineSpec("Goods", Decimal(1000), tax_code=cs.zero_tax)])
    payment_register(customer=customer, payment_date=date(2026, 2, 20),
                     amount=Money.of("300", "NOK"), marks=[], actor=SYSTEM)
    cs.post(cs.order(customer, "700.00"), "packing_slip")
    cs.order(customer, "250.50")
    snapshot = snapshot_create(legal_entity=entity, as_of=date(2026, 3, 2), actor=SYSTEM)
    line = snapshot.lines.get(customer=customer)
    assert line.credit_limit == Decimal(50_000)
    assert (line.open_orders, line.packing_slips) == (Decimal("250.50"), Decimal(700))
    assert line.last_payment == date(2026, 2, 20)
    other = snapshot.lines.get(customer=bare)
    assert other.credit_limit is None and other.last_payment is None  # no credit record
    assert (other.open_orders, other.packing_slips) == (0, 0)
