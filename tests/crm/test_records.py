"""Accounts and contacts made and changed by hand go through the duplicate check; a record's
possible duplicates are compared side by side and detached; two to five records merge with
a value chosen per field; activities have an owner, a due date and are completed; an
opportunity is made and changed by hand — in the web app and over the API."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.models import AuditLog
from remit.crm import duplicates, leads, opportunities
from remit.crm.models import Account, Contact, Opportunity, TimelineEntry
from tests.crm.conftest import lead
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db


def client_of(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


@pytest.fixture
def seller(rep):
    return client_of(rep)


def contact(entity, actor, last, email, **values):
    return leads.contact_create(legal_entity=entity, actor=actor, last_name=last, email=email,
                                ignore_duplicates=True, **values)


def test_a_new_account_like_an_existing_one_shows_the_dialog_and_saves_only_when_told(
        entity, crm, rep, seller):
    existing = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine AS")
    form = {"name": "Fjord Marine", "city": "Bergen", "country": "no"}
    page = seller.post("/crm/accounts/new/", form).content.decode()
    assert "may already exist" in page and "Fjord Marine AS" in page
    assert "Link to this" not in page  # nothing to link an account to: open it or ignore
    assert Account.objects.filter(legal_entity=entity).count() == 1
    response = seller.post("/crm/accounts/new/", {**form, "ignore_duplicates": "1"})
    made = Account.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == f"/crm/accounts/{made.pk}/"
    assert (made.name, made.country, made.owner) == ("Fjord Marine", "NO", rep.user)
    assert made.timeline.filter(kind="created").exists()


def test_editing_an_account_records_what_changed_and_checks_duplicates(entity, crm, rep,
                                                                      seller):
    other = leads.account_create(legal_entity=entity, actor=rep, name="Havblikk AS")
    mine = leads.account_create(legal_entity=entity, actor=rep, name="Nordlys AS",
                                city="Tromsø")
    url = f"/crm/accounts/{mine.pk}/edit/"
    form = {"name": "Nordlys AS", "city": "Bodø", "phone": "+47 22 33 44 55"}
    assert seller.post(url, form).status_code == 302
    mine.refresh_from_db()
    assert (mine.city, mine.phone) == ("Bodø", "+47 22 33 44 55")
    change = mine.timeline.get(kind="changed")
    assert "City: Tromsø → Bodø" in change.body and "Name" not in change.body
    assert AuditLog.objects.filter(action="crm.account.update").count() == 1
    page = seller.post(url, {**form, "name": "Havblikk"}).content.decode()
    assert "may already exist" in page and other.name in page
    mine.refresh_from_db()
    assert mine.name == "Nordlys AS"
    page = seller.post(url, {**form, "name": " "}).content.decode()
    assert "This field is required" in page


def test_a_contact_edited_to_anothers_email_is_caught_and_an_inactive_one_is_read_only(
        entity, crm, rep, seller):
    account = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine AS")
    kari = contact(entity, rep, "Nordmann", "kari@fjordmarine.no", first_name="Kari")
    per = contact(entity, rep, "Olsen", "per@fjordmarine.no", first_name="Per")
    url = f"/crm/contacts/{per.pk}/edit/"
    form = {"first_name": "K", "last_name": "Nordmann", "email": "KARI@fjordmarine.no",
            "account": account.pk}
    page = seller.post(url, form).content.decode()
    assert "may already exist" in page and "Kari Nordmann" in page
    assert seller.post(url, {**form, "first_name": "Per", "last_name": "Olsen",
                             "email": "per@fjordmarine.no"}).status_code == 302
    per.refresh_from_db()
    assert per.account == account
    with pytest.raises(InvalidInput) as bad:
        leads.contact_update(contact=per, actor=rep, email="per at fjord")
    assert bad.value.as_dict()["errors"][0]["loc"] == ["email"]
    Contact.objects.filter(pk=kari.pk).update(is_active=False)
    assert seller.get(f"/crm/contacts/{kari.pk}/edit/").status_code == 404
    with pytest.raises(RuleViolation):
        leads.contact_update(contact=kari, actor=rep, job_title="CFO")


def test_possible_duplicates_are_compared_and_detached_one_list_at_a_time(entity, crm, rep,
                                                                          seller):
    first = lead(entity, rep)
    second = lead(entity, rep, topic="Cranes again", ignore_duplicates=True)
    known = contact(entity, rep, "Nordmann", "kari@fjordmarine.no", first_name="Kari")
    page = seller.get(f"/crm/leads/{first.pk}/").content.decode()
    assert "2 possible duplicates" in page
    page = seller.get(f"/crm/leads/{first.pk}/duplicates/").content.decode()
    assert "Cranes again" in page and "Kari Nordmann" in page
    assert 'class="similar">kari@fjordmarine.no' in page  # the same email is marked
    assert page.count('name="pick"') == 1  # only the other lead can be merged with a lead
    seller.post(f"/crm/leads/{first.pk}/duplicates/", {"other_type": "lead",
                                                        "other_id": second.pk})
    found = duplicates.find(entity, "lead", duplicates.party(first), exclude=first)
    assert [(m.record_type, m.record.pk) for m in found] == [("contact", known.pk)]
    leads.lead_update(lead=first, actor=rep, job_title="CEO")  # nothing matched on changed
    with pytest.raises(leads.DuplicatesFound) as asked:  # a new phone: asks, the contact only
        leads.lead_update(lead=first, actor=rep, business_phone="+47 55 00 00 09")
    assert [m.record for m in asked.value.matches] == [known]
    # detached from the first lead's list only: the second still lists the first
    found = duplicates.find(entity, "lead", duplicates.party(second), exclude=second)
    assert first.pk in [m.record.pk for m in found if m.record_type == "lead"]
    assert "1 possible duplicate." in seller.get(f"/crm/leads/{first.pk}/").content.decode()


def test_contacts_merge_with_a_value_chosen_per_field(entity, crm, rep, seller):
    a = contact(entity, rep, "Nordmann", "kari@fjordmarine.no", first_name="Kari")
    b = contact(entity, rep, "Nordman", "kari@fjordmarine.no", first_name="Kari",
                business_phone="+47 55 00 00 01", job_title="CFO")
    c = contact(entity, rep, "Nordmann", "k.nordmann@gmail.com", first_name="Kari",
                mobile_phone="+47 900 00 001", job_title="Finance director")
    leads.note_add(record=a, title="Met at the fair", actor=rep)
    opportunity = opportunities.opportunity_create(legal_entity=entity, topic="Cranes",
                                                   contact=c, actor=rep)
    ids = f"{b.pk},{a.pk},{c.pk}"
    page = seller.get(f"/crm/contacts/merge/?ids={ids}").content.decode()
    assert 'data-testid="primary"' in page
    assert page.index('data-testid="primary"') > page.index(f"/crm/contacts/{b.pk}/")  # a
    # the same value everywhere (the first name) is hidden unless asked for
    assert "First name" not in page
    assert "First name" in seller.get(f"/crm/contacts/merge/?ids={ids}&same=1").content.decode()
    response = seller.post("/crm/contacts/merge/", {
        "ids": ids, "primary": a.pk, "fill": "1", "pick_last_name": a.pk, "pick_email": a.pk,
        "pick_job_title": c.pk, "pick_business_phone": b.pk, "pick_mobile_phone": a.pk})
    assert response["Location"] == f"/crm/contacts/{a.pk}/"
    a.refresh_from_db()
    assert (a.job_title, a.business_phone, a.mobile_phone) == (
        "Finance director", "+47 55 00 00 01", "")  # the user kept the primary's empty mobile
    for other in (b, c):
        other.refresh_from_db()
        assert (other.is_active, other.merged_into_id) == (False, a.pk)
    opportunity.refresh_from_db()
    assert opportunity.contact == a
    assert a.timeline.filter(kind="merged").exists()


def test_make_primary_and_fill_are_choices_on_the_merge_page(entity, crm, rep, seller):
    a = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine AS",
                             city="Bergen")
    b = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine",
                             phone="+47 55 00 00 00", ignore_duplicates=True)
    leads.note_add(record=a, title="Busy", actor=rep)
    listed = seller.get("/crm/accounts/").content.decode()
    assert f'name="pick" value="{a.pk}"' in listed  # ticked on the list, merged from there
    page = seller.get(f"/crm/accounts/merge/?pick={a.pk}&pick={b.pk}").content.decode()
    assert 'data-testid="primary"' in page and "Fjord Marine AS" in page
    url = f"/crm/accounts/merge/?ids={a.pk},{b.pk}"
    page = seller.get(url).content.decode()
    phone_row = page[page.index("<th>Phone</th>"):].split("</tr>")[0]
    assert f'value="{b.pk}" checked' in phone_row  # the primary's empty phone is filled
    page = seller.get(url + f"&primary={b.pk}&fill=0").content.decode()
    city_row = page[page.index("<th>City</th>"):].split("</tr>")[0]
    assert f'value="{b.pk}" checked' in city_row  # b is primary and keeps its empty city
    seller.post("/crm/accounts/merge/", {"ids": f"{a.pk},{b.pk}", "primary": b.pk,
                                         "fill": "0", "pick_name": a.pk, "pick_city": b.pk,
                                         "pick_phone": b.pk})
    b.refresh_from_db()
    assert (b.name, b.city, b.phone, b.is_active) == ("Fjord Marine AS", "", "+47 55 00 00 00",
                                                      True)
    assert Account.objects.get(pk=a.pk).merged_into_id == b.pk


def test_activities_have_an_owner_a_due_date_and_are_completed(entity, crm, rep, manager,
                                                               seller, make_user):
    made = lead(entity, rep)
    boss = client_of(manager)
    seller.post(f"/crm/lead/{made.pk}/note/", {"entry": "task", "title": "Send the offer",
                                               "due": "2026-01-05",
                                               "assigned_to": manager.user.pk})
    seller.post(f"/crm/lead/{made.pk}/note/", {"entry": "call", "title": "Called, no answer",
                                               "done": "1"})
    task = made.timeline.get(activity_type="task")
    call = made.timeline.get(activity_type="call")
    assert (task.assigned_to, task.due_on, task.done_at) == (manager.user, date(2026, 1, 5),
                                                             None)
    assert call.assigned_to == rep.user and call.done_at is not None
    assert "Send the offer" not in seller.get("/crm/activities/").content.decode()
    mine = boss.get("/crm/activities/").content.decode()
    assert "Send the offer" in mine and "overdue" in mine
    home = boss.get("/").content.decode()
    tile = home[home.index('data-testid="tile-my-activities"'):].split("</a>")[0]
    assert '<div class="tile-value">1</div>' in tile and "1 overdue" in tile
    assert "Called, no answer" in seller.get("/crm/activities/?view=done").content.decode()
    # not the rep's task: a sales rep may not complete a colleague's activity
    page = seller.post(f"/crm/activities/{task.pk}/done/", {"outcome": "x"}, follow=True)
    assert "permission" in page.content.decode().lower()
    assert TimelineEntry.objects.get(pk=task.pk).done_at is None
    boss.post(f"/crm/activities/{task.pk}/done/", {"outcome": "Offer sent by mail",
                                                   "next": f"/crm/leads/{made.pk}/"})
    task.refresh_from_db()
    assert task.done_at is not None and task.body.endswith("Outcome: Offer sent by mail")
    outsider = make_user("Collections agent", [entity])
    page = seller.post(f"/crm/lead/{made.pk}/note/", {
        "entry": "task", "title": "x", "assigned_to": outsider.pk}, follow=True)
    assert "assigned to: not someone who works with leads here" in page.content.decode()
    with pytest.raises(InvalidInput):
        leads.activity_add(record=made, activity_type="task", subject="x",
                           assigned_to=outsider, actor=rep)


def test_an_opportunity_is_made_from_an_account_and_changed_until_it_closes(entity, crm, rep,
                                                                           seller):
    account = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine AS")
    page = seller.get(f"/crm/accounts/{account.pk}/").content.decode()
    assert f"/crm/opportunities/new/?account={account.pk}" in page
    assert 'data-testid="customer-hint"' in page  # a rep cannot make it a customer
    response = seller.post("/crm/opportunities/new/", {
        "topic": "Spare parts", "estimated_revenue": "12 500,50", "stage": "qualify",
        "account": account.pk})
    made = Opportunity.objects.get()
    assert response["Location"] == f"/crm/opportunities/{made.pk}/"
    assert (made.estimated_revenue, made.currency, made.owner) == (Decimal("12500.50"), "NOK",
                                                                  rep.user)
    url = f"/crm/opportunities/{made.pk}/edit/"
    seller.post(url, {"topic": "Spare parts", "estimated_revenue": "15000", "stage": "propose",
                      "account": account.pk, "close_date": "2027-02-01"})
    made.refresh_from_db()
    assert (made.stage, made.estimated_revenue) == ("propose", Decimal(15000))
    change = made.timeline.get(kind="changed").body
    assert "Stage: qualify → propose" in change and "Estimated revenue: 12,500.50 → 15,000.00" \
        in change
    page = seller.post(url, {"topic": "Spare parts", "estimated_revenue": "1.0015",
                             "stage": "propose"}).content.decode()
    assert "a positive amount in NOK" in page
    opportunities.opportunity_close(opportunity=made, won=False, on=date(2026, 3, 1), actor=rep)
    with pytest.raises(RuleViolation):
        opportunities.opportunity_update(opportunity=made, actor=rep, topic="Reopened?")
    with pytest.raises(InvalidInput):
        opportunities.opportunity_create(legal_entity=entity, topic="x", stage="close",
                                         actor=rep)


def test_accounts_contacts_opportunities_and_timelines_over_the_api(entity, crm, rep, call):
    status, account = call("POST", "/accounts", {"name": "Fjord Marine AS", "city": "Bergen"})
    assert status == 201
    status, body = call("POST", "/accounts", {"name": "Fjord Marine"})
    assert status == 409 and body["matches"][0]["id"] == account["id"]
    assert call("POST", "/accounts", {"name": "Fjord Marine", "ignore_duplicates": True})[0] \
        == 201
    # the second Fjord Marine is now a duplicate of the first: a change of what the rules
    # read is checked again (the city is not read; the name is)
    status, body = call("PATCH", f"/accounts/{account['id']}", {"city": "Bodø"})
    assert status == 200 and body["city"] == "Bodø"
    assert call("PATCH", f"/accounts/{account['id']}", {"name": "Fjord Marine A/S"})[0] == 409
    status, kari = call("POST", "/contacts", {"first_name": "Kari", "last_name": "Nordmann",
                                              "email": "kari@fjordmarine.no",
                                              "account": account["id"]})
    assert status == 201 and kari["account"] == account["id"]
    status, body = call("POST", "/contacts", {"last_name": "X", "account": 999999})
    assert status == 404
    assert [c["id"] for c in call("GET", f"/contacts?account={account['id']}")[1]] == [kari["id"]]
    names = [a["name"] for a in call("GET", "/accounts?limit=1&offset=1")[1]]
    assert names == ["Fjord Marine AS"]  # the second of Fjord Marine, Fjord Marine AS
    status, opp = call("POST", "/opportunities", {"topic": "Cranes", "contact": kari["id"],
                                                  "estimated_revenue": "1000"})
    assert status == 201 and opp["account"] == account["id"] and opp["stage"] == "qualify"
    status, opp = call("PATCH", f"/opportunities/{opp['id']}", {"stage": "develop"})
    assert status == 200, opp
    assert opp["stage"] == "develop"
    assert call("PATCH", f"/opportunities/{opp['id']}", {"stage": "won"})[0] == 422
    status, note = call("POST", f"/records/opportunity/{opp['id']}/notes",
                        {"title": "Budget confirmed"})
    assert status == 201 and note["record_type"] == "opportunity"
    status, task = call("POST", f"/records/contact/{kari['id']}/activities", {
        "activity_type": "call", "subject": "Ring Kari", "due_on": "2026-12-01"})
    assert status == 201 and task["assigned_to"] == "rep" and task["done_at"] is None
    assert [a["id"] for a in call("GET", "/activities")[1]] == [task["id"]]
    status, done = call("POST", f"/activities/{task['id']}/complete", {"outcome": "Yes"})
    assert status == 200 and done["done_at"] is not None
    assert call("POST", f"/activities/{task['id']}/complete", {})[0] == 409
    timeline = call("GET", f"/records/contact/{kari['id']}/timeline")[1]
    assert {e["kind"] for e in timeline} == {"created", "activity"}
    assert call("GET", "/records/invoice/1/timeline")[0] == 404


def test_lead_changes_duplicates_detach_and_merge_over_the_api(entity, crm, rep, call):
    first = lead(entity, rep)
    second = lead(entity, rep, topic="Again", ignore_duplicates=True)
    status, body = call("PATCH", f"/leads/{first.pk}", {"job_title": "CEO",
                                                         "mobile_phone": "+47 900 00 009"})
    assert status == 409 and body["matches"][0]["id"] == second.pk
    status, body = call("PATCH", f"/leads/{first.pk}", {"job_title": "CEO"})
    assert status == 200  # what the rules read has not changed: not asked again
    first.refresh_from_db()
    assert first.job_title == "CEO"
    assert first.timeline.get(kind="changed").body == "Job title: — → CEO"
    status, found = call("GET", f"/records/lead/{first.pk}/duplicates")
    assert [m["id"] for m in found] == [second.pk]
    status, left = call("POST", f"/records/lead/{first.pk}/duplicates/detach",
                        {"other_type": "lead", "other_id": second.pk})
    assert status == 200 and left == []
    a = contact(entity, rep, "Berg", "a@fjord.no", job_title="CFO")
    b = contact(entity, rep, "Berg", "b@fjord.no", mobile_phone="+47 900 00 000")
    status, kept = call("POST", "/contacts/merge", {"records": [a.pk, b.pk], "primary": a.pk,
                                                   "chosen": {"email": b.pk}})
    assert status == 200 and kept["email"] == "b@fjord.no"
    assert Contact.objects.get(pk=a.pk).mobile_phone == "+47 900 00 000"  # filled
    status, body = call("POST", "/contacts/merge", {"records": [a.pk, b.pk]})
    assert status == 409  # b is merged already


def test_merging_accounts_takes_the_receivables_customer_to_the_primary(entity, crm, rep,
                                                                        manager):
    from remit.crm import merge
    from remit.receivables.models import CustomerGroup

    CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    a = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine AS")
    b = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine",
                             ignore_duplicates=True)
    c = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marin AS",
                             ignore_duplicates=True)
    customer = opportunities.account_make_customer(account=b, actor=SYSTEM)
    kept = merge.records_merge(records=[a, b], primary=a, actor=manager)
    b.refresh_from_db()
    assert (kept.customer, b.customer) == (customer, None)
    opportunities.account_make_customer(account=c, actor=SYSTEM)
    with pytest.raises(RuleViolation) as refused:
        merge.records_merge(records=[a, c], primary=a, actor=manager)
    assert "more than one of these accounts is a receivables customer" in refused.value.message


def test_an_amount_merges_with_its_currency_and_unknown_choices_are_refused(entity, crm, rep):
    from remit.crm import merge

    eur = lead(entity, rep, estimated_value="1000", currency="EUR")
    nok = lead(entity, rep, topic="Again", estimated_value="1000", ignore_duplicates=True)
    seller = client_of(rep)
    page = seller.get(f"/crm/leads/merge/?ids={eur.pk},{nok.pk}&primary={eur.pk}")
    assert "1000.00 EUR" in page.content.decode() and "1000.00 NOK" in page.content.decode()
    with pytest.raises(InvalidInput) as bad:
        merge.records_merge(records=[eur, nok], primary=eur, chosen={"nmae": nok.pk},
                            actor=rep)
    assert bad.value.as_dict()["errors"][0]["loc"] == ["chosen", "nmae"]
    with pytest.raises(InvalidInput):
        merge.records_merge(records=[eur, nok], primary=eur, chosen={"currency": nok.pk},
                            actor=rep)
    kept = merge.records_merge(records=[eur, nok], primary=eur,
                               chosen={"estimated_value": nok.pk}, actor=rep)
    assert (kept.estimated_value, kept.currency) == (Decimal(1000), "NOK")


def test_api_input_is_bounded_and_null_text_is_empty(entity, crm, rep, call):
    status, account = call("POST", "/accounts", {"name": "Fjord Marine AS", "email": None})
    assert status == 201 and account["email"] == ""
    status, body = call("POST", "/accounts", {"name": "x" * 201})
    assert status == 422 and body["errors"][0]["loc"] == ["name"]
    status, body = call("POST", "/opportunities", {"topic": "Big", "estimated_revenue": "1e30"})
    assert status == 422 and body["errors"][0]["loc"] == ["estimated_revenue"]
    status, body = call("POST", "/opportunities", {"topic": "t" * 201})
    assert status == 422 and body["errors"][0]["loc"] == ["topic"]
    made = lead(entity, rep, estimated_value="1000", currency="EUR")
    status, body = call("PATCH", f"/leads/{made.pk}", {"estimated_value": "2000",
                                                       "first_name": None})
    assert status == 200 and (body["estimated_value"], body["currency"]) == ("2000.00", "EUR")
    assert body["first_name"] == ""
    other = lead(entity, rep, topic="Other", first_name="Per", last_name="Olsen",
                 company_name="Havblikk AS", email="per@havblikk.no")
    third = lead(entity, rep, topic="Third", first_name="Ola", last_name="Dahl",
                 company_name="Dahl AS", email="ola@dahl.no")
    status, body = call("POST", "/leads/merge", {"leads": [made.pk, other.pk],
                                                 "primary": third.pk})
    assert status == 422 and body["errors"][0]["loc"] == ["primary"]
    a = contact(entity, rep, "Berg", "a@fjord.no")
    b = contact(entity, rep, "Berg", "b@fjord.no")
    c = contact(entity, rep, "Lie", "c@fjord.no")
    status, body = call("POST", "/contacts/merge", {"records": [a.pk, b.pk], "primary": c.pk})
    assert status == 422 and body["errors"][0]["loc"] == ["primary"]


def test_a_contact_of_a_merged_account_keeps_it_when_saved(entity, crm, rep, seller):
    old = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine AS")
    new = leads.account_create(legal_entity=entity, actor=rep, name="Havblikk AS")
    kari = contact(entity, rep, "Nordmann", "kari@fjordmarine.no", account=old)
    Account.objects.filter(pk=old.pk).update(is_active=False)
    seller.post(f"/crm/contacts/{kari.pk}/edit/", {"last_name": "Nordmann",
                                                   "email": "kari@fjordmarine.no",
                                                   "account": old.pk, "job_title": "CFO"})
    kari.refresh_from_db()
    assert (kari.account, kari.job_title) == (old, "CFO")
    # the page offers the active accounts and the one already chosen
    page = seller.get(f"/crm/contacts/{kari.pk}/edit/").content.decode()
    assert f'value="{new.pk}"' in page and f'value="{old.pk}" selected' in page


def test_an_activity_is_rescheduled_handed_over_and_done_with_the_next_one_planned(
        entity, crm, rep, manager, seller, call):
    made = lead(entity, rep)
    task = leads.activity_add(record=made, activity_type="call", subject="Ring Kari",
                              due_on=date(2026, 12, 1), actor=rep)
    seller.post(f"/crm/activities/{task.pk}/edit/", {"due": "2026-12-08",
                                                     "assigned_to": manager.user.pk})
    task.refresh_from_db()
    assert (task.due_on, task.assigned_to) == (date(2026, 12, 8), manager.user)
    # now the manager's: the rep can no longer move it
    page = seller.post(f"/crm/activities/{task.pk}/edit/", {"due": "2026-12-09"},
                       follow=True).content.decode()
    assert "permission" in page.lower()
    boss = client_of(manager)
    boss.post(f"/crm/activities/{task.pk}/done/", {"outcome": "Call her in January",
                                                   "next_due": "2027-01-10"})
    follow_up = made.timeline.filter(activity_type="call", done_at__isnull=True).get()
    assert (follow_up.title, follow_up.due_on, follow_up.assigned_to) == (
        "Phone call: Ring Kari", date(2027, 1, 10), manager.user)
    page = boss.post(f"/crm/activities/{follow_up.pk}/done/", {"next_due": "soon"},
                     follow=True).content.decode()
    assert "give the date as YYYY-MM-DD" in page
    assert TimelineEntry.objects.get(pk=follow_up.pk).done_at is None  # nothing half done
    mine = leads.activity_add(record=made, activity_type="task", subject="Send offer",
                              actor=rep)
    status, body = call("PATCH", f"/activities/{mine.pk}", {"due_on": "2026-12-24",
                                                            "subject": "Send the offer"})
    assert status == 200 and (body["due_on"], body["title"]) == ("2026-12-24",
                                                                 "Task: Send the offer")
    assert call("PATCH", f"/activities/{mine.pk}", {"assigned_to": "nobody"})[0] == 422
    status, body = call("POST", f"/activities/{mine.pk}/complete",
                        {"outcome": "Sent", "next_due_on": "2027-01-05"})
    assert status == 200 and body["done_at"] is not None
    assert made.timeline.filter(title="Task: Send the offer", done_at__isnull=True).count() == 1
    assert call("PATCH", f"/activities/{mine.pk}", {"subject": "x"})[0] == 409  # done


def test_a_record_is_given_an_owner_on_its_form_and_keeps_it_when_left_empty(
        entity, crm, rep, manager, seller, make_user):
    seller.post("/crm/accounts/new/", {"name": "Nordlys AS", "owner": manager.user.pk})
    made = Account.objects.get(name="Nordlys AS")
    assert made.owner == manager.user
    seller.post(f"/crm/accounts/{made.pk}/edit/", {"name": "Nordlys AS", "city": "Bodø",
                                                   "owner": ""})
    made.refresh_from_db()
    assert (made.city, made.owner) == ("Bodø", manager.user)
    outsider = make_user("Collections agent", [entity])
    page = seller.post(f"/crm/accounts/{made.pk}/edit/", {"name": "Nordlys AS",
                                                          "owner": outsider.pk})
    assert "Select a valid choice" in page.content.decode()
    seller.post("/crm/opportunities/new/", {"topic": "Pilot", "stage": "qualify",
                                            "account": made.pk, "owner": manager.user.pk})
    assert Opportunity.objects.get(topic="Pilot").owner == manager.user


def test_search_takes_every_word_and_the_merge_page_says_when_too_many_are_ticked(
        entity, crm, rep, seller):
    made = lead(entity, rep)
    contact(entity, rep, "Nordmann", "kari@fjordmarine.no", first_name="Kari")
    assert made.topic in seller.get("/crm/leads/?q=Kari+Nordmann").content.decode()
    assert made.topic not in seller.get("/crm/leads/?q=Kari+Olsen").content.decode()
    page = seller.get("/crm/contacts/?q=kari+nordmann").content.decode()
    assert "kari@fjordmarine.no" in page
    six = [contact(entity, rep, f"Berg{i}", f"b{i}@fjord.no").pk for i in range(6)]
    page = seller.get("/crm/contacts/merge/?" + "&".join(f"pick={i}" for i in six),
                      follow=True).content.decode()
    assert "Choose two to 5 contacts: 6 were ticked." in page and 'data-testid="merge"' \
        not in page


def test_the_opportunity_list_shows_the_open_pipeline_by_stage_and_mine(entity, crm, rep,
                                                                        manager, seller):
    for topic, stage, revenue, owner in (("A", "qualify", "1000.50", rep),
                                         ("B", "qualify", "2000", rep),
                                         ("C", "propose", "500", manager)):
        made = opportunities.opportunity_create(legal_entity=entity, topic=topic,
                                                estimated_revenue=revenue, actor=owner)
        if stage != "qualify":
            opportunities.opportunity_update(opportunity=made, stage=stage, actor=owner)
    page = seller.get("/crm/opportunities/").content.decode()
    pipeline = page[page.index('data-testid="pipeline"'):page.index("</section>")]
    assert "3,000.50 NOK" in pipeline and "2 open" in pipeline and "500.00 NOK" in pipeline
    page = seller.get("/crm/opportunities/?mine=1").content.decode()
    pipeline = page[page.index('data-testid="pipeline"'):page.index("</section>")]
    assert "500.00 NOK" not in pipeline and ">C<" not in page
