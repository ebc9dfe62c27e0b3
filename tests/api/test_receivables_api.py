"""The receivables API: a customer, an invoice, a payment with a discount, an unsettle."""

import json

import pytest

from remit.ledger.services import ledger_check_run
from remit.receivables.models import CustomerGroup, Invoice
from tests.helpers import SYSTEM, api_caller

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(clerk, entity):
    CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    return api_caller(clerk, "/api/receivables")


def test_customer_invoice_payment_unsettle_over_the_api(call):
    status, customer = call("POST", "/customers", {
        "account_number": "30001", "name": "Havblikk Marine AS", "group": "DOM",
        "cash_discount_terms": "2/10", "contacts": [{"name": "Ola", "email": "ola@h.example"}]})
    assert status == 201 and customer["summary"]["balance"] == "0.0000"
    status, invoice = call("POST", "/invoices", {
        "customer": "30001", "invoice_date": "2026-03-02", "post": True,
        "lines": [{"description": "Hull cleaning", "unit_price": "4000.00", "tax_code": "S"}]})
    assert status == 201 and invoice["number"] == "INV-000001"
    assert invoice["total_amount"] == "5000.0000"
    status, payment = call("POST", "/payments", {
        "customer": "30001", "payment_date": "2026-03-09", "amount": "4900.00",
        "marks": [{"document_number": "INV-000001"}]})
    assert status == 201 and payment["open_amount"] == "0.0000"
    status, detail = call("GET", "/customers/30001")
    assert detail["summary"]["balance"] == "0.0000" and detail["summary"]["open_items"] == 0
    settlement = Invoice.objects.get().transactions.get().settlement_lines.get().settlement
    status, reversed_ = call("POST", f"/settlements/{settlement.pk}/reverse",
                             {"on": "2026-03-10", "reason": "wrong customer"})
    assert status == 200 and reversed_["reversed_on"] == "2026-03-10"
    status, items = call("GET", "/customers/30001/open-items")
    assert sorted(i["open_amount"] for i in items) == ["-4900.0000", "5000.0000"]
    assert ledger_check_run(actor=SYSTEM).ok


def test_bad_receivables_input_names_the_field(call):
    status, body = call("POST", "/customers", {"account_number": "1", "name": "x",
                                               "group": "NOPE"})
    assert status == 422 and body["errors"][0]["loc"] == ["group"]
    call("POST", "/customers", {"account_number": "30002", "name": "Y", "group": "DOM"})
    status, body = call("POST", "/invoices", {"customer": "30002", "invoice_date": "2026-03-02",
                                              "lines": [{"description": "a", "unit_price": "1",
                                                         "tax_code": "XX"}]})
    assert status == 422 and body["errors"][0]["loc"] == ["lines", 0, "tax_code"]
    status, body = call("POST", "/payments", {"customer": "30002", "payment_date": "2026-03-02",
                                              "amount": "10", "marks": [
                                                  {"document_number": "INV-999"}]})
    assert status == 422 and body["errors"][0]["loc"] == ["marks", 0, "document_number"]
    status, body = call("POST", "/payments", {"customer": "30002", "payment_date": "2026-03-02",
                                              "amount": "10.001"})
    assert status == 422 and body["errors"][0]["loc"] == ["amount"]
    assert not Invoice.objects.exists()


def test_a_payment_journal_of_several_lines_posts_all_or_nothing(call):
    call("POST", "/customers", {"account_number": "40001", "name": "A", "group": "DOM"})
    call("POST", "/customers", {"account_number": "40002", "name": "B", "group": "DOM"})
    for customer in ("40001", "40002"):
        call("POST", "/invoices", {"customer": customer, "invoice_date": "2026-03-02",
                                   "post": True,
                                   "lines": [{"description": "x", "unit_price": "100",
                                              "tax_code": "Z"}]})
    lines = [{"customer": "40001", "payment_date": "2026-03-10", "amount": "100",
              "marks": [{"document_number": "INV-000001"}]},
             {"customer": "40002", "payment_date": "2026-03-10", "amount": "60",
              "marks": [{"document_number": "INV-000002"}]}]
    status, body = call("POST", "/payment-journals", {"description": "bank statement 12",
                                                      "lines": lines + [{
                                                          "customer": "40002",
                                                          "payment_date": "2026-03-10",
                                                          "amount": "-5"}]})
    assert status == 422 and body["errors"][0]["loc"] == ["lines", 2, "amount"]
    from remit.receivables.models import CustomerTransaction, PaymentJournal

    assert not CustomerTransaction.objects.filter(kind="payment").exists()
    assert not PaymentJournal.objects.exists()  # no draft left behind
    status, body = call("POST", "/payment-journals", {"description": "bank statement 12",
                                                      "lines": lines})
    assert status == 201 and body["status"] == "posted" and len(body["payments"]) == 2
    status, items = call("GET", "/customers/40002/open-items")
    assert [i["open_amount"] for i in items] == ["40.0000"]


def test_the_api_refuses_unknown_fields_bad_choices_and_dates_decades_off(call):
    call("POST", "/customers", {"account_number": "50001", "name": "Z", "group": "DOM"})
    status, body = call("POST", "/customers", {"account_number": "50002", "name": "Z",
                                               "group": "DOM", "colour": "blue"})
    assert status == 422 and body["errors"][0]["loc"][-1] == "colour"
    status, body = call("POST", "/customers", {"account_number": "A/B", "name": "Z",
                                               "group": "DOM"})
    assert status == 422 and body["errors"][0]["loc"] == ["account_number"]
    status, body = call("POST", "/payments", {"customer": "50001", "payment_date": "2026-03-02",
                                              "amount": "1", "marks": [{
                                                  "document_number": "x",
                                                  "use_cash_discount": "sometimes"}]})
    assert status == 422 and body["errors"][0]["loc"][-1] == "use_cash_discount"
    status, body = call("POST", "/invoices", {"customer": "50001", "invoice_date": "2040-01-01",
                                              "lines": [{"description": "a", "unit_price": "1"}]})
    assert status == 422 and body["errors"][0]["loc"] == ["invoice_date"]
    status, body = call("POST", "/invoices", {"customer": "50001", "invoice_date": "2026-03-02",
                                              "lines": [{"description": "a", "unit_price": "1",
                                                         "revenue_account": "1920"}]})
    assert status == 422 and "not a revenue account" in body["message"]
    status, body = call("POST", "/invoices", {"customer": "50001", "invoice_date": "2026-03-02",
                                              "post": True, "lines": [
                                                  {"description": "exempt", "unit_price": "100",
                                                   "tax_code": None}]})
    assert status == 201 and body["tax_amount"] == "0.0000"


def test_a_mark_whose_number_two_items_share_asks_for_the_kind(call, entity):
    from datetime import date

    from remit.core.money import Money
    from remit.receivables.models import Customer
    from remit.receivables.services import opening_balance_post

    call("POST", "/customers", {"account_number": "30001", "name": "Havblikk Marine AS",
                                "group": "DOM"})
    call("POST", "/invoices", {"customer": "30001", "invoice_date": "2026-03-02", "post": True,
                               "lines": [{"description": "Hull", "unit_price": "400.00",
                                          "tax_code": "Z"}]})
    opening_balance_post(customer=Customer.objects.get(), document_number="INV-000001",
                         document_date=date(2026, 1, 31), due_date=date(2026, 2, 28),
                         amount=Money.of("250.00", "NOK"), actor=SYSTEM)
    payment = {"customer": "30001", "payment_date": "2026-03-09", "amount": "250.00",
               "marks": [{"document_number": "INV-000001"}]}
    status, body = call("POST", "/payments", payment)
    assert status == 422 and "say which kind" in json.dumps(body)
    payment["marks"][0]["kind"] = "opening_balance"
    status, body = call("POST", "/payments", payment)
    assert status == 201 and body["open_amount"] == "0.0000"
