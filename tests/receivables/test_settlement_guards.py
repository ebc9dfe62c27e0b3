"""What a settlement must never do, whatever the clerk marks: create money with a discount,
settle an item twice, settle before its documents existed, grant a discount the other side
does not give, write off what no payment covers, or undo half of a correction. Each story
here was once possible (a review found them); the books prove themselves after each."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.money import Money
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import ledger_check_run
from remit.receivables.bulk import OpenItemSpec, open_items_post_bulk
from remit.receivables.models import CustomerTransaction, Settlement, SettlementLine
from remit.receivables.services import (
    MarkSpec,
    invoice_correction_start,
    invoice_post,
    settle,
    settlement_reverse,
)
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, books_ok, fresh

pytestmark = pytest.mark.django_db
D = Decimal


def cash_never_runs_backwards():
    """For every settlement line, the money that moved has the item's sign (or is zero)."""
    for line in SettlementLine.objects.select_related("item"):
        cash = line.amount - line.discount - line.write_off
        assert cash * line.item.amount >= 0, (line.item, line.amount, line.discount)
    return True


def test_a_discount_on_the_last_few_kroner_never_exceeds_what_is_open(story):
    """1,000 at 2 %, paid 990 late: 10 open. Marking the rest with 'always take the discount'
    closes those 10 with a 10 discount, not a 20 one that would pay out 10 in cash."""
    customer = story.customer(discount="2/10")
    invoice = story.invoice(customer)
    story.pay(customer, "990.00", DAY0 + timedelta(20), invoice)
    assert fresh(invoice).open_amount == D("10.00")
    payment = story.pay(customer, "90.00", DAY0 + timedelta(21), invoice,
                        use_cash_discount="always")
    assert fresh(invoice).is_open is False and invoice.discount_taken == D("10.00")
    assert fresh(payment).open_amount == D("-90.00")  # none of the money was needed
    assert cash_never_runs_backwards() and books_ok()


def test_an_item_marked_twice_or_the_payment_marked_against_itself_is_refused(story):
    customer = story.customer()
    invoice = story.invoice(customer)
    payment = story.pay(customer, "1000.00", DAY0)
    for marks in ([MarkSpec(invoice, D("1.33")), MarkSpec(invoice, D("998.67"))],
                  [MarkSpec(invoice), MarkSpec(payment)]):
        with pytest.raises(InvalidInput) as refused:
            settle(customer=customer, on=DAY0, kind="payment", payment=payment, marks=marks,
                   actor=SYSTEM)
        assert refused.value.errors[0][0] == ("marks", 1)
    assert fresh(invoice).settled_amount == 0 and Settlement.objects.count() == 0
    assert books_ok()


def test_a_settlement_is_never_dated_before_its_newest_document(story):
    customer = story.customer(discount="2/10")
    invoice = story.invoice(customer)
    payment = story.pay(customer, "980.00", DAY0 + timedelta(60))
    with pytest.raises(InvalidInput) as refused:
        settle(customer=customer, on=DAY0 - timedelta(30), kind="payment", payment=payment,
               marks=[MarkSpec(invoice)], actor=SYSTEM)
    assert refused.value.errors[0][0] == ("on",)
    assert str(DAY0 + timedelta(60)) in refused.value.message
    # a payment dated before the invoice it is marked against settles on the invoice's date
    early = story.invoice(customer, on=DAY0 + timedelta(70))
    story.pay(customer, "980.00", DAY0 + timedelta(65), early)
    assert fresh(early).closed_on == DAY0 + timedelta(70) and early.discount_taken == D("20.00")
    assert books_ok()


def test_without_credit_note_discounts_neither_side_of_a_credit_note_gets_one(story):
    story.tolerances(discount_on_credit_notes=False)
    customer = story.customer(discount="1/14")
    invoice = story.invoice(customer)
    story.invoice(customer, "100.00", kind="credit_note", original=invoice.invoice,
                  reason="damaged goods")
    assert (fresh(invoice).settled_amount, invoice.discount_taken) == (D("100.00"), 0)
    story.pay(customer, "900.00", DAY0 + timedelta(30), invoice)  # late: no discount either
    assert fresh(invoice).is_open is False and invoice.discount_taken == 0
    assert books_ok()


def test_a_credit_note_alone_closes_only_what_it_covers_whatever_the_tolerances(story):
    story.tolerances(penny="1", over_under="10")
    customer = story.customer()
    invoice = story.invoice(customer)
    story.invoice(customer, "995.00", kind="credit_note", original=invoice.invoice,
                  reason="most of it was returned")
    assert fresh(invoice).open_amount == D("5.00")  # no money came in, nothing written off
    assert not SettlementLine.objects.exclude(write_off=0).exists()
    assert books_ok()


def test_money_left_over_goes_back_to_the_credit_note_not_to_a_write_off(story):
    """Payment 100 and credit note 5 marked against an invoice of 100: the payment pays it,
    and the credit note stays the customer's, though 5 is within the tolerance."""
    story.tolerances(over_under="10")
    customer = story.customer()
    invoice = story.invoice(customer, "100.00")
    credit = story.invoice(customer, "5.00", kind="credit_note", reason="goodwill")
    payment = story.pay(customer, "100.00", DAY0 + timedelta(3))
    settle(customer=customer, on=DAY0 + timedelta(3), kind="payment", payment=payment,
           marks=[MarkSpec(credit), MarkSpec(invoice)], actor=SYSTEM)
    assert fresh(invoice).is_open is False and fresh(payment).is_open is False
    assert fresh(credit).open_amount == D("-5.00")
    assert not SettlementLine.objects.exclude(write_off=0).exists()
    assert books_ok()


@pytest.mark.parametrize("amount, sign", [("10.005", "positive"), ("-10.00", "positive")])
def test_an_amount_to_settle_has_the_items_sign_and_the_currencys_decimals(story, amount, sign):
    customer = story.customer()
    invoice = story.invoice(customer)
    with pytest.raises(InvalidInput) as refused:
        story.pay(customer, "100.00", DAY0, MarkSpec(invoice, D(amount)))
    assert refused.value.errors[0][0] == ("marks", 0, "amount_to_settle")
    assert f"a {sign} amount in NOK with at most 2 decimals" in refused.value.message
    assert fresh(invoice).settled_amount == 0
    assert not CustomerTransaction.objects.filter(kind="payment").exists()


def test_automatic_settlement_on_a_payment_settles_that_payment_only(story):
    story.tolerances(automatic_settlement=True)
    customer = story.customer()
    invoice = story.invoice(customer)
    story.tolerances(automatic_settlement=False)
    old_credit = story.invoice(customer, "50.00", kind="credit_note", reason="goodwill")
    story.tolerances(automatic_settlement=True)
    payment = story.pay(customer, "1000.00", DAY0 + timedelta(5))
    assert fresh(invoice).is_open is False and fresh(payment).is_open is False
    assert fresh(old_credit).open_amount == D("-50.00")  # not touched by this payment
    assert books_ok()


def test_ledger_check_finds_an_item_whose_settled_amounts_disagree_with_its_settlements(story):
    customer = story.customer()
    invoice = story.invoice(customer)
    story.pay(customer, "1000.00", DAY0, invoice)
    assert books_ok()
    CustomerTransaction.objects.filter(pk=invoice.pk).update(discount_taken=D("5.00"))
    run = ledger_check_run(actor=SYSTEM)
    assert not run.ok
    assert any(invoice.document_number in str(v) for v in run.violations), run.violations
    with pytest.raises(IntegrityError), transaction.atomic():  # more than settled: refused
        CustomerTransaction.objects.filter(pk=invoice.pk).update(discount_taken=D("1000.01"))


def test_a_corrections_own_settlement_cannot_be_undone_alone(story):
    customer = story.customer()
    invoice = story.invoice(customer)
    draft = invoice_correction_start(invoice=invoice.invoice, correction_date=DAY0 + timedelta(1),
                                     reason="wrong price", actor=SYSTEM)
    invoice_post(invoice=draft, actor=SYSTEM)
    correction = Settlement.objects.get(kind="correction")
    with pytest.raises(RuleViolation, match="cannot be undone on its own"):
        settlement_reverse(settlement=correction, on=DAY0 + timedelta(2), reason="oops",
                           actor=SYSTEM)
    assert fresh(invoice).is_open is False and books_ok()


def test_bulk_posting_makes_the_checks_one_at_a_time_posting_makes(story, entity):
    customer = story.customer()

    def post(kind="invoice", amount="100.00", on=DAY0):
        return open_items_post_bulk(
            legal_entity=entity, counter_account=account_for_role(
                entity, AccountRole.OPENING_BALANCE),
            journal=journal_for_type(entity, JournalType.SALES), source="test", actor=SYSTEM,
            items=[OpenItemSpec(customer, kind, "B-1", on, on, Money.of(amount, "NOK"))])

    with pytest.raises(InvalidInput, match="wrong sign"):
        post(amount="-100.00")
    with pytest.raises(InvalidInput, match="EUR"):
        open_items_post_bulk(
            legal_entity=entity, counter_account=account_for_role(
                entity, AccountRole.OPENING_BALANCE),
            journal=journal_for_type(entity, JournalType.SALES), source="test", actor=SYSTEM,
            items=[OpenItemSpec(customer, "invoice", "B-1", DAY0, DAY0, Money.of("1", "EUR"))])
    with pytest.raises(InvalidInput, match="a date is required"):
        post(on=datetime(2026, 3, 2, 12, 0))
    entity.is_active = False
    entity.save()
    with pytest.raises(RuleViolation, match="inactive"):
        post()
    assert not CustomerTransaction.objects.exists()


def test_locked_items_carry_their_discount_periods_as_stored(story):
    """The periods come with the items' lock, as text; they must equal what the ORM reads,
    fractions of a percent included, on either database."""
    from remit.receivables import rules
    from remit.receivables.models import CashDiscountDate
    from remit.receivables.services.settlement import items_lock

    customer = story.customer(discount="1.25/10,0.5/20,3/5")
    item = story.invoice(customer)
    plain = story.invoice(story.customer())
    rows = items_lock([item.pk, plain.pk])
    assert rows[item.pk].periods == tuple(
        rules.DiscountPeriod(d.until, d.percent)
        for d in CashDiscountDate.objects.filter(transaction=item).order_by("until"))
    assert [p.percent for p in rows[item.pk].periods] == [D("3.00"), D("1.25"), D("0.50")]
    assert rows[plain.pk].periods == ()
