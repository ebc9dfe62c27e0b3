"""Leads in a real browser: a seller types a lead that duplicates an existing contact, the
dialog shows the contact, the seller links the lead to it, qualifies it in Seller mode into a
new account and two opportunities, and the lead summary is in the timelines of the lead and of
the primary opportunity."""

import pytest
from playwright.sync_api import expect

from remit.core.services import user_create
from remit.crm import leads, qualify
from remit.crm.models import Lead, Opportunity, TimelineEntry
from tests.browser.conftest import snapshot
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(entity):
    qualify.settings_for(entity)
    contact = leads.contact_create(legal_entity=entity, actor=SYSTEM, first_name="Kari",
                                   last_name="Nordmann", email="kari@fjordmarine.no",
                                   job_title="Purchasing manager")
    user_create(username="ola", password="correct-horse-9", roles=["sales-rep"],
                legal_entities=[entity], actor=SYSTEM)
    return {"contact": contact}


def test_a_duplicate_lead_is_linked_qualified_into_two_opportunities_and_summarised(
        page, live_server, world):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("ola")
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    page.get_by_role("link", name="New lead").click()
    page.get_by_label("Topic").fill("Deck cranes for two vessels")
    page.get_by_label("First name").fill("Kari")
    page.get_by_label("Last name").fill("Nordmann")
    page.get_by_label("Company name").fill("Fjord Marine AS")
    page.get_by_label("Email").fill("Kari@FjordMarine.no")
    page.get_by_label("City").fill("Bergen")
    page.get_by_label("Description").fill("Budget approved at 250,000 NOK. Needs delivery "
                                          "before the spring season.")
    page.get_by_role("button", name="Save lead").click()

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Account or contact may already exist")
    expect(dialog).to_contain_text("Kari Nordmann")
    snapshot(page, "leads-duplicate-dialog")
    dialog.get_by_role("button", name="Link to this contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deck cranes for two vessels")
    expect(page.get_by_role("status")).to_contain_text("linked to Kari Nordmann")
    lead = Lead.objects.get()
    assert lead.parent_contact == world["contact"]

    page.get_by_label("Note title").fill("First call")
    page.get_by_label("Note text").fill("Decision by the board in March. Likes the weather.")
    page.get_by_role("button", name="Add to timeline").click()
    pane = page.get_by_test_id("qualify-pane")
    expect(pane.get_by_label("Existing contact")).to_have_value(
        f"Kari Nordmann #{world['contact'].pk}")
    pane.get_by_label("Opportunity 1 estimated revenue").fill("250000")
    pane.get_by_label("Opportunity 2 topic").fill("Service agreement")
    pane.get_by_label("Opportunity 2 close date").fill("2027-03-01")
    snapshot(page, "leads-qualify-pane")
    pane.get_by_role("button", name="Qualify").click()

    expect(page.get_by_role("status")).to_contain_text("Qualified: account Fjord Marine AS")
    primary = Opportunity.objects.get(is_primary=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(primary.topic)
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Lead summary")
    expect(timeline).to_contain_text("Decision by the board in March.")
    expect(timeline).to_contain_text("Service agreement")
    expect(timeline).to_contain_text("First call")  # the lead's note, shown on the opportunity
    snapshot(page, "leads-opportunity-summary")
    assert Opportunity.objects.count() == 2
    assert primary.contact == world["contact"] and primary.account.name == "Fjord Marine AS"
    page.get_by_role("link", name=lead.topic).first.click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Qualified")
    expect(page.get_by_test_id("timeline")).to_contain_text("Lead summary")
    assert {(e.lead_id, e.opportunity_id) for e in TimelineEntry.objects.filter(
        kind="summary")} == {(lead.pk, None), (None, primary.pk)}


def test_a_colleague_is_possibly_related_and_saves_without_a_dialog(page, live_server, world):
    """Per works with Kari behind Fjord Marine's switchboard and post@ mailbox: not the same
    person, so the lead saves at once; the lead shows her as possibly related, and why."""
    leads.lead_create(legal_entity=world["contact"].legal_entity, actor=SYSTEM,
                      topic="Winches", first_name="Kari", last_name="Nordmann",
                      company_name="Fjord Marine AS", email="post@fjordmarine.no",
                      business_phone="55 11 22 33", ignore_duplicates=True)  # the contact's lead
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("ola")
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/crm/leads/new/")
    page.get_by_label("Topic").fill("Spare parts")
    page.get_by_label("First name").fill("Per")
    page.get_by_label("Last name").fill("Olsen")
    page.get_by_label("Company name").fill("Fjord Marine A/S")
    page.get_by_label("Email").fill("post@fjordmarine.no")
    page.get_by_label("Business phone").fill("+47 55 11 22 33")
    page.get_by_role("button", name="Save lead").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Spare parts")
    expect(page.get_by_role("dialog")).to_have_count(0)
    banner = page.get_by_test_id("related-banner")
    expect(banner).to_contain_text("1 possibly related record")  # Kari's lead
    banner.get_by_role("link", name="View them").click()
    table = page.get_by_test_id("duplicates")
    expect(table).to_contain_text("possibly related")
    why = table.get_by_test_id("match-why").filter(has_text="shared mailbox")
    expect(why).to_contain_text("a shared mailbox (post@fjordmarine.no)")
    expect(why).to_contain_text("different first names (Per, Kari)")
    # alike as numbers and companies, however they are written
    expect(table.locator("td.similar", has_text="55 11 22 33")).to_have_count(1)
    expect(table.locator("td.similar", has_text="Fjord Marine AS")).to_have_count(1)
    snapshot(page, "leads-possibly-related")
    assert Lead.objects.filter(topic="Spare parts", first_name="Per").exists()


def test_a_sales_manager_finds_the_duplicate_pairs_of_an_import(page, live_server, world):
    from remit.crm.models import DuplicateScan, StatusReason
    from remit.crm.tasks import duplicate_scan_job

    entity = world["contact"].legal_entity
    new = StatusReason.objects.get(code="new")
    Lead.objects.bulk_create([  # as loaded in bulk: no match codes yet
        Lead(legal_entity=entity, topic="Import", status=new, first_name=f, last_name=la,
             company_name=c, email=e, business_phone=p)
        for f, la, c, e, p in (("Lasse", "Rønnli", "Nordlys AS", "lasse@nordlys.no", "22 33 44 55"),
                               ("Lars", "RÃ¸nnli", "NORDLYS A/S", "", "+47 22334455"),
                               ("Per", "Olsen", "Nordlys AS", "post@nordlys.no", "22 33 44 55"))])
    user_create(username="sjef", password="correct-horse-9", roles=["sales-manager"],
                legal_entities=[entity], actor=SYSTEM)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("sjef")
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link",
                                                            name="Duplicate pairs").click()
    expect(page.get_by_test_id("scan-status")).to_contain_text("No scan of leads yet")
    page.get_by_role("button", name="Find duplicate leads").click()
    expect(page.get_by_test_id("scan-status")).to_contain_text("queued")
    duplicate_scan_job.call(scan_id=DuplicateScan.objects.get().pk)  # the worker's part
    expect(page.get_by_test_id("scan-status")).to_contain_text("1 pair among 3 records",
                                                               timeout=10_000)
    pairs = page.get_by_test_id("pairs")
    expect(pairs).to_contain_text("first names Lasse/Lars are the same name")
    snapshot(page, "leads-duplicate-pairs")
    pairs.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Possible duplicates of")
