"""The API: token and session auth, one error body, Decimal-exact amounts."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from remit.core.services import api_token_create
from remit.ledger.models import JournalEntry
from tests.helpers import SYSTEM, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(clerk):
    return api_token_create(user=clerk, name="tests", actor=SYSTEM)[1]


@pytest.fixture
def api(token):
    class Api:
        client = Client()

        def _headers(self, extra):
            return {"HTTP_AUTHORIZATION": f"Bearer {token}", **extra}

        def get(self, path, **extra):
            return self.client.get(f"/api{path}", **self._headers(extra))

        def post(self, path, body, **extra):
            return self.client.post(f"/api{path}", data=json.dumps(body) if not isinstance(body, str) else body,
                                    content_type="application/json", **self._headers(extra))

    return Api()


ENTRY = {"journal": "GJ", "entry_date": "2026-03-16", "description": "Rent",
         "lines": [{"account": "6300", "debit": "0.10"}, {"account": "1920", "credit": "0.10"}]}


def test_a_token_posts_an_entry_and_amounts_come_back_as_exact_strings(api, entity):
    response = api.post("/ledger/entries", ENTRY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "GJ-000001"
    assert body["lines"][0]["debit"] == "0.1000" and body["lines"][1]["credit_acc"] == "0.1000"
    assert body["reversed_by"] is None


def test_json_numbers_are_read_as_decimal_never_float(api, entity):
    raw = ('{"journal": "GJ", "entry_date": "2026-03-16", "description": "x", "lines": ['
           '{"account": "6300", "debit": 0.1}, {"account": "6800", "debit": 0.2},'
           '{"account": "1920", "credit": 0.3}]}')
    response = api.post("/ledger/entries", raw)
    # 0.1 + 0.2 == 0.3 only in decimal arithmetic; as floats this entry would not balance
    assert response.status_code == 201, response.content


def test_bad_input_is_422_with_the_field_path(api, entity):
    response = api.post("/ledger/entries", {**ENTRY, "lines": [
        {"account": "6300", "debit": "10"}, {"account": "9999", "credit": "10"}]})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"loc": ["lines", 1, "account"],
                                          "msg": "no account '9999' in NO01"}]
    response = api.post("/ledger/entries", {**ENTRY, "entry_date": "16.03.2026"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["loc"][-1] == "entry_date"
    assert JournalEntry.objects.count() == 0


def test_an_unbalanced_entry_is_422_and_writes_nothing(api, entity):
    response = api.post("/ledger/entries", {**ENTRY, "lines": [
        {"account": "6300", "debit": "10"}, {"account": "1920", "credit": "9"}]})
    assert response.status_code == 422
    assert response.json()["code"] == "unbalanced_entry"
    assert JournalEntry.objects.count() == 0


def test_a_rule_violation_is_409(api, entity):
    entry = post(entity, [("6300", "1"), ("1920", "-1")])
    body = {"reversal_date": "2026-03-16", "reason": "typo"}
    assert api.post(f"/ledger/entries/{entry.pk}/reverse", body).status_code == 201
    second = api.post(f"/ledger/entries/{entry.pk}/reverse", body)
    assert second.status_code == 409 and second.json()["code"] == "already_reversed"


def test_not_found_is_404(api, entity):
    response = api.get("/ledger/entries/999999")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_no_credentials_is_401_and_a_bad_token_too(entity):
    assert Client().get("/api/ledger/entries").status_code == 401
    assert Client().get("/api/ledger/entries", HTTP_AUTHORIZATION="Bearer rmt_x_y").status_code == 401


def test_missing_permission_is_403_before_the_body_is_read(make_user, entity):
    agent = make_user("Collections agent", [entity])
    secret = api_token_create(user=agent, name="t", actor=SYSTEM)[1]
    response = Client().post("/api/ledger/entries", data="not json at all",
                             content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403 and response.json()["code"] == "permission"


def test_the_legal_entity_is_chosen_by_header_among_the_allowed_ones(api, entity, other_entity):
    assert api.get("/core/me").json()["legal_entity"]["code"] == "NO01"
    response = api.get("/ledger/accounts", HTTP_X_REMIT_ENTITY="DK01")
    assert response.status_code == 403 and response.json()["code"] == "entity"
    assert response.json()["errors"][0]["loc"] == ["header", "X-Remit-Entity"]


def test_session_auth_needs_the_csrf_token_for_writes(clerk, entity):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clerk)
    assert browser.get("/api/ledger/entries").status_code == 200
    assert browser.post("/api/ledger/entries", data=json.dumps(ENTRY),
                        content_type="application/json").status_code == 403
    browser.get("/")  # sets the CSRF cookie
    response = browser.post("/api/ledger/entries", data=json.dumps(ENTRY),
                            content_type="application/json",
                            HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert response.status_code == 201


def test_the_entries_list_is_paginated_and_filtered(api, entity):
    for i in range(3):
        post(entity, [("6300", "1"), ("1920", "-1")], description=f"rent {i}")
    body = api.get("/ledger/entries?text=rent 1&limit=10").json()
    assert body["count"] == 1 and body["items"][0]["description"] == "rent 1"
    assert Decimal(body["items"][0]["total_acc"]) == Decimal(1)


def test_the_ledger_check_runs_over_the_api(api, entity):
    post(entity, [("6300", "1"), ("1920", "-1")])
    assert api.post("/ledger/check", {}).json() == {"ok": True, "entries_checked": 1,
                                                     "violations": []}


def test_openapi_docs_are_served_to_logged_in_users(clerk_client):
    assert clerk_client.get("/api/openapi.json").status_code == 200
    assert clerk_client.get("/api/docs").status_code == 200


def test_no_page_loads_anything_from_another_host(clerk_client, entity):
    """Every script, stylesheet and image is served by remit (no CDN, nothing fetched)."""
    import re

    for url in ["/login/", "/", "/ledger/entries/", "/api/docs"]:
        html = clerk_client.get(url, follow=True).content.decode()
        external = re.findall(r'(?:src|href)=["\'](?:https?:)?//[^"\']+', html)
        assert external == [], f"{url} loads {external}"
        assert "cdn" not in html.lower(), url


@pytest.mark.parametrize("amount", ["99999999999999999999999.99", "1e30", "100000000000000000"])
def test_amounts_beyond_what_the_books_can_hold_are_422_not_500(api, entity, amount):
    response = api.post("/ledger/entries", {**ENTRY, "lines": [
        {"account": "6300", "debit": amount}, {"account": "1920", "credit": amount}]})
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["loc"] == ["lines", 0, "amount"]
    assert JournalEntry.objects.count() == 0


def test_a_body_that_is_not_json_is_422_with_the_shared_error_body(api, entity):
    response = api.post("/ledger/entries", "{not json")
    assert response.status_code == 422
    assert response.json() == {"code": "invalid_json", "message": "The request body is not valid JSON",
                               "errors": [{"loc": ["body"], "msg": "not valid JSON"}]}


def test_body_field_errors_have_the_same_paths_as_rule_errors(api, entity):
    response = api.post("/ledger/entries", {**ENTRY, "lines": [{"account": "6300", "debit": []}]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][:3] == ["lines", 0, "debit"]


def test_an_unknown_journal_in_the_body_is_422_on_that_field(api, entity):
    response = api.post("/ledger/entries", {**ENTRY, "journal": "XX"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["journal"]


def test_an_implausible_date_is_refused(api, entity):
    response = api.post("/ledger/entries", {**ENTRY, "entry_date": "1900-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"loc": ["entry_date"],
                                          "msg": response.json()["errors"][0]["msg"]}]
    assert "ten years" in response.json()["message"]


def test_a_posted_entry_answers_with_its_total(api, entity):
    assert api.post("/ledger/entries", ENTRY).json()["total_acc"] == "0.1000"


def test_the_entity_header_is_not_case_sensitive_and_page_size_is_capped(api, entity):
    assert api.get("/core/me", HTTP_X_REMIT_ENTITY="no01").json()["legal_entity"]["code"] == "NO01"
    assert api.get("/ledger/entries?limit=100000").status_code == 422
    assert api.get("/ledger/entries?limit=500").status_code == 200


def test_a_token_cannot_make_more_tokens_but_a_session_can(api, clerk_client, entity):
    response = api.post("/core/tokens", {"name": "child"})
    assert response.status_code == 403 and response.json()["code"] == "session_only"
    response = clerk_client.post("/api/core/tokens", data=json.dumps({"name": "ok"}),
                                 content_type="application/json")
    assert response.status_code == 201 and response.json()["token"].startswith("rmt_")
    response = clerk_client.post("/api/core/tokens", data=json.dumps(
        {"name": "old", "expires_at": "2020-01-01T00:00:00Z"}), content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["expires_at"]
