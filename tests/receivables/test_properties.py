"""Property test: random sequences of invoices, credit notes, payments (marked or not),
automatic settlements and unsettlements, in two currencies, keep every invariant that
``remit ledger check`` proves — and bad operations leave the books exactly as they were."""

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from remit.core.exceptions import DomainError
from remit.core.services import exchange_rate_set, legal_entity_create
from remit.ledger.services import ledger_check_run
from remit.ledger.models import JournalEntry, JournalLine
from remit.receivables.models import CustomerTransaction, Settlement, SettlementLine
from remit.receivables.services import (
    MarkSpec,
    settle_automatically,
    settlement_reverse,
)
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, Story

cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))
customer_ix = st.integers(0, 2)
day = st.integers(0, 40)
op = st.one_of(
    st.tuples(st.just("invoice"), customer_ix, cents, day),
    st.tuples(st.just("credit"), customer_ix, cents, day, st.booleans()),
    st.tuples(st.just("pay"), customer_ix, cents, day, st.lists(st.integers(0, 20), max_size=3),
              st.booleans(), st.sampled_from(["normal", "always", "never"])),
    st.tuples(st.just("auto"), customer_ix, day),
    st.tuples(st.just("unsettle"), st.integers(0, 30), day),
)


def books_fingerprint():
    """Everything a refused operation must leave as it was."""
    return (JournalEntry.objects.count(), JournalLine.objects.count(),
            Settlement.objects.filter(reversed_on__isnull=True).count(),
            sorted(CustomerTransaction.objects.values_list("pk", "settled_amount",
                                                           "discount_taken", "is_open")))


class ReceivablesProperties(TestCase):
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(op, min_size=1, max_size=14), st.sampled_from(["0", "0.05"]),
           st.sampled_from(["0", "25"]))
    def test_any_sequence_keeps_the_books_provable(self, ops, penny, over_under):
        entity = legal_entity_create(code="NO01", name="P AS", accounting_currency="NOK",
                                     actor=SYSTEM)
        for offset, rate in ((0, "11.4321"), (15, "11.61"), (30, "11.2")):
            exchange_rate_set(from_currency="EUR", to_currency="NOK",
                              valid_from=DAY0 + timedelta(offset), rate=rate, actor=SYSTEM)
        story = Story(entity)
        story.tolerances(penny=penny, over_under=over_under)
        customers = [story.customer(discount="2/10,1/20"), story.customer(),
                     story.customer(currency="EUR", discount="2/10")]
        for step in ops:
            before = books_fingerprint()
            try:
                self._apply(story, customers, step)
            except DomainError:
                assert books_fingerprint() == before, step  # refused: nothing changed
        run = ledger_check_run(actor=SYSTEM)
        assert run.ok, run.violations
        for item in CustomerTransaction.objects.all():
            assert abs(item.settled_amount) <= abs(item.amount)
            assert item.is_open == (item.settled_amount != item.amount)
        for line in SettlementLine.objects.select_related("item"):
            # money is conserved: no item ever paid out cash through a discount
            assert (line.amount - line.discount - line.write_off) * line.item.amount >= 0

    def _apply(self, story, customers, step):
        kind, *args = step
        if kind == "invoice":
            c, amount, d = args
            story.invoice(customers[c], str(amount), DAY0 + timedelta(d))
        elif kind == "credit":
            c, amount, d, for_invoice = args
            original = (CustomerTransaction.objects.filter(customer=customers[c], kind="invoice")
                        .first() if for_invoice else None)
            story.invoice(customers[c], str(amount), DAY0 + timedelta(d), kind="credit_note",
                          original=original.invoice if original else None)
        elif kind == "pay":
            c, amount, d, picks, full, use_discount = args
            open_items = list(CustomerTransaction.objects.filter(customer=customers[c],
                                                                 is_open=True, amount__gt=0))
            marks = {open_items[p % len(open_items)].pk: open_items[p % len(open_items)]
                     for p in picks} if open_items else {}
            story.pay(customers[c], str(amount), DAY0 + timedelta(d),
                      *[MarkSpec(i, use_cash_discount=use_discount) for i in marks.values()],
                      full_settlement=full)
        elif kind == "auto":
            c, d = args
            settle_automatically(customer=customers[c], on=DAY0 + timedelta(d), actor=SYSTEM)
        else:
            n, d = args
            live = list(Settlement.objects.filter(reversed_on__isnull=True).order_by("pk"))
            if live:
                target = live[n % len(live)]
                settlement_reverse(settlement=target, on=target.settled_on + timedelta(d),
                                   reason="property", actor=SYSTEM)
