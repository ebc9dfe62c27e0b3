"""Write-off and NSF at their edges: a payment netted in a write-off, foreign currency with
separate sales tax, credit balances, the bank fee's sign."""

from datetime import timedelta
from decimal import Decimal

import pytest

from remit.core.actor import Actor
from remit.core.exceptions import DomainError, RuleViolation
from remit.core.services import exchange_rate_set
from remit.ledger.models import JournalLine
from remit.receivables.models import (
    BankAccount,
    CustomerTransaction,
    SalesTaxCode,
    Settlement,
)
from remit.receivables.services import customer_write_off, payment_bounce
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, books_ok, fresh

pytestmark = pytest.mark.django_db
D = Decimal
LATER = DAY0 + timedelta(90)


@pytest.fixture
def as_role(make_user, entity):
    return lambda role: Actor.web(make_user(role, [entity]))


def test_a_payment_netted_in_a_write_off_cannot_bounce_until_the_write_off_is_undone(
        story, entity, as_role):
    """A payment on account (300) is netted into the write-off of a bad debt (1,500 - 300).
    Bouncing it later must not silently reopen the two invoices written off as bad debt and
    reverse the expense, least of all for an AR clerk, who may not write off at all."""
    customer = story.customer()
    first = story.invoice(customer, "1000.00")
    second = story.invoice(customer, "500.00")
    payment = story.pay(customer, "300.00", DAY0 + timedelta(5))  # on account
    customer_write_off(customer=customer, on=LATER, actor=SYSTEM)
    clerk = as_role("AR clerk")
    assert not clerk.user.has_perm("receivables.write_off")
    with pytest.raises(RuleViolation, match="undo the write-off first"):
        payment_bounce(payment=payment, on=LATER, actor=clerk)
    write_off = Settlement.objects.get(kind="write_off")
    assert write_off.reversed_on is None, "NSF reversed the write-off settlement"
    assert fresh(first).is_open is False and fresh(second).is_open is False
    assert books_ok()


def test_a_partly_paid_foreign_invoice_is_written_off_without_an_exchange_result(
        story, entity):
    """docs/design/collections.md invariant 3: 'Foreign currency is written off at each item's
    own book rate, so no exchange result arises.' With separate sales tax the tax share and
    the rest are each rounded; the last part takes the exact remainder, so no 0.01 ends up as
    a realized exchange difference."""
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=DAY0 - timedelta(30),
                      rate="11.4567", actor=SYSTEM)
    story.tolerances(write_off_separate_tax=True)
    standard = SalesTaxCode.objects.get(legal_entity=entity, code="S")
    customer = story.customer(currency="EUR")
    invoice = story.invoice(customer, "100.37", tax=standard)
    assert invoice.amount == D("125.46")
    story.pay(customer, "33.33", DAY0 + timedelta(10), invoice)
    (settlement,) = customer_write_off(customer=customer, on=LATER, actor=SYSTEM)
    fx = JournalLine.objects.filter(entry=settlement.journal_entry,
                                    account__number__in=["8060", "8160"])
    assert not fx.exists(), [(l.account.number, l.debit_acc, l.credit_acc) for l in fx]
    assert books_ok()


def test_a_credit_balance_is_not_written_off(
        story, entity, as_role):
    """A customer with only an unapplied payment (money we owe back) is 'written off' by a
    collections agent: the bad-debt expense account is credited 300, the refund liability is
    gone."""
    customer = story.customer()
    story.pay(customer, "300.00", DAY0 + timedelta(5))
    with pytest.raises(DomainError):
        customer_write_off(customer=customer, on=LATER, actor=as_role("Collections agent"))


def test_a_bank_fee_for_bounced_payments_is_never_negative(entity):
    from django.db import IntegrityError, transaction

    from remit.receivables.models import BankAccount

    with pytest.raises(IntegrityError), transaction.atomic():
        BankAccount.objects.filter(legal_entity=entity).update(nsf_fee=Decimal("-150"))
