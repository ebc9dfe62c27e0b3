"""The lead lifecycle and duplicate detection as a seller meets them: states and status
reasons from the transitions table, closed leads read-only, reactivation with the notes kept,
and the 'may already exist' matches with their ways out."""

import pytest

from remit.core.exceptions import AccessDenied, InvalidInput, RuleViolation
from remit.crm import duplicates, leads
from remit.crm.models import (
    DuplicateRule,
    EntryKind,
    Lead,
    LeadState,
    MatchCode,
    Opportunity,
    Transition,
)
from tests.crm.conftest import lead
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db


def test_a_lead_moves_along_the_transitions_and_every_move_is_in_the_timeline(
        entity, crm, rep):
    made = lead(entity, rep)
    assert (made.state, made.status.code, made.owner) == ("open", "new", rep.user)
    leads.lead_set_status(lead=made, status_code="contacted", actor=rep)
    leads.note_add(record=made, title="Call", body="Budget approved for Q1.", actor=rep)
    leads.lead_disqualify(lead=made, status_code="no_longer_interested", actor=rep,
                          note="Bought elsewhere")
    made.refresh_from_db()
    assert made.state == LeadState.DISQUALIFIED and made.closed_at is not None
    with pytest.raises(RuleViolation, match="reactivate it to edit"):
        leads.lead_update(lead=made, topic="Other", actor=rep)
    with pytest.raises(RuleViolation, match="reactivate it to add notes"):
        leads.note_add(record=made, title="x", actor=rep)
    leads.lead_reactivate(lead=made, actor=rep)
    made.refresh_from_db()
    assert made.state == LeadState.OPEN and made.status.code == "new"
    kinds = list(made.timeline.order_by("at", "id").values_list("kind", "title"))
    assert kinds[0] == (EntryKind.CREATED, "Lead created")
    assert ("status", "New → Contacted") in kinds and ("note", "Call") in kinds
    assert ("status", "Contacted → No longer interested") in kinds
    assert ("status", "No longer interested → New") in kinds  # the note is still there


def test_the_lifecycle_is_data_and_a_mismatched_reason_is_refused(entity, crm, rep):
    made = lead(entity, rep)
    with pytest.raises(InvalidInput, match="not a reason to disqualify"):
        leads.lead_disqualify(lead=made, status_code="contacted", actor=rep)
    with pytest.raises(InvalidInput, match="qualify or disqualify"):
        leads.lead_set_status(lead=made, status_code="lost", actor=rep)
    Transition.objects.filter(source__code="new", target__code="lost").delete()
    with pytest.raises(RuleViolation, match="cannot go from New to Lost"):
        leads.lead_disqualify(lead=made, status_code="lost", actor=rep)


def test_a_lead_with_an_opportunity_cannot_be_disqualified(entity, crm, rep):
    made = lead(entity, rep)
    Opportunity.objects.create(legal_entity=entity, topic="x", currency="NOK",
                               originating_lead=made)
    with pytest.raises(RuleViolation, match="has an opportunity"):
        leads.lead_disqualify(lead=made, status_code="lost", actor=rep)


def test_bad_input_names_the_field_and_saves_nothing(entity, crm, rep):
    for values, field in (({"topic": ""}, "topic"), ({"email": "kari(at)fjord"}, "email"),
                          ({"country": "Norway"}, "country"),
                          ({"estimated_value": "-5"}, "estimated_value"),
                          ({"estimated_value": "1.001"}, "estimated_value"),
                          ({"last_name": "", "company_name": "", "email": ""}, "last_name")):
        with pytest.raises(InvalidInput) as refused:
            lead(entity, rep, **values)
        assert refused.value.errors[0][0] == (field,), values
    assert not Lead.objects.exists()
    with pytest.raises(AccessDenied):
        lead(entity, _nobody(entity))


def _nobody(entity):
    from remit.core.actor import Actor
    from remit.core.services import user_create

    return Actor.web(user_create(username="ar", password="pw-not-checked", roles=["AR clerk"],
                                 legal_entities=[entity], validate=False, actor=SYSTEM))


def test_a_lead_like_an_existing_contact_offers_the_match_then_links_or_saves(entity, crm,
                                                                              rep):
    contact = leads.contact_create(legal_entity=entity, actor=rep, first_name="Kari",
                                   last_name="Nordmann", email="KARI@fjordmarine.no")
    with pytest.raises(leads.DuplicatesFound) as found:
        lead(entity, rep)
    (match,) = found.value.matches
    assert match.record == contact and match.record_type == "contact"
    assert found.value.as_dict()["matches"][0]["name"] == "Kari Nordmann"
    assert not Lead.objects.exists()
    linked = lead(entity, rep, link_contact=contact)
    assert linked.parent_contact == contact
    # a second lead for the same person: the first lead is now a match too
    with pytest.raises(leads.DuplicatesFound) as again:
        lead(entity, rep, topic="Service", email="kari.n@fjordmarine.no")
    assert {m.record_type for m in again.value.matches} == {"lead", "contact"}
    saved = lead(entity, rep, topic="Service", email="kari.n@fjordmarine.no",
                 ignore_duplicates=True)
    assert saved.pk and saved.parent_contact is None


def test_inactive_matches_are_ignored_when_the_rule_says_so(entity, crm, rep):
    first = lead(entity, rep)
    leads.lead_disqualify(lead=first, status_code="lost", actor=rep)
    second = lead(entity, rep, topic="Again")  # the disqualified lead is not a duplicate
    assert second.pk
    DuplicateRule.objects.filter(legal_entity=entity, kind="email",
                                 record_type="lead").update(exclude_inactive=False)
    with pytest.raises(leads.DuplicatesFound):
        lead(entity, rep, topic="Third")


def test_published_rules_build_codes_at_most_five_and_are_unpublished_to_edit(
        entity, crm, rep, manager):
    lead(entity, rep, business_phone="22 33 44 55")
    rule = DuplicateRule.objects.get(legal_entity=entity, record_type="lead", kind="phone")
    assert MatchCode.objects.filter(kind="phone", code="+4722334455").exists()
    with pytest.raises(RuleViolation, match="unpublish it to edit"):
        duplicates.rule_save(rule=rule, exclude_inactive=False, actor=manager)
    duplicates.rule_unpublish(rule=rule, actor=manager)
    assert not MatchCode.objects.filter(kind="phone").exists()
    duplicates.rule_save(rule=rule, name="Same phone", actor=manager)
    duplicates.rule_publish(rule=rule, actor=manager)
    assert MatchCode.objects.filter(kind="phone", code="+4722334455").exists()
    fifth = DuplicateRule.objects.create(legal_entity=entity, name="Fifth", record_type="lead",
                                         matching_type="contact", kind="email")
    duplicates.rule_publish(rule=fifth, actor=manager)  # the shipped four and this one
    extra = DuplicateRule.objects.create(legal_entity=entity, name="Sixth", record_type="lead",
                                         matching_type="contact", kind="phone")
    with pytest.raises(RuleViolation, match="5 rules are already published"):
        duplicates.rule_publish(rule=extra, actor=manager)
    with pytest.raises(AccessDenied):
        duplicates.rule_publish(rule=extra, actor=rep)
