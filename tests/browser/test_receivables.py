"""An AR clerk creates a customer, invoices it, and registers a payment that takes the cash
discount: the invoice is settled and the balance is zero — in a real browser."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from remit.core.services import user_create
from remit.ledger.services import ledger_check_run
from tests.browser.conftest import snapshot
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clerk_login(entity, live_server, page):
    from remit.receivables.models import CustomerGroup

    CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic customers")
    user_create(username="kari", password="correct-horse-9", roles=["ar-clerk"],
                legal_entities=[entity], actor=SYSTEM)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("kari")
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()
    return live_server.url


def test_customer_invoice_payment_with_discount_settled_balance_zero(page, clerk_login):
    base = clerk_login
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="New customer").click()
    page.get_by_label("Account number").fill("20001")
    page.get_by_label("Name", exact=True).fill("Fjordkraft Bygg AS")
    page.get_by_label("Group").select_option(label="DOM Domestic customers")
    page.get_by_label("Cash discount terms").select_option(label="2/10 2 % within 10 days")
    page.get_by_label("Primary contact").fill("Ingrid Berg")
    page.get_by_label("Contact e-mail").fill("ingrid@fjordkraft.example")
    page.get_by_role("button", name="Create customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fjordkraft Bygg AS")
    expect(page.get_by_text("Ingrid Berg")).to_be_visible()

    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Description line 1").fill("Roof inspection")
    page.get_by_label("Unit price line 1").fill("8000,00")
    page.get_by_label("Description line 2").fill("Travel")
    page.get_by_label("Quantity line 2").fill("2")
    page.get_by_label("Unit price line 2").fill("500")
    page.get_by_role("button", name="Post invoice").click()
    expect(page.get_by_role("status")).to_contain_text("Posted INV-000001")
    expect(page.get_by_test_id("invoice-total")).to_have_text("11,250.00")  # 9,000 + 25 %
    snapshot(page, "invoice")

    page.get_by_role("link", name="Fjordkraft Bygg AS").first.click()
    expect(page.get_by_test_id("balance")).to_contain_text("11,250.00")
    page.get_by_role("link", name="Register payment").click()
    page.get_by_label("Mark INV-000001").check()
    expect(page.get_by_label("Amount")).to_have_value("11025.00")  # 2 % discount proposed
    later = (date.today() + timedelta(days=15)).isoformat()
    page.get_by_label("Payment date").fill(later)
    page.get_by_label("Payment date").dispatch_event("change")
    expect(page.get_by_label("Amount")).to_have_value("11250.00")  # past the discount date
    page.get_by_label("Payment date").fill(date.today().isoformat())
    page.get_by_label("Payment date").dispatch_event("change")
    expect(page.get_by_label("Amount")).to_have_value("11025.00")
    snapshot(page, "payment")
    page.get_by_role("button", name="Register payment").click()
    expect(page.get_by_role("status")).to_contain_text("registered")
    expect(page.get_by_test_id("balance")).to_contain_text("0.00")
    expect(page.get_by_role("cell", name="Nothing open.")).to_be_visible()
    expect(page.get_by_text("discount 225.00")).to_be_visible()
    snapshot(page, "customer-settled")
    assert ledger_check_run(actor=SYSTEM).ok


def test_a_bad_invoice_line_is_shown_beside_it_and_nothing_posts(page, clerk_login):
    from remit.receivables.models import Invoice
    from remit.receivables.services import customer_create
    from remit.receivables.models import CustomerGroup

    group = CustomerGroup.objects.get(code="DOM")
    customer_create(legal_entity=group.legal_entity, account_number="20002", name="Test AS",
                    group=group, actor=SYSTEM)
    page.goto(f"{clerk_login}/customers/20002/invoice/")
    page.get_by_label("Description line 1").fill("Widget")
    page.get_by_label("Unit price line 1").fill("ten")
    page.get_by_role("button", name="Post invoice").click()
    expect(page.get_by_text("'ten': write the amount in digits").first).to_be_visible()
    expect(page.get_by_label("Description line 1")).to_have_value("Widget")
    assert not Invoice.objects.exists()
