"""The lead pages as a seller uses them: the list views, the duplicate dialog on a new lead,
the Qualify pane with two opportunities, the dialog at qualification, merging, and winning."""

import pytest
from django.test import Client

from remit.crm import leads
from remit.crm.models import Account, Lead, Opportunity, TimelineEntry
from tests.crm.conftest import lead

pytestmark = pytest.mark.django_db

FORM = {"topic": "Deck cranes", "first_name": "Kari", "last_name": "Nordmann",
        "company_name": "Fjord Marine AS", "email": "kari@fjordmarine.no"}


@pytest.fixture
def seller(rep):
    client = Client()
    client.force_login(rep.user)
    return client


def test_a_new_lead_like_a_contact_shows_the_dialog_and_links_then_qualifies(entity, crm, rep,
                                                                            seller):
    contact = leads.contact_create(legal_entity=entity, actor=rep, first_name="Kari",
                                   last_name="Nordmann", email="kari@fjordmarine.no")
    page = seller.post("/crm/leads/new/", FORM).content.decode()
    assert "Account or contact may already exist" in page and "Link to this contact" in page
    assert not Lead.objects.exists()
    response = seller.post("/crm/leads/new/", {**FORM, "link_contact": contact.pk})
    made = Lead.objects.get()
    assert response.status_code == 302 and made.parent_contact == contact
    page = seller.get(f"/crm/leads/{made.pk}/").content.decode()
    assert 'data-testid="qualify-pane"' in page and "Nothing is created until" in page
    response = seller.post(f"/crm/leads/{made.pk}/qualify/", {
        "account_action": "new", "contact_action": "existing", "contact_existing": contact.pk,
        "opportunity_mode": "seller", "opportunity_topic_0": "Deck cranes",
        "opportunity_revenue_0": "250000", "opportunity_topic_1": "Service contract",
        "opportunity_close_1": "2027-03-01"})
    primary = Opportunity.objects.get(is_primary=True)
    assert response.status_code == 302 and response["Location"].endswith(
        f"/crm/opportunities/{primary.pk}/")
    page = seller.get(response["Location"]).content.decode()
    assert "Lead summary" in page and "Service contract" in page
    assert Opportunity.objects.count() == 2
    assert TimelineEntry.objects.filter(kind="summary").count() == 2


def test_qualifying_into_a_look_alike_account_asks_first(entity, crm, rep, seller):
    existing = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine")
    made = lead(entity, rep)
    page = seller.post(f"/crm/leads/{made.pk}/qualify/", {
        "account_action": "new", "contact_action": "new", "opportunity_mode": "seller",
        "opportunity_topic_0": "Deck cranes"}).content.decode()
    assert "Account or contact may already exist" in page and "Fjord Marine" in page
    assert not Opportunity.objects.exists()
    response = seller.post(f"/crm/leads/{made.pk}/qualify/", {
        "account_action": "existing", "account_existing": f"Fjord Marine #{existing.pk}",
        "contact_action": "new",
        "opportunity_mode": "seller", "opportunity_topic_0": "Deck cranes"})
    assert response.status_code == 302 and Account.objects.count() == 1
    assert Opportunity.objects.get().account == existing


def test_lists_views_actions_merge_and_win(entity, crm, rep, seller):
    a = lead(entity, rep)
    b = lead(entity, rep, topic="Again", ignore_duplicates=True)
    for url in ("/crm/leads/", "/crm/leads/?view=mine", "/crm/leads/?view=closed",
                "/crm/leads/?q=fjord", "/crm/opportunities/", "/crm/leads/new/",
                f"/crm/leads/merge/?ids={a.pk},{b.pk}"):
        assert seller.get(url).status_code == 200, url
    seller.post(f"/crm/leads/{a.pk}/action/", {"action": "contacted"})
    seller.post(f"/crm/leads/{a.pk}/action/", {"action": "note", "title": "Call",
                                               "note": "Budget 200k."})
    response = seller.post("/crm/leads/merge/", {"ids": f"{a.pk},{b.pk}", "primary": a.pk,
                                                 "fill_empty": "1"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into == a
    assert "Again" not in seller.get("/crm/leads/").content.decode()
    response = seller.post("/crm/leads/bulk/", {"lead": [a.pk], "action": "qualify",
                                                "create_account": "1", "create_contact": "1",
                                                "create_opportunity": "1"}, follow=True)
    assert "1 lead(s) qualified" in response.content.decode()
    opportunity = Opportunity.objects.get()
    seller.post(f"/crm/opportunities/{opportunity.pk}/close/", {"won": "1",
                                                                "on": "2027-03-01"})
    opportunity.refresh_from_db()
    assert opportunity.status == "won"
    page = seller.get(f"/crm/accounts/{opportunity.account.pk}/").content.decode()
    assert "Make customer" not in page  # a sales rep may not create customers
    assert seller.get(f"/crm/contacts/{opportunity.contact.pk}/").status_code == 200


def test_a_lead_is_edited_through_the_duplicate_check_and_records_take_notes(entity, crm, rep,
                                                                           seller):
    first = lead(entity, rep)
    second = lead(entity, rep, topic="Other", first_name="Per", last_name="Olsen",
                  company_name="Havblikk AS", email="per@havblikk.no")
    url = f"/crm/leads/{second.pk}/edit/"
    # retyped as Kari (K.) with her address: a person's address and name, so a duplicate
    form = {"topic": "Other", "first_name": "K.", "last_name": "Nordmann",
            "company_name": "Havblikk AS", "email": "kari@fjordmarine.no"}
    page = seller.post(url, form).content.decode()
    assert "may already exist" in page and "Link to this" not in page
    second.refresh_from_db()
    assert second.email == "per@havblikk.no"
    assert seller.post(url, {**form, "ignore_duplicates": "1"}).status_code == 302
    second.refresh_from_db()
    assert second.email == "kari@fjordmarine.no"
    result = qualify_lead(first, rep)
    for kind, record in (("account", result.account), ("contact", result.contact),
                         ("opportunity", result.opportunities[0])):
        seller.post(f"/crm/{kind}/{record.pk}/note/", {"title": f"Note on {kind}"})
        assert record.timeline.filter(kind="note", title=f"Note on {kind}").exists()
    page = seller.post(f"/crm/lead/{first.pk}/note/", {"title": "x"}, follow=True)
    assert "reactivate it to add notes" in page.content.decode()  # the lead is qualified
    assert not first.timeline.filter(kind="note", title="x").exists()
    assert seller.post(f"/crm/invoice/{first.pk}/note/", {"title": "x"}).status_code == 404
    for url in ("/crm/accounts/", "/crm/accounts/?q=fjord", "/crm/contacts/",
                "/crm/contacts/?q=kari"):
        page = seller.get(url)
        assert page.status_code == 200 and b"Fjord Marine AS" in page.content, url


def qualify_lead(made, actor):
    from remit.crm import qualify

    return qualify.lead_qualify(lead=made, actor=actor, ignore_duplicates=True)


def test_calls_meetings_emails_and_tasks_go_in_the_timeline(entity, crm, rep, seller):
    made = lead(entity, rep)
    seller.post(f"/crm/leads/{made.pk}/action/", {"action": "note", "entry": "call",
                                                  "title": "Follow up on the quote",
                                                  "on": "2026-12-01"})
    entry = made.timeline.get(kind="activity")
    assert entry.title == "Phone call: Follow up on the quote"
    assert (entry.activity_type, entry.due_on.isoformat(), entry.done_at) == (
        "call", "2026-12-01", None)
    assert entry.assigned_to == rep.user
    result = qualify_lead(made, rep)
    opportunity = result.opportunities[0]
    response = seller.post(f"/crm/opportunity/{opportunity.pk}/note/", {
        "entry": "meeting", "title": "Demo on site"}, follow=True)
    assert "Meeting: Demo on site" in response.content.decode()
    response = seller.post(f"/crm/opportunity/{opportunity.pk}/note/", {
        "entry": "party", "title": "x"}, follow=True)
    assert "activity type: one of call, meeting, email, task" in response.content.decode()


def test_a_bad_estimated_revenue_in_the_pane_is_named_and_nothing_is_created(entity, crm, rep,
                                                                             seller):
    made = lead(entity, rep)
    for revenue in ("abc", "-5", "1.001"):
        response = seller.post(f"/crm/leads/{made.pk}/qualify/", {
            "account_action": "new", "contact_action": "new", "opportunity_mode": "seller",
            "opportunity_topic_0": "Cranes", "opportunity_revenue_0": revenue}, follow=True)
        assert "opportunity 1 estimated revenue" in response.content.decode(), revenue
    assert not Opportunity.objects.exists() and not Account.objects.exists()
    made.refresh_from_db()
    assert made.state == "open"


def test_the_qualify_dialog_preselects_a_contact_with_its_own_account_and_mixes_choices(
        entity, crm, rep, seller):
    # two look-alike accounts; the matched contact belongs to the second
    first = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine",
                                 city="Stavanger")
    second = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine AS",
                                  city="Bergen", ignore_duplicates=True)
    kari = leads.contact_create(legal_entity=entity, actor=rep, first_name="Kari",
                                last_name="Nordmann", email="kari@fjordmarine.no",
                                account=second)
    made = lead(entity, rep, ignore_duplicates=True)
    form = {"account_action": "new", "contact_action": "new", "opportunity_mode": "seller",
            "opportunity_topic_0": "Deck cranes"}
    page = seller.post(f"/crm/leads/{made.pk}/qualify/", form).content.decode()
    assert f'value="existing:{second.pk}" aria-label="Use Fjord Marine AS" checked' in page
    assert f'value="existing:{first.pk}" aria-label="Use Fjord Marine" >' in page
    assert f'value="existing:{kari.pk}" aria-label="Use Kari Nordmann" checked' in page
    # the existing contact, and a new account after all (the user has seen the matches)
    response = seller.post(f"/crm/leads/{made.pk}/qualify/", {
        "opportunity_mode": "seller", "opportunity_topic_0": "Deck cranes",
        "contact_choice": f"existing:{kari.pk}", "account_choice": "new"})
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.contact == kari and opportunity.account not in (first, second)
    assert Account.objects.count() == 3


def test_the_lead_form_reads_the_estimated_value_like_every_amount_on_the_pages(crm, seller):
    """It took '1e5' as 100,000 while the payment form refused it."""
    page = seller.post("/crm/leads/new/", {**FORM, "estimated_value": "1e5"}).content.decode()
    assert "write the amount in digits" in page and not Lead.objects.exists()
    seller.post("/crm/leads/new/", {**FORM, "estimated_value": "250 000,00"})
    assert Lead.objects.get().estimated_value == 250000
