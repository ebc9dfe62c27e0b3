"""Write-offs and bounced payments, told through the services: what closes, what reopens, what
the vouchers say — and the books prove themselves after each story."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.core.actor import Actor
from remit.core.exceptions import AccessDenied, InvalidInput, RuleViolation
from remit.core.services import exchange_rate_set
from remit.ledger.models import JournalLine
from remit.receivables.models import (
    BankAccount,
    CustomerTransaction,
    SalesTaxCode,
    Settlement,
    WriteOffLimit,
    WriteOffReason,
)
from remit.receivables.services import (
    customer_write_off,
    payment_bounce,
    settlement_reverse,
)
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, books_ok, fresh

pytestmark = pytest.mark.django_db
D = Decimal
LATER = DAY0 + timedelta(90)


@pytest.fixture
def as_role(make_user, entity):
    return lambda role: Actor.web(make_user(role, [entity]))


def balance(number, entity):
    return sum((l.debit_acc - l.credit_acc for l in JournalLine.objects.filter(
        account__number=number, account__legal_entity=entity, entry__status="posted")), D(0))


def test_a_write_off_nets_every_open_item_into_the_write_off_account(story, entity):
    customer = story.customer()
    invoice = story.invoice(customer, "1000.00")
    credit = story.invoice(customer, "50.00", kind="credit_note", reason="goodwill")
    story.pay(customer, "300.00", DAY0 + timedelta(40), invoice)
    (settlement,) = customer_write_off(customer=customer, on=LATER, comment="Bankrupt",
                                       actor=SYSTEM)
    assert fresh(invoice).is_open is False and fresh(credit).is_open is False
    assert settlement.kind == "write_off" and settlement.reason.code == "SMALL"
    assert settlement.comment == "Bankrupt"
    entry = settlement.journal_entry
    assert entry.journal.journal_type == "daily" and "650.00 NOK, SMALL" in entry.description
    assert balance("7830", entity) == D("650.00")  # bad debt write-offs: 700 − 50
    assert balance("1500", entity) == 0 and books_ok()


def test_with_separate_sales_tax_the_tax_in_what_is_written_off_comes_back(story, entity):
    story.tolerances(write_off_separate_tax=True)
    customer = story.customer()
    standard = SalesTaxCode.objects.get(legal_entity=entity, code="S")  # 25 %
    invoice = story.invoice(customer, "1000.00", tax=standard)  # 1,250.00 with tax
    story.pay(customer, "625.00", DAY0 + timedelta(40), invoice)  # half of it paid
    tax_before = balance(standard.account.number, entity)
    reason = WriteOffReason.objects.get(legal_entity=entity, code="BADDEBT")
    customer_write_off(customer=customer, on=LATER, reason=reason, actor=SYSTEM)
    assert balance(standard.account.number, entity) - tax_before == D("125.00")
    assert balance("7830", entity) == D("500.00")
    assert books_ok()


def test_undoing_a_write_off_reopens_the_items(story, entity):
    customer = story.customer()
    invoice = story.invoice(customer, "80.00")
    (settlement,) = customer_write_off(customer=customer, on=LATER, actor=SYSTEM)
    settlement_reverse(settlement=settlement, on=LATER, reason="customer paid after all",
                       actor=SYSTEM)
    assert fresh(invoice).open_amount == D("80.00") and balance("7830", entity) == 0
    assert books_ok()


def test_a_foreign_currency_write_off_keeps_each_items_book_value(story, entity):
    for day, rate in ((0, "11.40"), (60, "11.90")):
        exchange_rate_set(from_currency="EUR", to_currency="NOK",
                          valid_from=DAY0 + timedelta(day), rate=rate, actor=SYSTEM)
    customer = story.customer(currency="EUR")
    story.invoice(customer, "100.00")
    customer_write_off(customer=customer, on=LATER, actor=SYSTEM)
    assert balance("7830", entity) == D("1140.00")  # at the invoice's rate, no FX result
    assert books_ok()


def test_a_write_off_needs_something_open_a_reason_of_its_own_and_the_right(
        story, entity, other_entity, as_role):
    customer = story.customer()
    with pytest.raises(RuleViolation, match="no open items"):
        customer_write_off(customer=customer, on=LATER, actor=SYSTEM)
    invoice = story.invoice(customer, "80.00")
    foreign = WriteOffReason.objects.filter(legal_entity=other_entity).first()
    with pytest.raises(InvalidInput, match="another legal entity"):
        customer_write_off(customer=customer, on=LATER, reason=foreign, actor=SYSTEM)
    with pytest.raises(InvalidInput) as refused:
        customer_write_off(customer=customer, on=DAY0 - timedelta(1), actor=SYSTEM)
    assert refused.value.errors[0][0] == ("on",)
    with pytest.raises(AccessDenied):
        customer_write_off(customer=customer, on=LATER, actor=as_role("AR clerk"))
    agent = as_role("Collections agent")
    WriteOffLimit.objects.create(legal_entity=entity, user=agent.user, max_amount=D("80"))
    customer_write_off(customer=customer, on=LATER, actor=agent)
    assert fresh(invoice).is_open is False and books_ok()


def test_a_bounced_payment_reopens_what_it_paid_and_charges_the_banks_fee(story, entity,
                                                                         as_role):
    BankAccount.objects.filter(legal_entity=entity, code="OPER").update(nsf_fee=D("150.00"))
    customer = story.customer()
    first = story.invoice(customer, "600.00")
    second = story.invoice(customer, "400.00")
    payment = story.pay(customer, "1000.00", DAY0 + timedelta(10), first, second)
    assert balance("1920", entity) == D("1000.00")
    bounced = payment_bounce(payment=payment, on=DAY0 + timedelta(14), reason="account closed",
                             actor=as_role("Collections agent"))
    assert sorted(bounced.reopened) == sorted([first.document_number, second.document_number])
    assert fresh(first).open_amount == D("600.00") and fresh(second).open_amount == D("400.00")
    assert fresh(payment).is_open is False and fresh(bounced.reversal).is_open is False
    assert Settlement.objects.get(kind="nsf").journal_entry is None  # nothing left to move
    assert bounced.fee.amount == D("150.00") and bounced.fee.kind == "fee"
    assert balance("1920", entity) == 0 and balance("3900", entity) == D("-150.00")
    open_total = sum(i.open_amount for i in CustomerTransaction.objects.filter(is_open=True))
    assert open_total == D("1150.00") and books_ok()


def test_only_a_journal_payment_bounces_and_only_once(story, entity, as_role):
    customer = story.customer()
    invoice = story.invoice(customer, "100.00")
    payment = story.pay(customer, "100.00", DAY0 + timedelta(3), invoice)
    with pytest.raises(RuleViolation, match="is not a payment"):
        payment_bounce(payment=invoice, on=LATER, actor=SYSTEM)
    with pytest.raises(InvalidInput):
        payment_bounce(payment=payment, on=DAY0, actor=SYSTEM)
    payment_bounce(payment=payment, on=LATER, actor=SYSTEM)
    with pytest.raises(RuleViolation, match="already registered as bounced"):
        payment_bounce(payment=payment, on=LATER, actor=SYSTEM)
    nsf = Settlement.objects.get(kind="nsf")
    with pytest.raises(RuleViolation, match="stays bounced"):
        settlement_reverse(settlement=nsf, on=LATER, reason="x", actor=SYSTEM)
    with pytest.raises(AccessDenied):
        payment_bounce(payment=story.pay(customer, "5.00", LATER), on=LATER,
                       actor=as_role("Sales rep"))
    assert fresh(invoice).open_amount == D("100.00") and books_ok()


def test_a_payment_bounced_after_the_invoice_was_rebilled_in_another_currency_date(story):
    """The reversal uses the payment's own book amounts, so a foreign-currency bounce posts
    no exchange difference."""
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2026, 1, 1),
                      rate="11.50", actor=SYSTEM)
    customer = story.customer(currency="EUR")
    invoice = story.invoice(customer, "200.00")
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=DAY0 + timedelta(5),
                      rate="11.80", actor=SYSTEM)
    payment = story.pay(customer, "200.00", DAY0 + timedelta(7), invoice)
    payment_bounce(payment=payment, on=DAY0 + timedelta(9), actor=SYSTEM)
    assert fresh(invoice).open_amount == D("200.00") and invoice.settled_acc == 0
    assert books_ok()
