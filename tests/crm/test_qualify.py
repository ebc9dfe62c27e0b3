"""Qualification by the settings per record type, field mappings, duplicates at
qualification, the summary in both timelines, merging, and lead to cash."""

import json
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from remit.core.exceptions import AccessDenied, InvalidInput, RuleViolation
from remit.crm import leads, merge, opportunities, qualify
from remit.crm.models import (
    Account,
    Contact,
    EntryKind,
    FieldMapping,
    Lead,
    LeadState,
    Opportunity,
    TimelineEntry,
)
from remit.crm.qualify import EXISTING, NEW, SKIP, Choice, OpportunitySpec
from remit.receivables.models import CustomerGroup
from tests.crm.conftest import lead
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db


def _seller(crm, **kw):
    for key, value in {"account_mode": "seller", "contact_mode": "seller",
                       "opportunity_mode": "seller", **kw}.items():
        setattr(crm, key, value)
    crm.save()


def test_seller_links_an_existing_contact_and_makes_two_opportunities_with_a_summary(
        entity, crm, rep):
    _seller(crm)
    contact = leads.contact_create(legal_entity=entity, actor=rep, first_name="Kari",
                                   last_name="Nordmann", email="kari@fjordmarine.no")
    made = lead(entity, rep, link_contact=contact, business_phone="55 12 34 56",
                address_line1="Strandkaien 4", city="Bergen", postal_code="5013",
                country="NO", estimated_value="250000")
    leads.note_add(record=made, title="First call",
                   body="They need two deck cranes before the spring season. Budget "
                        "approved at 250,000 NOK. Nice weather.", actor=rep)
    assert qualify.pane(made)["contact"]["default"] == EXISTING
    result = qualify.lead_qualify(
        lead=made, actor=rep, account=Choice(NEW), contact=Choice(EXISTING, contact),
        opportunities=[OpportunitySpec(topic="Deck cranes", close_date=date(2027, 3, 1)),
                       OpportunitySpec(topic="Service contract",
                                       estimated_revenue=Decimal("40000"))])
    made.refresh_from_db()
    assert made.state == LeadState.QUALIFIED and made.status.code == "qualified"
    assert result.account.name == "Fjord Marine AS" and result.account.city == "Bergen"
    assert result.contact == contact and Contact.objects.get().account == result.account
    first, second = sorted(result.opportunities, key=lambda o: o.pk)
    assert (first.topic, first.is_primary, first.estimated_revenue) == (
        "Deck cranes", True, Decimal("250000.00"))
    assert (second.is_primary, second.estimated_revenue) == (False, Decimal("40000.00"))
    summaries = TimelineEntry.objects.filter(kind=EntryKind.SUMMARY)
    assert {(s.lead_id, s.opportunity_id) for s in summaries} == {(made.pk, None),
                                                                  (None, first.pk)}
    text = summaries.first().body
    assert "Kari Nordmann" in text and "Fjord Marine AS" in text and "Strandkaien 4" in text
    assert f"/crm/opportunities/{second.pk}/" in text and "/crm/accounts/" in text
    assert "Budget approved at 250,000 NOK." in text and "Nice weather" not in text
    # the lead's notes show on the opportunity through its originating lead
    assert first.originating_lead.timeline.filter(kind="note", title="First call").exists()


def test_nothing_is_created_when_qualification_stops(entity, crm, rep):
    _seller(crm)
    made = lead(entity, rep)
    with pytest.raises(InvalidInput, match="at most 5"):
        qualify.lead_qualify(lead=made, actor=rep,
                             opportunities=[OpportunitySpec(topic=f"O{i}") for i in range(6)])
    crm.multiple_opportunities = False
    crm.save()
    with pytest.raises(InvalidInput, match="multiple opportunities"):
        qualify.lead_qualify(lead=made, actor=rep, opportunities=[
            OpportunitySpec(topic="A"), OpportunitySpec(topic="B")])
    no_company = lead(entity, rep, topic="Private", company_name="", email="ola@gmail.com",
                      first_name="Ola", last_name="Hansen")
    assert NEW not in qualify.pane(no_company)["account"]["options"]
    with pytest.raises(InvalidInput, match="needs the lead's company name"):
        qualify.lead_qualify(lead=no_company, actor=rep, account=Choice(NEW))
    assert not (Account.objects.exists() or Contact.objects.exists()
                or Opportunity.objects.exists())
    assert set(Lead.objects.values_list("state", flat=True)) == {"open"}


def test_automatic_records_are_made_for_the_seller_and_cannot_be_edited_in_the_pane(
        entity, crm, rep):
    _seller(crm, account_mode="automatic", opportunity_mode="automatic")
    made = lead(entity, rep)
    with pytest.raises(RuleViolation, match="created automatically"):
        qualify.lead_qualify(lead=made, actor=rep, account=Choice(NEW, values={"name": "X"}))
    with pytest.raises(RuleViolation, match="created automatically"):
        qualify.lead_qualify(lead=made, actor=rep, opportunities=[OpportunitySpec(topic="Y")])
    result = qualify.lead_qualify(lead=made, actor=rep, contact=Choice(SKIP))
    assert result.account.name == "Fjord Marine AS" and result.contact is None
    assert [o.topic for o in result.opportunities] == ["Deck cranes"]


def test_a_new_account_like_an_existing_one_shows_the_matches_then_links_or_ignores(
        entity, crm, rep):
    _seller(crm)
    existing = leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine")
    made = lead(entity, rep)
    with pytest.raises(leads.DuplicatesFound) as found:
        qualify.lead_qualify(lead=made, actor=rep)
    assert [m.record for m in found.value.matches] == [existing]
    result = qualify.lead_qualify(lead=made, actor=rep, account=Choice(EXISTING, existing))
    assert result.account == existing and Account.objects.count() == 1
    other = lead(entity, rep, topic="Other", email="post@fjordmarine.no", first_name="",
                 last_name="Post", ignore_duplicates=True)
    result = qualify.lead_qualify(lead=other, actor=rep, ignore_duplicates=True)
    assert Account.objects.count() == 2 and result.account.name == "Fjord Marine AS"


def test_bad_opportunity_values_are_named_before_the_duplicates_dialog(entity, crm, rep):
    """A seller typing a revenue of 'abc' or a close date of 1800 hears of it at once, not
    after choosing 'ignore and save' in the duplicates dialog."""
    _seller(crm)
    leads.account_create(legal_entity=entity, actor=rep, name="Fjord Marine")  # a duplicate
    made = lead(entity, rep)
    with pytest.raises(InvalidInput, match="opportunity 1 estimated revenue: a positive"):
        qualify.lead_qualify(lead=made, actor=rep, opportunities=[
            OpportunitySpec(topic="A", estimated_revenue="-5000")])
    with pytest.raises(InvalidInput, match="opportunity 2 close date: is more than ten years"):
        qualify.lead_qualify(lead=made, actor=rep, opportunities=[
            OpportunitySpec(topic="A"), OpportunitySpec(topic="B", close_date=date(1800, 1, 1))])
    with pytest.raises(InvalidInput, match="opportunity 1 estimated revenue: '1e5': write"):
        qualify.lead_qualify(lead=made, actor=rep, opportunities=[
            OpportunitySpec(topic="A", estimated_revenue="1e5")])
    assert leads.estimated_amount("revenue", "1 250 000,50", "NOK") == Decimal("1250000.50")
    with pytest.raises(leads.DuplicatesFound):  # good values: the dialog comes
        qualify.lead_qualify(lead=made, actor=rep, opportunities=[OpportunitySpec(topic="A")])
    assert not Opportunity.objects.exists()


def test_a_lead_that_duplicates_another_open_lead_gets_the_documented_error(entity, crm, rep):
    _seller(crm)
    first = lead(entity, rep)
    lead(entity, rep, topic="Twin", ignore_duplicates=True)
    with pytest.raises(RuleViolation, match="Lead record was not created or updated because "
                                            "a duplicate of the current record already "
                                            "exists") as error:
        qualify.lead_qualify(lead=first, actor=rep)
    assert "Merge the leads" in error.value.message
    assert qualify.lead_qualify(lead=first, actor=rep, ignore_duplicates=True).account


def test_default_mappings_stay_and_an_admins_own_mapping_fills_its_field(entity, crm, rep,
                                                                         manager):
    default = FieldMapping.objects.get(legal_entity=entity, target="account",
                                       target_field="name")
    with pytest.raises(RuleViolation, match="default mapping"):
        qualify.mapping_delete(mapping=default, actor=manager)
    with pytest.raises(AccessDenied):
        qualify.mapping_add(legal_entity=entity, target="account", lead_field="source",
                            target_field="email", actor=rep)
    with pytest.raises(InvalidInput, match="account.nonsense cannot be mapped"):
        qualify.mapping_add(legal_entity=entity, target="account", lead_field="email",
                            target_field="nonsense", actor=manager)
    mine = qualify.mapping_add(legal_entity=entity, target="account", lead_field="email",
                               target_field="email", actor=manager)
    result = qualify.lead_qualify(lead=lead(entity, rep), actor=rep)
    assert result.account.email == "kari@fjordmarine.no"
    qualify.mapping_delete(mapping=mine, actor=manager)


def test_bulk_qualify_reports_the_leads_it_could_not_qualify(entity, crm, rep):
    a = lead(entity, rep)
    b = lead(entity, rep, topic="B", first_name="Per", last_name="Olsen",
             company_name="Havblikk AS", email="per@havblikk.no")
    leads.lead_disqualify(lead=b, status_code="lost", actor=rep)
    done, problems = qualify.leads_qualify_bulk(leads_=[a, b], actor=rep,
                                                create_contact=False)
    assert len(done) == 1 and done[0].contact is None and done[0].account is not None
    assert len(problems) == 1 and problems[0].startswith("B: the lead is disqualified")


def test_merge_fills_empty_fields_moves_related_records_and_deactivates_the_rest(
        entity, crm, rep):
    busy = lead(entity, rep, business_phone="")
    leads.note_add(record=busy, title="Met at fair", actor=rep)
    quiet = lead(entity, rep, topic="Cranes again", business_phone="55 12 34 56",
                 job_title="CFO", ignore_duplicates=True)
    Opportunity.objects.create(legal_entity=entity, topic="Early", currency="NOK",
                               originating_lead=quiet)
    keep = merge.records_merge(records=[quiet, busy], actor=rep)
    assert keep == busy  # the one with most timeline activity
    busy.refresh_from_db()
    quiet.refresh_from_db()
    assert (busy.business_phone, busy.job_title) == ("55 12 34 56", "CFO")
    assert quiet.merged_into == busy and quiet.state == LeadState.DISQUALIFIED
    assert Opportunity.objects.get().originating_lead == busy
    assert busy.timeline.filter(kind=EntryKind.MERGED).exists()
    with pytest.raises(InvalidInput, match="2 to 5"):
        merge.records_merge(records=[busy], actor=rep)
    with pytest.raises(RuleViolation, match="not active"):
        merge.records_merge(records=[busy, quiet], actor=rep)


def test_a_won_opportunity_makes_its_account_a_customer_with_contacts_and_address(
        entity, crm, rep):
    CustomerGroup.objects.get_or_create(legal_entity=entity, code="DOM",
                                        defaults={"name": "Domestic"})
    result = qualify.lead_qualify(
        lead=lead(entity, rep, address_line1="Strandkaien 4", city="Bergen",
                  postal_code="5013", country="NO"), actor=rep)
    opportunities.opportunity_close(opportunity=result.opportunities[0], won=True,
                                    on=date(2027, 3, 1), actor=rep)
    result.account.refresh_from_db()
    assert result.account.customer is None  # the setting is off: one click instead
    with pytest.raises(AccessDenied):
        opportunities.account_make_customer(account=result.account, actor=rep)
    customer = opportunities.account_make_customer(account=result.account, actor=SYSTEM)
    assert customer.name == "Fjord Marine AS" and customer.salesperson == rep.user
    assert [c.email for c in customer.contacts.all()] == ["kari@fjordmarine.no"]
    assert customer.addresses.get().city == "Bergen"
    with pytest.raises(RuleViolation, match="already customer"):
        opportunities.account_make_customer(account=result.account, actor=SYSTEM)
    crm.customer_on_won = True
    crm.save()
    second = qualify.lead_qualify(lead=lead(entity, rep, topic="Hull", company_name="Havblikk",
                                            email="a@havblikk.no", last_name="Berg",
                                            first_name="Anne"), actor=rep)
    opportunities.opportunity_close(opportunity=second.opportunities[0], won=True,
                                    on=date(2027, 3, 1), actor=rep)
    second.account.refresh_from_db()
    assert second.account.customer.name == "Havblikk"


class _Endpoint(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the library's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert body["messages"][1]["content"].startswith("Kari Nordmann")
        reply = {"choices": [{"message": {"content": "Kari wants cranes."}}]}
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(reply).encode())

    def log_message(self, *args):
        pass


def test_the_summary_endpoint_writes_it_and_the_built_in_one_stands_in_when_it_fails(
        entity, crm, rep):
    server = HTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.handle_request, daemon=True).start()
    crm.summary_endpoint = f"http://127.0.0.1:{server.server_port}/v1"
    crm.save()
    qualify.lead_qualify(lead=lead(entity, rep), actor=rep)
    assert TimelineEntry.objects.filter(kind="summary", body="Kari wants cranes.").count() == 2
    server.server_close()
    crm.summary_endpoint = f"http://127.0.0.1:{server.server_port}/v1"  # nobody listens now
    crm.save()
    qualify.lead_qualify(lead=lead(entity, rep, topic="Two", email="k2@fjordmarine.no",
                                   ignore_duplicates=True), actor=rep,
                         ignore_duplicates=True)
    fallback = TimelineEntry.objects.filter(kind="summary", title__startswith="Lead summary "
                                            "(built in").first()
    assert fallback is not None and "Kari Nordmann" in fallback.body


def test_the_summary_names_the_records_as_links_on_the_page(entity, crm, rep):
    from django.test import Client

    made = lead(entity, rep, description="Budget approved at 250,000 NOK. Nice view.")
    result = qualify.lead_qualify(lead=made, actor=rep)
    client = Client()
    client.force_login(rep.user)
    page = client.get(f"/crm/opportunities/{result.opportunities[0].pk}/").content.decode()
    assert f'(<a href="/crm/accounts/{result.account.pk}/">open</a>)' in page
    assert "- Budget approved at 250,000 NOK." in page and "Nice view" not in page
