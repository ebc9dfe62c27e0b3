"""Credit management in a real browser: a sales rep's order runs past the customer's credit
limit and is held at confirmation; the credit manager finds it on the credit holds list, sees
why, releases it with posting, and the order's hold history shows who released it and why."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from remit.core.services import user_create
from remit.credit.models import CreditHold, HoldStatus
from remit.sales.models import OrderStatus, SalesOrder
from tests.browser.conftest import snapshot
from tests.credit.conftest import CreditStory
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(entity):
    story = CreditStory(entity)
    customer = story.customer(limit=10_000)
    customer.name = "Fjordkraft Bygg AS"
    customer.save()
    user_create(username="ola", password="correct-horse-9", roles=["sales-rep"],
                legal_entities=[entity], actor=SYSTEM)
    user_create(username="kari", password="correct-horse-9", roles=["credit-manager"],
                legal_entities=[entity], actor=SYSTEM)
    return {"customer": customer, "tax": story.zero_tax}


def _login(page, url, username):
    page.goto(f"{url}/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()


def test_an_order_over_the_limit_is_held_and_a_credit_manager_releases_it(page, live_server,
                                                                         world):
    customer = world["customer"]
    _login(page, live_server.url, "ola")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sales orders").click()
    page.get_by_role("link", name="New sales order").click()
    page.get_by_role("combobox", name="Customer account").fill(customer.account_number)
    page.get_by_label("Description line 1").fill("Heat pumps, 4 units")
    page.get_by_label("Quantity line 1").fill("4")
    page.get_by_label("Unit price line 1").fill("3125")
    page.get_by_label("Sales tax line 1").select_option(value=str(world["tax"].pk))
    page.get_by_role("button", name="Create order").click()
    order = SalesOrder.objects.get(customer=customer)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sales order {order.number}")
    expect(page.get_by_test_id("order-total")).to_contain_text("12,500.00")

    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Order has been sent to credit management: 125.00 % of the customer credit limit used")
    expect(page.get_by_test_id("holds-history")).to_contain_text("on hold")
    page.get_by_role("button", name="Log out").click()

    _login(page, live_server.url, "kari")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Credit holds").click()
    row = page.get_by_role("row", name=order.number)
    expect(row).to_contain_text("125.00 % of the customer credit limit used")
    expect(row).to_contain_text("Fjordkraft Bygg AS")
    snapshot(page, "credit-holds")
    row.get_by_role("checkbox").check()
    page.get_by_label("Release reason").select_option(
        label="APPROVED Credit approved by the credit manager")
    page.get_by_label("Note").fill("30 % prepaid; the rest on normal terms")
    page.get_by_role("button", name="Release with posting").click()
    expect(page.get_by_role("status").first).to_contain_text("1 hold released with posting")

    page.get_by_role("combobox", name="Which holds").select_option("all")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=order.number).click()
    history = page.get_by_test_id("holds-history")
    expect(history).to_contain_text("Released by kari")
    expect(history).to_contain_text("APPROVED Credit approved by the credit manager")
    expect(history).to_contain_text("30 % prepaid; the rest on normal terms")
    expect(page.locator(".page-head .tag").first).to_have_text("confirmed")
    snapshot(page, "credit-order-released")

    page.get_by_role("link", name="credit", exact=True).click()
    expect(page.get_by_test_id("credit-limit")).to_contain_text("10,000.00")
    expect(page.get_by_test_id("credit-exposure")).to_contain_text("12,500.00")
    snapshot(page, "credit-customer")

    hold = CreditHold.objects.get(order=order)
    order.refresh_from_db()
    assert hold.status == HoldStatus.RELEASED and hold.decided_by.username == "kari"
    assert hold.release_note == "30 % prepaid; the rest on normal terms"
    assert order.status == OrderStatus.CONFIRMED and order.total_amount == Decimal(12500)
    assert order.confirmed_on == timezone.localdate()
