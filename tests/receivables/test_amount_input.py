"""Amounts as people type them on a page: the Norwegian and the English way are both read,
what could mean either is refused with the two readings, and an exponent is never an amount
(a payment of '1e5' registered 100,000)."""

from decimal import Decimal

import pytest
from django.test import Client

from remit.core.exceptions import InvalidInput
from remit.core.money import parse_typed_amount
from remit.receivables.models import BankAccount, CustomerTransaction, TransactionKind
from tests.receivables.conftest import DAY0


@pytest.mark.parametrize(("typed", "amount"), [
    ("1234.50", "1234.50"), ("1 234,50", "1234.50"), ("1\u00a0234,50", "1234.50"),
    ("1.234,50", "1234.50"), ("1,234.50", "1234.50"), ("-1,234.50", "-1234.50"),
    ("1,250,000", "1250000"), ("1.250.000", "1250000"), ("12,5", "12.5"), ("1,25", "1.25"),
    ("1234,50", "1234.50"), ("+1,234.50", "1234.50"), ("1234,500", "1234.500"),
    ("12345,000", "12345.000"), ("0,125", "0.125"), ("1\u202f234,50", "1234.50"), (".5", "0.5"),
    ("1234.500", "1234.500"),
])
def test_both_ways_of_writing_an_amount_are_read(typed, amount):
    assert parse_typed_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(("typed", "message"), [
    ("1,250", r"ambiguous \(thousands or decimals\?\): write 1250 for the thousands"),
    ("1.250", "ambiguous"), ("-1,250", "write -1250 for the thousands"),
    ("\u0661\u0662\u0663", "write the amount in digits"),
    ("1e5", "write the amount in digits"), ("1E+5", "write the amount in digits"),
    ("1,23,456.00", "thousands in groups of three"), ("1.2.3", "is not an amount"),
    ("abc", "is not an amount"),
])
def test_what_is_not_plainly_an_amount_is_refused(typed, message):
    with pytest.raises(InvalidInput, match=message):
        parse_typed_amount(typed)


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "message"), [
    ("1e5", "write the amount in digits"),
    ("1,250", "is ambiguous"),
    ("-100", "a positive amount in NOK"),
    ("0", "a positive amount in NOK"),  # the same words for zero and below
])
def test_the_payment_page_refuses_and_registers_nothing(story, entity, make_user, typed,
                                                        message):
    customer = story.customer()
    client = Client()
    client.force_login(make_user("AR clerk", [entity]))
    bank = BankAccount.objects.filter(legal_entity=entity).first()
    page = client.post(f"/customers/{customer.account_number}/payment/", {
        "payment_date": DAY0.isoformat(), "amount": typed, "bank_account": bank.pk,
        "method": "bank_transfer"}).content.decode()
    assert message in page
    assert not CustomerTransaction.objects.filter(kind=TransactionKind.PAYMENT).exists()


@pytest.mark.django_db
def test_the_invoice_page_reads_line_amounts_like_the_payment_page(story, clerk_client):
    """The invoice form took '1e5' as 100,000 while the payment form refused it."""
    from remit.receivables.models import Invoice

    customer = story.customer()
    for price, quantity in (("1e5", "1"), ("100", "1E+2"), ("1,250", "1")):
        page = clerk_client.post(f"/customers/{customer.account_number}/invoice/", {
            "invoice_date": DAY0.isoformat(), "description_0": "Valves",
            "unit_price_0": price, "quantity_0": quantity,
            "tax_0": str(story.zero_tax.pk)}).content.decode()
        assert "write the amount in digits" in page or "is ambiguous" in page, (price, quantity)
    assert not Invoice.objects.exists()
    clerk_client.post(f"/customers/{customer.account_number}/invoice/", {
        "invoice_date": DAY0.isoformat(), "description_0": "Valves", "unit_price_0": "1 250,50",
        "quantity_0": "2", "tax_0": str(story.zero_tax.pk)})
    assert Invoice.objects.get().total_amount == Decimal("2501.00")
