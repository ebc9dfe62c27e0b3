"""Write-off of chosen items (issue 18): it was all-or-nothing per customer and had no API. A
collections manager writes off one small fee and leaves the invoice open — on the page with
the default reason already offered, and over /api/collections with the same limit and audit."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from remit.core.models import AuditLog
from remit.core.services import api_token_create
from remit.receivables.models import CustomerTransaction, Settlement, WriteOffLimit
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, Story, books_ok

pytestmark = pytest.mark.django_db
LATER = DAY0 + timedelta(60)


@pytest.fixture
def manager(make_user, entity):
    user = make_user("Collections manager", [entity], username="cm")
    WriteOffLimit.objects.create(legal_entity=entity, user=user, max_amount=Decimal("100"))
    return user


@pytest.fixture
def owing(entity):
    story = Story(entity)
    customer = story.customer()
    invoice = story.invoice(customer, "5000.00")
    fee = story.invoice(customer, "65.00", on=DAY0 + timedelta(20))
    return customer, invoice, fee


def test_the_page_writes_off_the_marked_fee_and_leaves_the_invoice_open(owing, manager):
    customer, invoice, fee = owing
    client = Client()
    client.force_login(manager)
    url = f"/collections/customers/{customer.account_number}/"
    page = client.get(url).content.decode()
    assert "Write off marked items" in page and "Write off all" not in page  # 5,065 > 100
    assert 'selected>SMALL' in page  # the parameters' default reason is offered
    reason = Settlement._meta.get_field("reason").related_model.objects.get(code="SMALL")
    response = client.post(url + "write-off/", {"scope": "marked", "item": [fee.pk],
                                                "reason": reason.pk,
                                                "on": LATER.isoformat()}, follow=True)
    assert "Written off" in response.content.decode()
    fee.refresh_from_db()
    invoice.refresh_from_db()
    assert not fee.is_open and invoice.open_amount == Decimal("5000.00")
    response = client.post(url + "write-off/", {"scope": "marked", "reason": reason.pk,
                                                "on": LATER.isoformat()}, follow=True)
    assert "mark the items to write off" in response.content.decode()
    assert books_ok()


@pytest.fixture
def api(manager):
    secret = api_token_create(user=manager, name="t", actor=SYSTEM)[1]
    client = Client()

    def call(path, body):
        response = client.post(f"/api/collections{path}", json.dumps(body),
                               content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {secret}")
        return response.status_code, response.json()

    return call


def test_the_api_writes_off_chosen_items_within_the_limit(owing, api):
    customer, invoice, fee = owing
    path = f"/customers/{customer.account_number}/write-off"
    status, body = api(path, {"on": LATER.isoformat(), "items": ["NOPE-1"]})
    assert status == 422 and body["message"] == "item 1: 'NOPE-1' is not an open item of 10001"
    status, body = api(path, {"on": LATER.isoformat()})  # everything: over the limit
    assert status == 403 and "may write off up to 100.00" in json.dumps(body)
    status, body = api(path, {"on": LATER.isoformat(), "items": [fee.document_number],
                              "comment": "fee waived after call"})
    assert status == 201, body
    (made,) = body
    assert made["kind"] == "write_off" and made["journal_entry"]
    assert [line["document_number"] for line in made["lines"]] == [fee.document_number]
    assert Settlement.objects.get(pk=made["id"]).reason.code == "SMALL"  # the default
    assert CustomerTransaction.objects.get(pk=invoice.pk).is_open
    status, body = api(path, {"on": LATER.isoformat(), "items": [fee.document_number]})
    assert status == 422 and "not an open item" in json.dumps(body)
    entry = AuditLog.objects.get(action="receivables.settlement.settle")
    assert entry.channel == "api" and entry.data["kind"] == "write_off"
    assert list(entry.data["items"]) == [fee.document_number]
    assert books_ok()
