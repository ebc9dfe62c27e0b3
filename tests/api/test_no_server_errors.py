"""No API operation answers 5xx, whatever it is sent (issue 18). Probes found 500s one at a
time — an offset beyond 64 bits, a negative limit, empty marks, 1e400 as an amount; this
property test sends every operation in /api/openapi.json inputs generated from its own
schema, valid and not, as an administrator of a company with real records, and fails on the
first 5xx. CI runs a bounded number of examples per operation (REMIT_API_FUZZ_EXAMPLES,
default 8); raise it locally to search harder."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.core import NotSet

from remit.api import api
from remit.core.services import api_token_create
from tests.helpers import SYSTEM

EXAMPLES = int(os.environ.get("REMIT_API_FUZZ_EXAMPLES", "8"))
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
if os.environ.get("REMIT_API_FUZZ_PATHS"):  # a regular expression: search one area harder
    schema = schema.include(path_regex=os.environ["REMIT_API_FUZZ_PATHS"])


@pytest.fixture
def caller(db, entity, make_user):
    """An administrator's token, in a company with a customer, a posted invoice and a draft,
    so that some generated ids and numbers meet real records."""
    from remit.receivables.models import CustomerGroup, SalesTaxCode
    from remit.receivables.services import LineSpec, customer_create, invoice_create, invoice_post

    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    customer = customer_create(legal_entity=entity, account_number="1", name="Fuzz AS",
                               group=group, actor=SYSTEM)
    zero = SalesTaxCode.objects.get(legal_entity=entity, code="Z")
    for post in (True, False):
        draft = invoice_create(customer=customer, invoice_date=date(2026, 3, 2), actor=SYSTEM,
                               lines=[LineSpec("x", Decimal("100"), tax_code=zero)])
        if post:
            invoice_post(invoice=draft, actor=SYSTEM)
    admin = make_user("Administrator", all_entities=True, username="fuzz")
    secret = api_token_create(user=admin, name="fuzz", actor=SYSTEM)[1]
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _send(client: Client, case) -> object:
    """The case through Django's test client (any method: schemathesis also tries ones the
    operation does not have, which must answer 405, not 500)."""
    query = {k: v for k, v in (case.query or {}).items() if v is not None}
    path = case.formatted_path + (f"?{urlencode(query, doseq=True)}" if query else "")
    headers = {f"HTTP_{k.upper().replace('-', '_')}": str(v)
               for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    body = case.body
    if isinstance(body, NotSet) or body is None:
        return client.generic(case.method.upper(), path, **headers)
    if case.media_type and case.media_type.startswith("multipart/") and \
            case.method.upper() == "POST":
        data = {k: (SimpleUploadedFile("upload.csv", v) if isinstance(v, bytes) else v)
                for k, v in body.items() if v is not None} if isinstance(body, dict) else {}
        return client.post(path, data, **headers)
    return client.generic(case.method.upper(), path, json.dumps(body, default=str),
                          content_type="application/json", **headers)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(caller, case):
    response = _send(caller, case)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} query={case.query} body={case.body!r} → "
        f"{response.status_code}: {response.content[:500]!r}")
