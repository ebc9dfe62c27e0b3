"""How an invoice was closed, read from the settlements in effect on the day it closed: a
credit note for all of it before it was very late leaves it out of the training rows; a
write-off makes it very late."""

from datetime import timedelta

import pytest

from remit.insights import selectors, services
from remit.insights.features import CREDITED, PAID, WRITTEN_OFF
from remit.insights.labels import VERY_LATE
from remit.receivables.services import customer_write_off
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, Story, fresh

pytestmark = pytest.mark.django_db


def test_credited_written_off_and_paid_invoices_are_told_apart(entity):
    story = Story(entity)
    customer = story.customer()
    paid = story.invoice(customer, "1000.00")
    credited = story.invoice(customer, "500.00")
    partly = story.invoice(customer, "800.00")
    gone = story.invoice(customer, "700.00")
    story.invoice(customer, "500.00", on=DAY0 + timedelta(5), kind="credit_note",
                  original=credited.invoice, reason="wrong price")
    story.invoice(customer, "300.00", on=DAY0 + timedelta(5), kind="credit_note",
                  original=partly.invoice, reason="damaged goods")
    story.pay(customer, "1000.00", DAY0 + timedelta(10), paid)
    story.pay(customer, "500.00", DAY0 + timedelta(12), partly)  # the rest, in money
    customer_write_off(customer=customer, on=DAY0 + timedelta(120), actor=SYSTEM)
    settings = services.settings_for(entity)

    history = services.histories(entity, settings)[customer.pk]
    assert {row.id: row.closed_by for row in history.by_issue} == {
        paid.pk: PAID, credited.pk: CREDITED, partly.pk: PAID, gone.pk: WRITTEN_OFF}
    data = services.dataset(entity, DAY0 + timedelta(200), settings)
    assert len(data.labels) == 3  # the credited invoice is no row
    assert data.labels.count(VERY_LATE) == 1  # the written-off one
    # the pane's customer history counts the same way
    shown = selectors.customer_history(customer, settings.late_days, settings.very_late_days)
    assert (shown["settled"], shown["credited"], shown["very_late"]) == (3, 1, 1)
    assert shown["open"] == 0
    paid_days = [(fresh(i).closed_on - i.due_date).days for i in (paid, partly)]
    assert shown["average_days"] == round(sum(paid_days) / 2, 1)


def test_a_credit_note_closes_an_invoice_without_money_however_it_was_settled(entity):
    """The usual ways a credit note meets its invoice — automatic settlement, marking it by
    hand like a payment — leave the invoice credited; money for part of it makes it paid,
    whatever closed the rest."""
    from remit.receivables.models import SettlementKind
    from remit.receivables.services import MarkSpec, settle, settle_automatically

    story = Story(entity)
    customer = story.customer()
    auto = story.invoice(customer, "400.00")
    by_hand = story.invoice(customer, "300.00")
    part_paid = story.invoice(customer, "1000.00")
    note_auto = story.invoice(customer, "400.00", on=DAY0 + timedelta(3), kind="credit_note")
    settle_automatically(customer=customer, on=DAY0 + timedelta(3), actor=SYSTEM,
                         credit=note_auto)
    note_hand = story.invoice(customer, "300.00", on=DAY0 + timedelta(4), kind="credit_note")
    settle(customer=customer, on=DAY0 + timedelta(4), marks=[MarkSpec(by_hand)],
           payment=note_hand, kind=SettlementKind.PAYMENT, actor=SYSTEM)
    story.pay(customer, "900.00", DAY0 + timedelta(20), part_paid)
    note_rest = story.invoice(customer, "100.00", on=DAY0 + timedelta(25), kind="credit_note")
    settle(customer=customer, on=DAY0 + timedelta(25), marks=[MarkSpec(part_paid)],
           payment=note_rest, kind=SettlementKind.PAYMENT, actor=SYSTEM)

    history = services.histories(entity, services.settings_for(entity))[customer.pk]
    assert {row.id: (row.closed_by, row.closed_on is not None) for row in history.by_issue} \
        == {auto.pk: (CREDITED, True), by_hand.pk: (CREDITED, True),
            part_paid.pk: (PAID, True)}


def test_the_pane_counts_an_invoice_unpaid_past_its_threshold_as_very_late(entity):
    """As the model's record does: not paid 30 days after its due date, it is very late."""
    story = Story(entity)
    customer = story.customer()
    story.invoice(customer, "100.00", on=DAY0)  # long past its threshold, never paid
    shown = selectors.customer_history(customer, 0, 30)
    assert (shown["very_late"], shown["settled"], shown["open"]) == (1, 1, 1)
    assert shown["average_days"] is None


def test_a_bounced_payment_is_read_as_a_closing_undone_on_the_day_it_bounced(entity):
    """Paid in two parts, the second bounced and paid again: the invoice was closed from the
    second payment to the bounce, and is closed now from the new payment. A payment that
    bounced the day it came never closed anything."""
    from remit.receivables.services import payment_bounce

    story = Story(entity)
    customer = story.customer()
    invoice = story.invoice(customer, "1000.00")
    same_day = story.invoice(customer, "200.00")
    story.pay(customer, "400.00", DAY0 + timedelta(5), invoice)
    rest = story.pay(customer, "600.00", DAY0 + timedelta(10), invoice)
    payment_bounce(payment=rest, on=DAY0 + timedelta(20), actor=SYSTEM)
    story.pay(customer, "600.00", DAY0 + timedelta(40), invoice)
    at_once = story.pay(customer, "200.00", DAY0 + timedelta(12), same_day)
    payment_bounce(payment=at_once, on=DAY0 + timedelta(12), actor=SYSTEM)

    history = services.histories(entity, services.settings_for(entity))[customer.pk]
    rows = {row.id: row for row in history.by_issue}
    assert rows[invoice.pk].undone == ((DAY0 + timedelta(10), DAY0 + timedelta(20), PAID),)
    assert rows[invoice.pk].closed_on == DAY0 + timedelta(40)
    assert rows[same_day.pk].undone == () and rows[same_day.pk].closed_on is None


def test_a_bounce_and_a_new_payment_on_the_same_day_end_one_closing_and_begin_another(
        entity):
    """The day's reversal is judged before its settlement: closed from the first payment to
    the bounce, and from the new payment on — not closed all along."""
    from remit.receivables.services import payment_bounce

    story = Story(entity)
    customer = story.customer()
    invoice = story.invoice(customer, "1000.00")
    first = story.pay(customer, "1000.00", DAY0 + timedelta(10), invoice)
    payment_bounce(payment=first, on=DAY0 + timedelta(20), actor=SYSTEM)
    story.pay(customer, "1000.00", DAY0 + timedelta(20), invoice)

    history = services.histories(entity, services.settings_for(entity))[customer.pk]
    row = {r.id: r for r in history.by_issue}[invoice.pk]
    assert row.undone == ((DAY0 + timedelta(10), DAY0 + timedelta(20), PAID),)
    assert row.closed_on == DAY0 + timedelta(20)
