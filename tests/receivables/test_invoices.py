"""Free-text invoices and credit notes: drafts, posting, numbers, due and discount dates,
credit notes, and the three documents of a correction."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.core.exceptions import InvalidInput, RuleViolation
from remit.ledger.models import JournalLine
from remit.receivables.models import (
    CustomerStatus,
    Invoice,
    PaymentTerms,
)
from remit.receivables.services import (
    LineSpec,
    invoice_correction_start,
    invoice_create,
    invoice_lines_replace,
    invoice_post,
)
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, books_ok, fresh

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_posted_invoice_has_a_number_a_balanced_entry_and_an_open_item(story, entity):
    customer = story.customer(discount="2/10,1/20")
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM, lines=[
        LineSpec("Installation", D("1200.00")),
        LineSpec("Cable, metres", D("12.50"), quantity=D("40"))])
    assert draft.number == "" and draft.total_amount == D("2125.00")  # 1700 + 25 % tax
    posted = invoice_post(invoice=draft, actor=SYSTEM)
    assert posted.number == "INV-000001" and posted.status == "posted"
    lines = {(l.account.number, l.debit, l.credit) for l in posted.journal_entry.lines.all()}
    assert lines == {("1500", D("2125"), 0), ("3000", 0, D("1700")), ("2700", 0, D("425"))}
    item = posted.transactions.get()
    assert (item.amount, item.due_date) == (D("2125.00"), DAY0 + timedelta(30))  # N30 default
    assert [(d.until, d.percent) for d in item.discount_dates.all()] == [
        (DAY0 + timedelta(10), D("2")), (DAY0 + timedelta(20), D("1"))]
    assert books_ok()


@pytest.mark.parametrize("method,days,expected", [
    ("net", 14, date(2026, 3, 16)), ("end_of_month", 30, date(2026, 4, 30)),
    ("on_receipt", 0, date(2026, 3, 2))])
def test_the_due_date_follows_the_customers_payment_terms(story, entity, method, days, expected):
    customer = story.customer()
    customer.payment_terms = PaymentTerms.objects.create(legal_entity=entity, code="T",
                                                         name="t", method=method, days=days)
    customer.save()
    assert story.invoice(customer).due_date == expected


def test_tax_is_rounded_per_line_at_the_tax_point(story):
    customer = story.customer()
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM, lines=[
        LineSpec("a", D("0.10")), LineSpec("b", D("0.10")), LineSpec("c", D("0.10"))])
    assert (draft.net_amount, draft.tax_amount) == (D("0.30"), D("0.09"))  # 3 × 0.025 → 0.03


def test_bad_lines_are_refused_with_the_line_named(story, entity):
    from remit.ledger.selectors import account_by_number

    customer = story.customer()
    with pytest.raises(InvalidInput) as exc:
        invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM,
                       lines=[LineSpec("ok", D("1")), LineSpec("x", D("5"), quantity=D("0"))])
    assert exc.value.errors[0][0] == ("lines", 1, "quantity")
    for number in ("1920", "3080"):  # the bank, the cash discount account: not revenue
        with pytest.raises(InvalidInput, match="not a revenue account") as exc:
            invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM, lines=[
                LineSpec("x", D("5"), revenue_account=account_by_number(entity, number))])
        assert exc.value.errors[0][0] == ("lines", 0, "revenue_account")
    assert not Invoice.objects.exists()


def test_a_discount_line_may_be_negative_but_not_the_whole_invoice(story):
    customer = story.customer()
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM, lines=[
        LineSpec("Goods", D("100"), tax_code=story.zero_tax),
        LineSpec("Loyalty discount", D("-10"), tax_code=story.zero_tax)])
    assert invoice_post(invoice=draft, actor=SYSTEM).total_amount == D("90.00")
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM,
                           lines=[LineSpec("Refund", D("-10"))])
    with pytest.raises(InvalidInput, match="greater than zero"):
        invoice_post(invoice=draft, actor=SYSTEM)


def test_no_sales_tax_means_none_and_the_default_is_asked_for_explicitly(story):
    from remit.receivables.services import DEFAULT_TAX

    customer = story.customer()
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM, lines=[
        LineSpec("Exempt service", D("100"), tax_code=None),
        LineSpec("Taxed goods", D("100"), tax_code=DEFAULT_TAX)])
    assert [line.tax_amount for line in draft.lines.order_by("line_no")] == [0, D("25.00")]


def test_customers_on_hold_get_no_invoices(story):
    customer = story.customer()
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM,
                           lines=[LineSpec("x", D("10"))])
    customer.status = CustomerStatus.ON_HOLD
    customer.save()
    with pytest.raises(RuleViolation, match="on hold"):
        invoice_post(invoice=draft, actor=SYSTEM)


def test_a_draft_can_be_edited_a_posted_invoice_cannot(story):
    customer = story.customer()
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM,
                           lines=[LineSpec("x", D("10"))])
    invoice_lines_replace(invoice=draft, lines=[LineSpec("y", D("20"))], actor=SYSTEM)
    assert fresh(draft).total_amount == D("25.00")
    invoice_post(invoice=draft, actor=SYSTEM)
    with pytest.raises(RuleViolation, match="posted"):
        invoice_lines_replace(invoice=draft, lines=[LineSpec("z", D("1"))], actor=SYSTEM)


def test_a_standalone_credit_note_is_a_negative_open_item(story, entity):
    customer = story.customer()
    credit = story.invoice(customer, "100.00", kind="credit_note", reason="goodwill")
    assert (credit.document_number, credit.amount) == ("CN-000001", D("-100.00"))
    lines = {(l.account.number, l.debit, l.credit) for l in credit.journal_entry.lines.all()}
    assert lines == {("1500", 0, D("100")), ("3000", D("100"), 0)}
    assert books_ok()


def test_correcting_an_invoice_gives_the_original_a_cancelling_credit_note_and_a_new_invoice(
        story, entity):
    customer = story.customer()
    original = story.invoice(customer, "1000.00").invoice
    draft = invoice_correction_start(invoice=original, correction_date=DAY0 + timedelta(2),
                                     reason="wrong price", actor=SYSTEM)
    invoice_lines_replace(invoice=draft, lines=[LineSpec("Consulting", D("900.00"),
                                                         tax_code=story.zero_tax)], actor=SYSTEM)
    corrected = invoice_post(invoice=draft, actor=SYSTEM)
    cancel = original.credit_notes.get()
    assert cancel.reason.startswith("Cancels INV-000001") and cancel.total_amount == D("1000.00")
    assert fresh(original.transactions.get()).is_open is False
    assert fresh(cancel.transactions.get()).is_open is False
    assert corrected.corrects == original and corrected.transactions.get().open_amount == D("900")
    assert Invoice.objects.filter(customer=customer).count() == 3
    with pytest.raises(RuleViolation, match="already has a correction"):
        invoice_correction_start(invoice=original, correction_date=DAY0 + timedelta(3),
                                 reason="again", actor=SYSTEM)
    assert books_ok()


def test_an_invoice_with_payments_settled_is_not_corrected_until_unsettled(story):
    customer = story.customer()
    item = story.invoice(customer)
    story.pay(customer, "100.00", DAY0, item)
    with pytest.raises(RuleViolation, match="unsettle"):  # refused before any draft is made
        invoice_correction_start(invoice=item.invoice, correction_date=DAY0, reason="x",
                                 actor=SYSTEM)
    assert Invoice.objects.filter(customer=customer).count() == 1


def test_invoices_in_a_foreign_currency_carry_both_amounts(story, entity, eur_rate):
    customer = story.customer(currency="EUR")
    item = story.invoice(customer, "100.00")
    assert (item.currency, item.amount, item.amount_acc) == ("EUR", D("100.00"), D("1150.00"))
    line = JournalLine.objects.get(entry=item.journal_entry, account__number="1500")
    assert (line.currency, line.debit, line.debit_acc) == ("EUR", D("100"), D("1150"))
    assert books_ok()
