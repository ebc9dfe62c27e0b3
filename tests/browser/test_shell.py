"""A clerk logs in, switches legal entity, opens and reverses a journal entry, posts one by
hand, and logs out — in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from remit.core.services import user_create
from tests.browser.conftest import snapshot
from tests.helpers import SYSTEM, post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def books(entity, other_entity):
    user_create(username="kari", password="correct-horse-9", roles=["ar-clerk"],
                legal_entities=[entity, other_entity], actor=SYSTEM)
    post(entity, [("6300", "48500.00"), ("1920", "-48500.00")], description="Office rent March")
    post(other_entity, [("6300", "31200.00"), ("1920", "-31200.00")], description="Husleje marts")
    return entity


def log_in(page, base, password="correct-horse-9"):
    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill("kari")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_log_in_switch_entity_open_and_reverse_an_entry_log_out(page, live_server, books):
    base = live_server.url
    log_in(page, base, password="wrong")
    expect(page.get_by_role("alert")).to_contain_text("enter a correct username and password")
    log_in(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nordlys Test AS")
    snapshot(page, "home")

    page.get_by_label("Legal entity").select_option("DK01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nordlys Test ApS")
    expect(page.get_by_role("status")).to_contain_text("now working in DK01")
    page.get_by_role("link", name="Journal entries").click()
    expect(page.get_by_role("cell", name="Husleje marts")).to_be_visible()
    expect(page.get_by_role("cell", name="Office rent March")).to_have_count(0)

    page.get_by_label("Legal entity").select_option("NO01")
    page.get_by_role("link", name="Journal entries").click()
    page.get_by_role("link", name="GJ-000001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal entry GJ-000001")
    expect(page.get_by_role("cell", name="6300 Rent")).to_be_visible()
    expect(page.locator("td.num", has_text="48,500.00")).to_have_count(4)
    snapshot(page, "entry")

    page.get_by_label("Reason").fill("booked twice")
    page.get_by_role("button", name="Post reversal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal entry GJ-000002")
    expect(page.get_by_text("Reversal of GJ-000001: booked twice")).to_be_visible()
    expect(page.get_by_role("link", name="GJ-000001")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto(f"{base}/ledger/entries/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_post_a_general_journal_entry_with_a_mistake_first(page, live_server, books):
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/ledger/entries/new/")
    page.get_by_label("Description", exact=True).fill("Office chairs")
    page.get_by_label("Account line 1").fill("6800")
    page.get_by_label("Debit line 1").fill("12990,00")
    page.get_by_label("Account line 2").fill("1920")
    page.get_by_label("Credit line 2").fill("12900.00")
    page.get_by_role("button", name="Post entry").click()
    expect(page.get_by_role("alert")).to_contain_text("differ by 90.00")
    expect(page.get_by_label("Account line 1")).to_have_value("6800")  # nothing was lost
    page.get_by_label("Credit line 2").fill("12990.00")
    page.get_by_role("button", name="Post entry").click()
    expect(page.get_by_role("status")).to_contain_text("Posted GJ-000002")
    expect(page.get_by_role("cell", name="6800 Office supplies")).to_be_visible()
    snapshot(page, "entry-new")


def test_the_api_docs_and_a_confirmation_work_under_the_content_security_policy(
        page, live_server, books):
    """No inline script is allowed any more: the API docs still render, and a confirmation
    asked by data-confirm (remit.js) still stops the action when declined. The page fixture
    fails the test on any CSP violation."""
    from django.contrib.auth import get_user_model

    from remit.core.models import ApiToken
    from remit.core.services import api_token_create

    kari = get_user_model().objects.get(username="kari")
    token, _ = api_token_create(user=kari, name="nightly export", actor=SYSTEM)
    base = live_server.url
    log_in(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nordlys Test AS")
    page.goto(f"{base}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("remit")
    page.goto(f"{base}/profile/tokens/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("button", name="Revoke")).to_be_visible()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_the_policy_check_itself_catches_an_inline_style(chromium, live_server, books):
    """The page fixture's CSP watch is not a test that cannot fail: a style attribute put on
    a remit page is refused and reported."""
    context = chromium.new_context()
    page = context.new_page()
    seen = []
    page.on("console", lambda message: seen.append(message.text))
    page.goto(f"{live_server.url}/login/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    page.wait_for_timeout(300)
    context.close()
    assert any("Content Security Policy" in text for text in seen), seen
