"""Bad input found by the security probes answers 4xx naming the field, never 500, and writes
nothing (issue 18): offsets beyond 64 bits and negative limits on every list, empty marks,
amounts beyond any number, and a body larger than remit takes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from remit.core.services import api_token_create
from remit.ledger.models import JournalEntry
from remit.receivables.models import CustomerGroup
from remit.receivables.services import customer_create
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(make_user, entity):
    admin = make_user("Administrator", [entity])
    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    customer_create(legal_entity=entity, account_number="10001", name="C", group=group,
                    actor=SYSTEM)
    secret = api_token_create(user=admin, name="t", actor=SYSTEM)[1]
    client = Client()

    def call(method, path, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return client.generic(method, path, data=data, content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {secret}")

    return call


def _list_operations():
    from tests.test_access_matrix import api_operations

    return sorted({path for path, method, op in api_operations()
                   if method == "GET" and "{" not in path})


@pytest.mark.parametrize("query", ["offset=99999999999999999999", "limit=-220",
                                   "offset=-1", "limit=99999999999999999999"])
def test_no_list_answers_500_to_a_wild_page(call, query):
    wrong = []
    for path in _list_operations():
        response = call("GET", f"{path}?{query}")
        if response.status_code >= 500:
            wrong.append(f"{path}?{query}: {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("amount", [1e400, "1e400", "-1e400", "NaN", "Infinity", 1e30])
def test_payments_refuse_amounts_beyond_any_number(call, amount):
    before = JournalEntry.objects.count()
    raw = json.dumps({"customer": "10001", "payment_date": "2026-03-09", "amount": "X"})
    raw = raw.replace('"X"', str(amount) if not isinstance(amount, str) else f'"{amount}"')
    raw = raw.replace("inf", "1e400")
    response = call("POST", "/api/receivables/payments", raw=raw)
    assert 400 <= response.status_code < 500, response.content
    assert "amount" in response.content.decode()
    assert JournalEntry.objects.count() == before


def test_a_settlement_without_marks_is_refused(call):
    response = call("POST", "/api/receivables/settlements",
                    {"customer": "10001", "on": "2026-03-09", "marks": []})
    assert 400 <= response.status_code < 500, response.content
    assert "marks" in response.content.decode()


def test_a_body_larger_than_remit_takes_is_413(call):
    big = json.dumps({"customer": "10001", "payment_date": "2026-03-09", "amount": "1",
                      "reference": "x" * (30 * 1024 * 1024)})
    response = call("POST", "/api/receivables/payments", raw=big)
    assert response.status_code == 413
    assert "MB" in response.content.decode()


def test_an_upload_larger_than_the_limit_is_413_naming_it(call, settings, make_user, entity):
    """Files have their own limit (REMIT_MAX_UPLOAD_MB), on the page and the API alike."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.REMIT_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("customers.csv", b"account_number,name\n" + b"1,x\n" * 400_000)
    client = Client()
    client.force_login(make_user("Administrator", [entity]))
    response = client.post("/api/imports/customers", {"file": big})
    assert response.status_code == 413 and "1 MB" in response.json()["message"]
    big.seek(0)
    page = client.post("/imports/", {"file": big, "kind": "customers"})
    assert page.status_code == 413 and "1 MB" in page.content.decode()


@pytest.mark.parametrize(("quantity", "price"), [("9999999999", "99999999999"),
                                                  ("99999999999", "1"), ("1", "LIMIT")])
def test_a_line_whose_amount_no_column_holds_is_refused(call, quantity, price):
    """Price and quantity were bounded one by one, not their product: a draft came to ~1e31,
    PostgreSQL refused the insert (500) and SQLite stored a value no later read could take."""
    from django.conf import settings

    from remit.receivables.models import Invoice

    price = str(settings.AMOUNT_LIMIT) if price == "LIMIT" else price  # the database's own
    response = call("POST", "/api/receivables/invoices", {
        "customer": "10001", "invoice_date": "2026-03-02", "lines": [
            {"description": "x", "quantity": quantity, "unit_price": price}]})
    assert response.status_code == 422, response.content
    assert "line 1" in response.json()["message"]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("rate", ["1e13", "-1", "0", "NaN"])
def test_an_exchange_rate_no_column_holds_is_refused(call, rate):
    from remit.core.models import ExchangeRate

    before = ExchangeRate.objects.count()
    response = call("POST", "/api/core/exchange-rates", {
        "from_currency": "USD", "to_currency": "NOK", "valid_from": "2026-03-02",
        "rate": rate})
    assert response.status_code == 422, response.content
    assert "rate" in response.content.decode()
    assert ExchangeRate.objects.count() == before
