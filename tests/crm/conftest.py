import json

import pytest
from django.test import Client

from remit.core.actor import Actor
from remit.core.services import api_token_create
from remit.crm import leads, qualify
from tests.helpers import SYSTEM


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


@pytest.fixture
def call(rep):
    """The CRM API as the sales rep: call(method, path, body) → (status, JSON)."""
    secret = api_token_create(user=rep.user, name="t", actor=SYSTEM)[1]
    client = Client()

    def request(method, path, body=None):
        response = client.generic(method, f"/api/crm{path}", data=json.dumps(body or {}),
                                  content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Bearer {secret}")
        return response.status_code, response.json()
    return request
