"""Lead decisions racing on PostgreSQL with real connections, forced into the dangerous
interleaving: two sellers qualify the same lead, and two administrators publish the fifth
rule of a record type. The second waits on the first's lock and then sees its decision."""

import pytest

from remit.core.exceptions import RuleViolation
from remit.core.services import legal_entity_create
from remit.crm import duplicates, leads, qualify
from remit.crm.models import DuplicateRule, Opportunity
from tests.helpers import SYSTEM, first_then_second

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _entity():
    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    qualify.settings_for(entity)
    return entity


def test_a_lead_is_qualified_once_when_two_sellers_press_qualify():
    entity = _entity()
    lead = leads.lead_create(legal_entity=entity, topic="Cranes", last_name="Berg",
                             company_name="Fjord AS", actor=SYSTEM)
    out = first_then_second(lambda: qualify.lead_qualify(lead=lead, actor=SYSTEM),
                            lambda: qualify.lead_qualify(lead=lead, actor=SYSTEM))
    assert not isinstance(out["first"], Exception)
    assert isinstance(out["second"], RuleViolation) and "qualified" in out["second"].message
    assert Opportunity.objects.count() == 1


def test_two_administrators_cannot_both_publish_the_fifth_rule():
    entity = _entity()
    published = DuplicateRule.objects.filter(legal_entity=entity, record_type="lead",
                                             is_published=True)
    assert published.count() == duplicates.MAX_PUBLISHED - 1  # the shipped four: one is free
    a, b = (DuplicateRule.objects.create(legal_entity=entity, name=n, record_type="lead",
                                         matching_type="account", kind="phone")
            for n in ("A", "B"))
    out = first_then_second(lambda: duplicates.rule_publish(rule=a, actor=SYSTEM),
                            lambda: duplicates.rule_publish(rule=b, actor=SYSTEM))
    assert not isinstance(out["first"], Exception)
    assert isinstance(out["second"], RuleViolation), out["second"]
    assert published.count() == duplicates.MAX_PUBLISHED


def test_an_activity_is_completed_once_when_two_people_press_done():
    entity = _entity()
    lead = leads.lead_create(legal_entity=entity, topic="Cranes", last_name="Berg",
                             company_name="Fjord AS", actor=SYSTEM)
    call = leads.activity_add(record=lead, activity_type="call", subject="Ring back",
                              actor=SYSTEM)
    out = first_then_second(
        lambda: leads.activity_complete(entry=call, outcome="reached", actor=SYSTEM),
        lambda: leads.activity_complete(entry=call, outcome="voicemail", actor=SYSTEM))
    assert not isinstance(out["first"], Exception)
    assert isinstance(out["second"], RuleViolation) and "already done" in out["second"].message
    call.refresh_from_db()
    assert call.body == "Outcome: reached"


def test_a_contact_merged_into_two_primaries_at_once_goes_into_one():
    from remit.crm import merge
    from remit.crm.models import Contact

    entity = _entity()
    a, b, c = (leads.contact_create(legal_entity=entity, last_name=n, ignore_duplicates=True,
                                    email=f"{n.lower()}@fjord.no", actor=SYSTEM)
               for n in ("Berg", "Bergh", "Berge"))
    out = first_then_second(
        lambda: merge.records_merge(records=[a, c], primary=a, actor=SYSTEM),
        lambda: merge.records_merge(records=[b, c], primary=b, actor=SYSTEM))
    assert not isinstance(out["first"], Exception)
    assert isinstance(out["second"], RuleViolation) and "not active" in out["second"].message
    assert Contact.objects.get(pk=c.pk).merged_into_id == a.pk
    assert Contact.objects.get(pk=b.pk).is_active
