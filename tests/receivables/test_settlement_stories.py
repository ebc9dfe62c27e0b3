"""Every worked example of the spec's section 4.2, told through the services: invoices posted,
payments registered, items settled — and the books prove themselves after each story."""

from datetime import timedelta
from decimal import Decimal

import pytest

from remit.core.money import Money
from remit.ledger.models import JournalLine
from remit.receivables.services import MarkSpec, settle_automatically, settlement_reverse
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, books_ok, fresh

pytestmark = pytest.mark.django_db
D = Decimal


def balance(account_number, entity):
    lines = JournalLine.objects.filter(account__number=account_number,
                                       account__legal_entity=entity, entry__status="posted")
    return sum((l.debit_acc - l.credit_acc for l in lines), D(0))


def test_a_partial_payment_inside_the_discount_period_takes_a_partial_discount(story, entity):
    """500 paid on a 1 % invoice of 1,000 settles 505.05 (5.05 discount); the remaining 494.95
    is closed later inside the period by 490.00 and the remaining 4.95 discount: 10.00 in all,
    990.00 paid."""
    customer = story.customer(discount="1/14")
    invoice = story.invoice(customer)
    story.pay(customer, "500.00", DAY0 + timedelta(3), invoice)
    assert (fresh(invoice).settled_amount, invoice.discount_taken) == (D("505.05"), D("5.05"))
    assert invoice.open_amount == D("494.95")
    story.pay(customer, "490.00", DAY0 + timedelta(10), invoice)
    assert fresh(invoice).is_open is False and invoice.discount_taken == D("10.00")
    assert balance("3080", entity) == D("10.00")  # cash discount given
    assert balance("1500", entity) == 0 and books_ok()


def test_paying_495_settles_500_and_the_remaining_495_later_settles_the_rest(story):
    customer = story.customer(discount="1/14")
    invoice = story.invoice(customer)
    story.pay(customer, "495.00", DAY0 + timedelta(2), invoice)
    assert fresh(invoice).settled_amount == D("500.00")
    story.pay(customer, "495.00", DAY0 + timedelta(12), invoice)
    assert fresh(invoice).is_open is False and invoice.discount_taken == D("10.00")
    assert books_ok()


def test_with_two_discount_periods_the_one_valid_on_the_payment_date_applies(story):
    customer = story.customer(discount="2/5,1/14")
    invoice = story.invoice(customer)
    payment = story.pay(customer, "990.00", DAY0 + timedelta(7), invoice)
    assert fresh(invoice).is_open is False and invoice.discount_taken == D("10.00")
    assert fresh(payment).is_open is False
    late = story.invoice(customer)
    story.pay(customer, "990.00", DAY0 + timedelta(20), late)  # past both dates: full price
    assert fresh(late).open_amount == D("10.00") and late.discount_taken == 0
    assert books_ok()


def test_1485_paid_against_three_1000_invoices(story):
    """The oldest is paid in full; of the two newer ones the 2 % invoice gets 485 + 9.90
    discount and keeps 505.10 open; the 1 % invoice is untouched."""
    two = story.customer(discount="2/10")  # (only to make the two discount terms)
    one = story.customer(discount="1/10")
    customer = story.customer()
    from remit.receivables.models import CashDiscountTerms

    oldest = story.invoice(customer, on=DAY0 - timedelta(30))
    customer.cash_discount_terms = CashDiscountTerms.objects.get(pk=two.cash_discount_terms_id)
    customer.save()
    inv_two = story.invoice(customer)
    customer.cash_discount_terms = CashDiscountTerms.objects.get(pk=one.cash_discount_terms_id)
    customer.save()
    inv_one = story.invoice(customer)
    story.pay(customer, "1485.00", DAY0 + timedelta(3), inv_one, inv_two, oldest)
    assert fresh(oldest).is_open is False
    assert (fresh(inv_two).open_amount, inv_two.discount_taken) == (D("505.10"), D("9.90"))
    assert fresh(inv_one).settled_amount == 0
    assert books_ok()


def test_a_credit_note_for_a_discounted_invoice_settles_net(story):
    """Invoice 1,000 at 1 %, credit note 100 for it: the customer pays 891 inside the period;
    the credit note carries −1.00 of discount, so 9.00 discount is given in all."""
    customer = story.customer(discount="1/14")
    invoice = story.invoice(customer)
    credit = story.invoice(customer, "100.00", kind="credit_note",
                           original=invoice.invoice, reason="damaged goods")
    assert fresh(credit).is_open is False  # applied to its invoice when posted
    assert fresh(invoice).open_amount == D("900.00")
    story.pay(customer, "891.00", DAY0 + timedelta(5), invoice)
    assert fresh(invoice).is_open is False
    assert invoice.discount_taken == D("10.00") and fresh(credit).discount_taken == D("-1.00")
    assert balance("3080", story.entity) == D("9.00") and books_ok()


def test_full_settlement_closes_the_invoice_and_posts_the_shortfall_as_discount(story, entity):
    customer = story.customer()
    invoice = story.invoice(customer)
    story.pay(customer, "990.00", DAY0 + timedelta(3), invoice, full_settlement=True)
    assert fresh(invoice).is_open is False
    assert balance("3080", entity) == D("10.00") and books_ok()


def test_penny_differences_and_small_over_and_underpayments_are_written_off(story, entity):
    story.tolerances(penny="0.05", over_under="10.00")
    customer = story.customer()
    a, b, c = story.invoice(customer), story.invoice(customer), story.invoice(customer)
    story.pay(customer, "999.98", DAY0 + timedelta(1), a)
    story.pay(customer, "1000.03", DAY0 + timedelta(1), b)
    story.pay(customer, "993.00", DAY0 + timedelta(1), c)
    assert not any(fresh(x).is_open for x in (a, b, c))
    assert balance("7795", entity) == D("-0.01")  # +0.02 short, −0.03 over
    assert balance("3080", entity) == D("7.00")
    assert books_ok()


def test_an_overpayment_beyond_the_tolerances_stays_open_as_a_credit(story):
    story.tolerances(penny="0.05", over_under="10.00")
    customer = story.customer()
    invoice = story.invoice(customer)
    payment = story.pay(customer, "1100.00", DAY0 + timedelta(1), invoice)
    assert fresh(invoice).is_open is False
    assert fresh(payment).open_amount == D("-100.00") and books_ok()


def test_automatic_settlement_goes_by_due_date_in_one_currency(story):
    customer = story.customer()
    a = story.invoice(customer, "100.00", due_date=DAY0 + timedelta(10))
    b = story.invoice(customer, "250.00", due_date=DAY0 + timedelta(20))
    c = story.invoice(customer, "500.00", due_date=DAY0 + timedelta(30))
    interest = story.invoice(customer, "7.00", due_date=DAY0 + timedelta(40))
    story.pay(customer, "700.00", DAY0 + timedelta(5))
    settle_automatically(customer=customer, on=DAY0 + timedelta(5), actor=SYSTEM)
    assert [fresh(x).open_amount for x in (a, b, c, interest)] == [0, 0, D("150.00"), D("7.00")]
    assert books_ok()


def test_automatic_settlement_on_posting_when_the_parameter_is_on(story):
    story.tolerances(automatic_settlement=True)
    customer = story.customer()
    first = story.invoice(customer, "300.00", due_date=DAY0 + timedelta(10))
    second = story.invoice(customer, "300.00", due_date=DAY0 + timedelta(5))
    story.pay(customer, "300.00", DAY0 + timedelta(6))
    assert fresh(second).is_open is False and fresh(first).is_open is True
    assert books_ok()


def test_a_foreign_currency_payment_realizes_the_exchange_difference(story, entity):
    """100 EUR invoiced at 11.50 (1,150 NOK), paid when the euro is worth 11.70: the
    receivable closes at 1,150, the bank gets 1,170 and 20 NOK is a realized gain."""
    from remit.core.services import exchange_rate_set

    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=DAY0, rate="11.50",
                      actor=SYSTEM)
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=DAY0 + timedelta(10),
                      rate="11.70", actor=SYSTEM)
    customer = story.customer(currency="EUR", discount="2/14")
    invoice = story.invoice(customer, "100.00")
    assert fresh(invoice).amount_acc == D("1150.00")
    story.pay(customer, "98.00", DAY0 + timedelta(12), invoice)  # 2 EUR discount
    assert fresh(invoice).is_open is False and invoice.settled_acc == D("1150.00")
    assert balance("1920", entity) == D("1146.60")   # 98 × 11.70
    assert balance("3080", entity) == D("23.00")     # 2 EUR at the invoice's 11.50
    assert balance("8060", entity) == D("-19.60")    # realized gain: 1146.60 + 23 − 1150
    assert balance("1500", entity) == 0 and books_ok()


def test_unsettling_reopens_the_items_and_reverses_the_postings(story, entity):
    customer = story.customer(discount="2/10")
    invoice = story.invoice(customer)
    payment = story.pay(customer, "980.00", DAY0 + timedelta(3), invoice)
    (settlement,) = fresh(invoice).settlement_lines.all()
    settlement_reverse(settlement=settlement.settlement, on=DAY0 + timedelta(4),
                       reason="wrong invoice", actor=SYSTEM)
    assert fresh(invoice).open_amount == D("1000.00") and invoice.discount_taken == 0
    assert fresh(payment).open_amount == D("-980.00")
    assert balance("3080", entity) == 0 and books_ok()
    other = story.invoice(customer)
    from remit.receivables.services import settle

    settle(customer=customer, on=DAY0 + timedelta(5), payment=payment,
           marks=[MarkSpec(other)], kind="payment", actor=SYSTEM)
    assert fresh(other).is_open is False and books_ok()
