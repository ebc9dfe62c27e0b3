import pytest

from remit.core.actor import Actor
from remit.crm import leads, qualify


@pytest.fixture
def rep(make_user, entity):
    return Actor.web(make_user("Sales rep", [entity], username="rep"))


@pytest.fixture
def manager(make_user, entity):
    return Actor.web(make_user("Sales manager", [entity], username="salesmgr"))


@pytest.fixture
def crm(entity):
    return qualify.settings_for(entity)


def lead(entity, actor, **values):
    values.setdefault("topic", "Deck cranes")
    values.setdefault("first_name", "Kari")
    values.setdefault("last_name", "Nordmann")
    values.setdefault("company_name", "Fjord Marine AS")
    values.setdefault("email", "kari@fjordmarine.no")
    return leads.lead_create(legal_entity=entity, actor=actor, **values)
