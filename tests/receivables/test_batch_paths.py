"""One set of rules, two speeds: invoices issued and payments registered in a batch leave the
same books as issuing and registering them one at a time — the same invoices and lines, open
items, discount periods, settlements (cash discount, part payments, penny tolerance, an item
closed by an earlier payment of the same batch) and entry lines, account by account."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from remit.core.exceptions import InvalidInput
from remit.core.money import Money
from remit.core.services import exchange_rate_set, legal_entity_create
from remit.ledger.models import JournalLine
from remit.ledger.services import ledger_check_run
from remit.receivables.models import (
    CashDiscountTerms,
    CustomerGroup,
    CustomerTransaction,
    Invoice,
    InvoiceLine,
    PaymentLine,
    SettlementLine,
)
from remit.receivables.services import (
    LineSpec,
    MarkSpec,
    customer_create,
    invoice_issue,
    parameters_for,
    payment_register,
)
from remit.receivables.services.invoice_batch import IssueSpec, invoices_issue_batch
from remit.receivables.services.payment_batch import payments_register_batch
from remit.receivables.services.payments import PaymentSpec
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db
START = date(2026, 1, 5)


def _world(entity):
    params = parameters_for(entity)
    params.max_penny_difference = Decimal("1.00")
    params.save()
    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    discount = CashDiscountTerms.objects.get(legal_entity=entity, code="2/10")
    return [customer_create(legal_entity=entity, account_number=f"C{n}", name=f"Customer {n}",
                            group=group, actor=SYSTEM, currency=("EUR" if n == 3 else None),
                            cash_discount_terms=discount if n % 2 else None)
            for n in range(4)]


def _invoices(customers):
    return [IssueSpec(customers[n % 4], START + timedelta(days=n),
                      [LineSpec("Goods", Decimal(1000 + 37 * n)), LineSpec("Freight", Decimal(95),
                                                                          Decimal(2))],
                      attributes={"channel": "web" if n % 3 else "phone"})
            for n in range(12)]


def _payments(items):
    """Full payments with and without discount, a part payment, a penny short, a second
    payment for an item the first already closed (its money stays open)."""
    out = []
    for n, item in enumerate(items):
        on = item.document_date + timedelta(days=5 if n % 2 else 30)
        amount = item.amount - (item.amount * Decimal("0.02")).quantize(Decimal("0.01")) \
            if n % 2 else item.amount
        if n == 4:
            amount = (item.amount / 2).quantize(Decimal("0.01"))
        if n == 6:
            amount -= Decimal("0.40")
        out.append((item, on, amount))
    out.append((items[0], items[0].document_date + timedelta(days=40), Decimal("100.00")))
    return out


def test_invoices_and_payments_in_a_batch_leave_the_books_one_at_a_time_leaves(entity):
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2025, 1, 1),
                      rate="11.5", actor=SYSTEM)
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2026, 1, 20),
                      rate="11.6317", actor=SYSTEM)
    twin = legal_entity_create(code="NO02", name="Twin AS", accounting_currency="NOK",
                               country="NO", actor=SYSTEM)
    for target in (entity, twin):
        customers = _world(target)
        specs = _invoices(customers)
        if target is entity:
            for s in specs:
                invoice_issue(customer=s.customer, invoice_date=s.invoice_date, lines=s.lines,
                              attributes=s.attributes, actor=SYSTEM)
        else:
            invoices_issue_batch(legal_entity=target, specs=specs, actor=SYSTEM)
        items = list(CustomerTransaction.objects.filter(legal_entity=target).order_by("pk"))
        plan = _payments(items)
        if target is entity:
            for item, on, amount in plan:
                item.refresh_from_db()
                if item.is_open:
                    payment_register(customer=item.customer, payment_date=on,
                                     amount=Money(amount, item.currency),
                                     marks=[MarkSpec(item)], actor=SYSTEM)
                else:  # what the batch does: the money is kept, open, on the account
                    payment_register(customer=item.customer, payment_date=on,
                                     amount=Money(amount, item.currency), actor=SYSTEM)
        else:
            payments_register_batch(legal_entity=target, actor=SYSTEM, payments=[
                PaymentSpec(item.customer, on, Money(amount, item.currency), None,
                            marks=[MarkSpec(item)]) for item, on, amount in plan])
    assert _shape(entity) == _shape(twin)
    assert SettlementLine.objects.filter(item__legal_entity=twin, discount__gt=0).exists()
    assert SettlementLine.objects.filter(item__legal_entity=twin, write_off_kind="penny").exists()
    assert ledger_check_run(actor=SYSTEM).ok


def _shape(entity):
    invoices = sorted(Invoice.objects.filter(legal_entity=entity).values_list(
        "number", "invoice_date", "due_date", "net_amount", "tax_amount", "total_amount",
        "status", "attributes"))
    lines = sorted(InvoiceLine.objects.filter(invoice__legal_entity=entity).values_list(
        "invoice__number", "line_no", "amount", "tax_amount", "revenue_account__number"))
    items = sorted(CustomerTransaction.objects.filter(legal_entity=entity).values_list(
        "kind", "document_date", "due_date", "amount", "amount_acc", "settled_amount",
        "settled_acc", "discount_taken", "is_open", "closed_on", "attributes"))
    dates = sorted(CustomerTransaction.objects.filter(legal_entity=entity).values_list(
        "kind", "document_date", "amount", "discount_dates__until", "discount_dates__percent"))
    settled = sorted(SettlementLine.objects.filter(item__legal_entity=entity).values_list(
        "item__document_date", "item__kind", "amount", "amount_acc", "discount", "write_off",
        "write_off_kind", "settlement__settled_on", "settlement__kind"))
    ledger = sorted(JournalLine.objects.filter(entry__legal_entity=entity)
                    .values("account__number", "entry__entry_date", "currency")
                    .annotate(d=Sum("debit"), c=Sum("credit"), da=Sum("debit_acc"),
                              ca=Sum("credit_acc"))
                    .values_list("account__number", "entry__entry_date", "currency", "d", "c",
                                 "da", "ca"))
    payments = sorted(PaymentLine.objects.filter(journal__legal_entity=entity).values_list(
        "payment_date", "amount", "journal__status"))
    # voucher numbers differ, and only them: a batch numbers its payments before their
    # settlement vouchers, one at a time interleaves them (both gap-free)
    return invoices, lines, items, dates, settled, ledger, payments


def test_a_batch_refuses_as_one_at_a_time_refuses_and_writes_nothing(entity):
    from remit.receivables.models import CustomerStatus
    from remit.receivables.services import customer_update

    customers = _world(entity)
    customer_update(customer=customers[1], status=CustomerStatus.BLOCKED, actor=SYSTEM)
    with pytest.raises(Exception, match="invoice 2: .*Blocked|invoice 2: .*blocked"):
        invoices_issue_batch(legal_entity=entity, actor=SYSTEM, specs=_invoices(customers)[:3])
    bad = _invoices(customers)[:1] + [IssueSpec(customers[0], START, [LineSpec("x",
                                                                               Decimal(-5))])]
    with pytest.raises(InvalidInput, match="invoice 2: .*greater than zero") as caught:
        invoices_issue_batch(legal_entity=entity, actor=SYSTEM, specs=bad)
    assert caught.value.errors[0][0][:2] == ("invoices", 1)
    assert not Invoice.objects.exists() and not CustomerTransaction.objects.exists()
    invoices_issue_batch(legal_entity=entity, actor=SYSTEM, specs=_invoices(customers)[:1])
    item = CustomerTransaction.objects.get()
    with pytest.raises(InvalidInput, match="payment 1: .*marked twice"):
        payments_register_batch(legal_entity=entity, actor=SYSTEM, payments=[PaymentSpec(
            item.customer, START, Money.of("10", "NOK"), None,
            marks=[MarkSpec(item), MarkSpec(item)])])
    with pytest.raises(InvalidInput, match="payment 1: amount"):
        payments_register_batch(legal_entity=entity, actor=SYSTEM, payments=[PaymentSpec(
            item.customer, START, Money.of("-10", "NOK"), None, marks=[MarkSpec(item)])])
    assert CustomerTransaction.objects.count() == 1
