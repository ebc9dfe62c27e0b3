"""The customer-pool column of the access matrix: an agent limited to customer pools, walking
every page and API operation of the role × endpoint matrix, never reads or changes the records
of a customer outside those pools.

The world is the matrix's own (tests/test_access_matrix.py): one customer with an invoice, a
payment, a settlement, a sales order and a CRM account, every path parameter filled with its
records. Here that customer is outside the agent's only pool. Each page and operation whose
path names one of its records must answer as if it did not exist (404) or refuse (403) — never
2xx, never a redirect after doing it; each list must not show it (its name is unique)."""

# ruff: noqa: F811 - the tests take the matrix's world fixture, imported below by name
from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from remit.collections.models import CustomerPool
from remit.collections.pools import agent_save, pool_save
from remit.core.roles import ADMINISTRATOR, COLLECTIONS_AGENT
from remit.core.services import api_token_create
from remit.receivables.models import Customer, CustomerGroup
from remit.receivables.services import customer_create
from tests.helpers import SYSTEM
from tests.test_access_matrix import (  # noqa: F401 - world is a fixture
    PAGE_METHOD,
    api_operations,
    page_patterns,
    world,
)

pytestmark = pytest.mark.django_db

MARK = "Outsider Holding Zyxwv"
# Path parameters that name the outside customer or one of its records.
CUSTOMER_PARAMS = {"account_number", "invoice_id", "settlement_id", "number", "hold_id",
                   "account_id"}


@pytest.fixture
def outside(world):
    """The world's customer, renamed, outside the pool of an agent who may reach every page
    (Administrator role, or the Collections agent role); the pool holds another customer."""
    entity = world["entity"]
    customer = world["customer"]
    Customer.objects.filter(pk=customer.pk).update(name=MARK, search_name=MARK.casefold())
    other_group = CustomerGroup.objects.create(legal_entity=entity, code="EXP", name="Export")
    customer_create(legal_entity=entity, account_number="20002", name="Insider AS",
                    group=other_group, actor=SYSTEM)
    from remit.crm.models import Account

    Account.objects.filter(pk=world["samples"]["account_id"]).update(customer=customer)
    from remit.credit.checks import hold_place
    from remit.sales.models import SalesOrder

    order = SalesOrder.objects.get(legal_entity=entity, number=world["samples"]["number"])
    hold = hold_place(order, "confirmation", world["date"], [], {}, SYSTEM)
    world["samples"]["hold_id"] = hold.pk  # the matrix's own sample is no hold at all
    pool = pool_save(legal_entity=entity, code="EXPORT", description="Export customers",
                     groups=["EXP"], actor=SYSTEM)
    agents = {}
    for role in (ADMINISTRATOR, COLLECTIONS_AGENT):
        user = world["users"][role]
        agent_save(legal_entity=entity, user=user, pools=[pool], default_pool=pool,
                   actor=SYSTEM)
        agents[role] = user
    assert CustomerPool.objects.filter(legal_entity=entity).count() == 1
    return agents


# Bodies that would pass validation, so that what answers is the pool rule, not a 422.
BODIES = {
    "POST /api/receivables/settlements/{settlement_id}/reverse": {"on": "2026-03-20",
                                                                  "reason": "pool test"},
    "PATCH /api/crm/accounts/{account_id}": {"name": "Renamed by an outsider"},
    "POST /api/sales/orders/{number}/post": {"step": "confirmation", "on": "2026-03-16"},
    "POST /api/credit/holds/{hold_id}/release": {"note": "pool test"},
    "POST /api/credit/holds/{hold_id}/reject": {"note": "pool test"},
    "POST /api/collections/customers/{account_number}/write-off": {"on": "2026-03-20"},
}


def _refused(status: int) -> bool:
    return status in (403, 404)


@pytest.mark.parametrize("role", [ADMINISTRATOR, COLLECTIONS_AGENT])
def test_pages_keep_an_agent_to_their_pools(world, outside, role):
    client = Client()
    client.force_login(outside[role])
    wrong = []
    for name, route, _callback in page_patterns():
        if name in ("logout", "switch_entity"):
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        url = reverse(name, kwargs={p: world["samples"][p] for p in params})
        method = PAGE_METHOD.get(name, "get")
        response = getattr(client, method)(url)
        status = response.status_code
        if status >= 500:
            wrong.append(f"{method.upper()} {url}: server error {status}")
        elif CUSTOMER_PARAMS & set(params):
            if not _refused(status):
                wrong.append(f"{method.upper()} {url}: {status} for a customer outside the pools")
        elif status == 200 and MARK in response.content.decode(errors="replace"):
            wrong.append(f"{method.upper()} {url}: lists the customer outside the pools")
    assert wrong == [], f"{role} limited to a pool reached these:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", [ADMINISTRATOR, COLLECTIONS_AGENT])
def test_api_operations_keep_an_agent_to_their_pools(world, outside, role):
    from remit.api_auth import Rule

    token, secret = api_token_create(user=outside[role], name="pools", actor=SYSTEM)
    samples = dict(world["samples"], prefix=token.prefix)
    client, browser = Client(), Client()
    browser.force_login(outside[role])
    wrong = []
    for path, method, op in api_operations():
        if method == "DELETE":
            continue
        params = re.findall(r"{(\w+)}", path)
        url = re.sub(r"{(\w+)}", lambda m: str(samples[m.group(1)]), path)
        (rule,) = [cb for cb in op.auth_callbacks if isinstance(cb, Rule)]
        caller = browser if rule.session_only else client
        extra = {} if rule.session_only else {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        body = json.dumps(BODIES.get(f"{method} {path}", {}))
        response = (caller.get(url, **extra) if method == "GET" else
                    caller.generic(method, url, data=body, content_type="application/json",
                                   **extra))
        status = response.status_code
        if status >= 500:
            wrong.append(f"{method} {url}: server error {status}")
        elif CUSTOMER_PARAMS & set(params):
            if not _refused(status):
                wrong.append(f"{method} {url}: {status} for a customer outside the pools")
        elif status == 200 and MARK in response.content.decode(errors="replace"):
            wrong.append(f"{method} {url}: lists the customer outside the pools")
    assert wrong == [], f"{role} limited to a pool reached these:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", [ADMINISTRATOR, COLLECTIONS_AGENT])
def test_the_pool_customer_is_still_reachable(world, outside, role):
    """The other side: the agent's own customer opens (so the refusals above are the pool's
    doing, not a page that refuses everyone)."""
    client = Client()
    client.force_login(outside[role])
    assert client.get(reverse("customer", kwargs={"account_number": "20002"})).status_code == 200
    assert client.get(reverse("customer", kwargs={
        "account_number": world["samples"]["account_number"]})).status_code == 404


def test_the_settlement_reversal_found_by_the_probe_is_refused(world, outside):
    """The probe's finding: an agent reversed the settlement of a customer outside their pools
    through the API (200, audited as theirs). Now 404, and the books are as they were."""
    from remit.ledger.models import JournalEntry
    from remit.receivables.models import Settlement

    token, secret = api_token_create(user=outside[COLLECTIONS_AGENT], name="p", actor=SYSTEM)
    before = JournalEntry.objects.count()
    settlement_id = world["samples"]["settlement_id"]
    response = Client().post(f"/api/receivables/settlements/{settlement_id}/reverse",
                             data={"on": "2026-03-20", "reason": "probe"},
                             content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 404
    assert JournalEntry.objects.count() == before
    assert Settlement.objects.get(pk=settlement_id).reversed_on is None


@pytest.mark.parametrize("path, body", [
    ("/api/receivables/payments", {"customer": "10001", "payment_date": "2026-03-18",
                                   "amount": "10"}),
    ("/api/receivables/settlements", {"customer": "10001", "on": "2026-03-18", "marks": []}),
    ("/api/receivables/invoices", {"customer": "10001", "invoice_date": "2026-03-18",
                                   "lines": [{"description": "x", "unit_price": "1"}]}),
    ("/api/sales/orders", {"customer": "10001", "order_date": "2026-03-18",
                           "lines": [{"description": "x", "unit_price": "1"}]}),
])
def test_documents_for_a_customer_outside_the_pools_are_refused(world, outside, path, body):
    """A customer named in a request body is looked up in the caller's scope: outside it, the
    answer names the field (as for a customer that does not exist) and nothing is written."""
    from remit.ledger.models import JournalEntry
    from remit.receivables.models import Invoice
    from remit.sales.models import SalesOrder

    token, secret = api_token_create(user=outside[ADMINISTRATOR], name="p", actor=SYSTEM)
    counts = (JournalEntry.objects.count(), Invoice.objects.count(), SalesOrder.objects.count())
    response = Client().post(path, data=body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code in (404, 422), response.content
    assert "customer" in response.content.decode()
    assert (JournalEntry.objects.count(), Invoice.objects.count(),
            SalesOrder.objects.count()) == counts


def test_lists_show_the_pool_and_only_the_pool(world, outside):
    token, secret = api_token_create(user=outside[ADMINISTRATOR], name="p", actor=SYSTEM)
    response = Client().get("/api/receivables/customers", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [c["account_number"] for c in response.json()["items"]] == ["20002"]
    client = Client()
    client.force_login(outside[ADMINISTRATOR])
    home = client.get("/").content.decode()
    assert MARK not in home
    # without the agent record the same user sees everyone again
    from remit.collections.models import CollectionsAgent

    CollectionsAgent.objects.filter(user=outside[ADMINISTRATOR]).delete()
    response = Client().get("/api/receivables/customers", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert sorted(c["account_number"] for c in response.json()["items"]) == ["10001", "20002"]
