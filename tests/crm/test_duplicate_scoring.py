"""Duplicates are the same person, weighed on everything two records hold (issue 20): the
acceptance example, a legal entity's rules from its first record, and the look-alikes of
real registers that must not block a save."""

import pytest

from remit.core.actor import Actor
from remit.core.services import legal_entity_create
from remit.crm import duplicates, leads, scoring
from remit.crm.matching import Party
from remit.crm.models import DuplicateRule, MatchCode

pytestmark = pytest.mark.django_db


def _verdict(a: Party, b: Party, held: int = 1):
    return scoring.compare(a, b, lambda kind, code: held)


def test_jon_smith_is_found_as_the_contact_john_smith(entity, crm, rep):
    contact = leads.contact_create(legal_entity=entity, actor=rep, first_name="John",
                                   last_name="Smith", email="jsmith@contoso.com",
                                   business_phone="+47 22 33 44 55")
    with pytest.raises(leads.DuplicatesFound) as found:
        leads.lead_create(legal_entity=entity, actor=rep, topic="Cranes", first_name="Jon",
                          last_name="Smith", email="jon.smith@contoso.com",
                          business_phone="22 33 44 55", country="NO")
    (match,) = found.value.matches
    assert (match.record, match.band) == (contact, scoring.DUPLICATE)
    assert "first names Jon/John are the same name" in match.explanation
    assert "same phone number" in match.explanation
    body = found.value.as_dict()["matches"][0]
    assert body["band"] == "duplicate" and "Jon/John" in body["explanation"]


def test_a_new_legal_entity_checks_duplicates_from_its_first_record(make_user):
    made = legal_entity_create(code="SE01", name="Nordlys AB", accounting_currency="SEK",
                               country="SE", actor=Actor.system("test"))
    assert DuplicateRule.objects.filter(legal_entity=made, is_published=True,
                                        record_type="lead").count() == 4
    rep = Actor.web(make_user("Sales rep", [made], username="rep-se"))
    first = leads.lead_create(legal_entity=made, actor=rep, topic="Boats", first_name="Anna",
                              last_name="Åberg", email="anna.aberg@nordlys.se")
    assert MatchCode.objects.filter(record_type="lead", record_id=first.pk,
                                    kind="email").exists()
    with pytest.raises(leads.DuplicatesFound):
        leads.lead_create(legal_entity=made, actor=rep, topic="Sails", first_name="Anna",
                          last_name="Aaberg", email="anna.aberg@nordlys.se")


def test_a_colleague_behind_the_switchboard_is_possibly_related_and_saves(entity, crm, rep):
    kari = leads.lead_create(legal_entity=entity, actor=rep, topic="Cranes",
                             first_name="Kari", last_name="Nordmann",
                             company_name="Fjord Marine AS", email="post@fjordmarine.no",
                             business_phone="55 11 22 33")
    per = leads.lead_create(legal_entity=entity, actor=rep, topic="Winches",
                            first_name="Per", last_name="Olsen",
                            company_name="Fjord Marine A/S", email="post@fjordmarine.no",
                            business_phone="+47 55 11 22 33")
    (match,) = duplicates.find(entity, "lead", duplicates.party(per), exclude=per,
                               bands=(scoring.DUPLICATE, scoring.RELATED))
    assert (match.record, match.band) == (kari, scoring.RELATED)
    assert "a shared mailbox (post@fjordmarine.no)" in match.explanation
    assert "company 'Fjord Marine A/S' = 'Fjord Marine AS'" in match.explanation
    assert duplicates.find(entity, "lead", duplicates.party(per), exclude=per) == []


@pytest.mark.parametrize("a, b", [
    (Party("Bob", "Smith", "Contoso, Inc."), Party("Robert", "Smith", "Contoso Incorporated")),
    (Party("Lasse", "Rønnli", "Nordlys AS"), Party("Lars", "RÃ¸nnli", "NORDLYS A/S")),
    (Party("Murphy", "Regina", "Contoso"), Party("Regina", "Merphy", "Contoso Ltd")),
    (Party("Jens-Peter", "Müller", "Müller GmbH"), Party("Jens Peter", "Mueller", "Muller")),
    (Party("Ola", "Nordmann", "", "ola.n@gmail.com"),
     Party("Ole", "Nordman", "", "ola.n@gmail.com")),
])
def test_the_same_person_written_another_way(a, b):
    verdict = _verdict(a, b)
    assert verdict.band == scoring.DUPLICATE, verdict.reasons


@pytest.mark.parametrize("a, b, band", [
    # colleagues with one surname at the family firm, behind one switchboard
    (Party("Kari", "Hansen", "Hansen Transport AS", "kari@hansen.no", ("22 33 44 55",)),
     Party("Ola", "Hansen", "Hansen Transport AS", "ola@hansen.no", ("22 33 44 55",)),
     scoring.RELATED),
    # a name twin at another company
    (Party("Lars", "Rønnli", "Nordlys AS", "lars@nordlys.no"),
     Party("Lars", "Rønnli", "Fjordkraft ASA", "lars.ronnli@fjordkraft.no"), ""),
    # a very common name, no other agreement
    (Party("Lars", "Hansen", "", ""), Party("Lars", "Hansen", "", ""), ""),
])
def test_look_alikes_are_not_the_same_person(a, b, band):
    verdict = _verdict(a, b, held=200)
    assert verdict.band == band, verdict.reasons


def test_a_shared_number_weighs_less_the_more_records_hold_it():
    a = Party("Kari", "Berg", "", "", ("+4799887766",))
    b = Party("K", "Berg", "", "", ("99 88 77 66",))
    assert _verdict(a, b, held=1).weight > _verdict(a, b, held=5).weight
    assert "same mobile number" in _verdict(a, b, held=1).explanation


def test_a_contact_outside_the_users_customer_pools_is_neither_shown_nor_blocking(
        entity, crm, make_user):
    from remit.collections.pools import agent_save, pool_save
    from remit.crm.models import Account
    from remit.receivables.models import CustomerGroup
    from remit.receivables.services import customer_create
    from tests.helpers import SYSTEM

    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    CustomerGroup.objects.create(legal_entity=entity, code="EXP", name="Export")
    customer = customer_create(legal_entity=entity, account_number="10001", name="Fjord Marine",
                               group=group, actor=SYSTEM)
    account = leads.account_create(legal_entity=entity, actor=SYSTEM, name="Fjord Marine AS")
    Account.objects.filter(pk=account.pk).update(customer=customer)
    leads.contact_create(legal_entity=entity, actor=SYSTEM, first_name="Kari",
                         last_name="Nordmann", email="kari@fjordmarine.no", account=account)
    pool = pool_save(legal_entity=entity, code="EXPORT", description="Export", groups=["EXP"],
                     actor=SYSTEM)
    limited = make_user("Sales rep", [entity], username="limited")
    agent_save(legal_entity=entity, user=limited, pools=[pool], default_pool=pool, actor=SYSTEM)
    values = dict(topic="Cranes", first_name="Kari", last_name="Nordmann",
                  email="kari@fjordmarine.no")
    with pytest.raises(leads.DuplicatesFound):  # someone who may see the customer is stopped
        leads.lead_create(legal_entity=entity,
                          actor=Actor.web(make_user("Sales rep", [entity], username="all")),
                          **values)
    made = leads.lead_create(legal_entity=entity, actor=Actor.web(limited), **values)
    assert duplicates.find(entity, "lead", duplicates.party(made), exclude=made,
                           bands=duplicates.BOTH,
                           scope=duplicates.scope_for(entity, Actor.web(limited))) == []


def test_contacts_are_found_under_their_accounts_new_name(entity, crm, rep):
    account = leads.account_create(legal_entity=entity, actor=rep, name="Oldname AS")
    contact = leads.contact_create(legal_entity=entity, actor=rep, first_name="Kari",
                                   last_name="Nordmann", account=account)
    leads.account_update(account=account, actor=rep, name="Havblikk AS")
    values = Party("Kari", "Nordmann", "Havblikk AS")
    assert [m.record for m in duplicates.find(entity, "lead", values)] == [contact]


def test_contacts_moved_by_an_account_merge_are_found_under_the_primarys_name(entity, crm,
                                                                             manager):
    from remit.crm import merge

    keep = leads.account_create(legal_entity=entity, actor=manager, name="Havblikk AS")
    other = leads.account_create(legal_entity=entity, actor=manager, name="Oldname AS",
                                 ignore_duplicates=True)
    contact = leads.contact_create(legal_entity=entity, actor=manager, first_name="Kari",
                                   last_name="Nordmann", account=other)
    merge.records_merge(records=[keep, other], primary=keep, actor=manager)
    found = duplicates.find(entity, "lead", Party("Kari", "Nordmann", "Havblikk AS"))
    assert [m.record for m in found] == [contact]
