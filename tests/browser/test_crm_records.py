"""Duplicates and activities in a real browser: a seller opens a contact's possible
duplicates, detaches one, merges the other into it choosing the phone number of the
duplicate, then plans a call for a colleague, who finds it in their activity list and marks
it done."""

import pytest
from playwright.sync_api import expect

from remit.core.services import user_create
from remit.crm import leads, qualify
from remit.crm.models import Contact, TimelineEntry
from tests.browser.conftest import snapshot
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(entity):
    qualify.settings_for(entity)
    account = leads.account_create(legal_entity=entity, actor=SYSTEM, name="Fjord Marine AS")
    kari = leads.contact_create(legal_entity=entity, actor=SYSTEM, first_name="Kari",
                                last_name="Nordmann", email="kari@fjordmarine.no",
                                account=account, job_title="Purchasing manager")
    again = leads.contact_create(legal_entity=entity, actor=SYSTEM, first_name="Kari",
                                 last_name="Nordman", email="kari@fjordmarine.no",
                                 business_phone="+47 55 12 34 56", ignore_duplicates=True)
    # same name and email domain, another address: someone else of the same name
    other = leads.contact_create(legal_entity=entity, actor=SYSTEM, first_name="Kari",
                                 last_name="Nordmann", email="kari.n@fjordmarine.no",
                                 ignore_duplicates=True)
    for name, role in (("ola", "sales-rep"), ("siri", "sales-rep")):
        user_create(username=name, password="correct-horse-9", roles=[role],
                    first_name=name.capitalize(), legal_entities=[entity], actor=SYSTEM)
    return {"kari": kari, "again": again, "other": other}


def login(page, live_server, name):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()


def test_duplicates_are_detached_or_merged_and_activities_are_planned_and_done(
        page, live_server, world):
    kari = world["kari"]
    login(page, live_server, "ola")
    page.goto(f"{live_server.url}/crm/contacts/{kari.pk}/")
    expect(page.get_by_test_id("duplicate-banner")).to_contain_text("2 possible duplicates")
    page.get_by_role("link", name="View possible duplicates").click()
    table = page.get_by_test_id("duplicates")
    expect(table).to_contain_text("Nordman")
    snapshot(page, "crm-possible-duplicates")
    # the one with its own email address is someone else: detach it
    expect(page.get_by_test_id("detach")).to_have_count(2)
    page.get_by_role("button", name="Detach Kari Nordmann (kari.n@fjordmarine.no)").click()
    expect(page.get_by_role("status")).to_contain_text("no longer listed")
    expect(page.get_by_test_id("detach")).to_have_count(1)
    page.get_by_label(f"Merge {world['again']}").check()
    page.get_by_test_id("merge-selected").click()

    merge = page.get_by_test_id("merge")
    expect(merge).to_contain_text("+47 55 12 34 56")
    # the default primary is the latest changed (both have one timeline entry): keep Kari's
    page.get_by_test_id("make-primary").click()
    expect(page.get_by_role("button", name="Merge into")).to_have_text(
        "Merge into Kari Nordmann")
    snapshot(page, "crm-merge-contacts")
    page.get_by_role("button", name="Merge into").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kari Nordmann")
    kari.refresh_from_db()
    assert kari.business_phone == "+47 55 12 34 56"  # filled from the duplicate
    assert Contact.objects.get(pk=world["again"].pk).merged_into_id == kari.pk

    form = page.get_by_test_id("timeline-form")
    form.get_by_label("Timeline entry").select_option("call")
    form.get_by_label("Note title").fill("Ring Kari about the spring delivery")
    form.get_by_label("Due date").fill("2026-01-10")
    form.get_by_label("Owner").select_option(label="Siri")
    form.get_by_role("button", name="Add to timeline").click()
    expect(page.get_by_test_id("activity-state").first).to_contain_text("due 2026-01-10")
    entry = TimelineEntry.objects.get(activity_type="call")
    assert entry.assigned_to.username == "siri"

    page.get_by_role("button", name="Log out").click()
    login(page, live_server, "siri")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activities").click()
    row = page.get_by_test_id("activities").get_by_role("row").nth(1)
    expect(row).to_contain_text("Ring Kari about the spring delivery")
    expect(row.locator(".tag.overdue")).to_have_count(1)
    snapshot(page, "crm-activities")
    row.get_by_label("Outcome").fill("Delivery moved to April")
    row.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("activities")).to_contain_text("No activities here")
    entry.refresh_from_db()
    assert entry.done_at is not None and "Delivery moved to April" in entry.body
