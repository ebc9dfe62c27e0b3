"""Payment predictions in a real browser: the predictions list with its red markers and
tiles, the side pane with the factors in words, and a customer's expected payments."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from remit.core.services import user_create
from remit.receivables.services import customer_update
from remit.insights import services
from remit.insights.models import Prediction
from tests.browser.conftest import snapshot
from tests.helpers import SYSTEM
from tests.insights.conftest import Book

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scored(entity):
    book = Book(entity)
    for delay in (-3, -1, 0, 6, 12, 20, 45, 60):
        book.customer(delay, 26)
    today = timezone.localdate()
    slow = book.customer(55, 3, start=today - timedelta(days=20), pay=False)
    slow = customer_update(customer=slow, name="Seinbetaler AS", actor=SYSTEM)
    model = services.model_train(legal_entity=entity, as_of=date(2026, 3, 1), actor=SYSTEM)
    services.model_publish(model=model, actor=SYSTEM)
    services.predictions_score(legal_entity=entity, as_of=today, actor=SYSTEM)
    user_create(username="kari", password="correct-horse-9", roles=["credit-manager"],
                legal_entities=[entity], actor=SYSTEM)
    return {"slow": slow}


def test_predictions_list_pane_and_expected_payments(page, live_server, scored):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("kari")
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Payment predictions").click()
    red = Prediction.objects.filter(on_time__lt="0.5").count()
    expect(page.get_by_test_id("tile-red")).to_have_text(str(red))
    page.get_by_role("textbox", name="Search").fill("Seinbetaler")
    page.get_by_role("button", name="Show").click()
    worst = Prediction.objects.filter(customer=scored["slow"]).order_by("on_time").first()
    row = page.get_by_role("row", name=worst.item.document_number)
    expect(row.locator(".dot.red")).to_be_visible()
    row.get_by_role("link", name=worst.item.document_number).click()
    pane = page.get_by_test_id("prediction-pane")
    expect(pane).to_contain_text(worst.item.document_number)
    expect(pane.get_by_test_id("factors")).to_contain_text("towards late")
    expect(pane).to_contain_text(f"model v{worst.model.version}")
    snapshot(page, "insights-predictions")

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Customer predictions").click()
    table = page.get_by_test_id("customer-predictions")
    expect(table).to_contain_text("Seinbetaler AS")
    expected = services.expected_payments(Prediction.objects.filter(
        customer=scored["slow"]).select_related("item"))
    row = table.get_by_role("row", name="Seinbetaler AS")
    expect(row).to_contain_text(f"{expected['balance']:,.2f}")
    expect(row).to_contain_text(f"{expected['late']:,.2f}")
    snapshot(page, "insights-customers")
