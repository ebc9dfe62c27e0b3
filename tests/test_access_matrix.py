"""The role × endpoint matrix: every page and API operation declares its permission, and each
role gets exactly what the roles table gives it. A new page or endpoint without a rule, or with
path parameters this test cannot fill, fails here."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from remit.api import api
from remit.api_auth import Rule
from remit.core.access import PUBLIC
from remit.core.roles import ADMINISTRATOR, ROLE_PERMISSIONS
from remit.core.services import api_token_create
from remit.receivables.models import CustomerGroup
from remit.receivables.services import customer_create
from tests import jobs_tasks
from tests.helpers import SYSTEM, post

pytestmark = pytest.mark.django_db

# The access rules, written down. A new page or API operation fails the suite until it is added
# here with the permission it needs (and roles.py says which roles hold that permission).
PAGE_RULES = {
    "home": "core.access_remit",
    "crm_leads": "crm.view_lead",
    "crm_lead_new": "crm.add_lead",
    "crm_leads_bulk": "crm.qualify_lead",
    "crm_leads_merge": "crm.change_lead",
    "crm_lead": "crm.view_lead",
    "crm_lead_action": "crm.change_lead",
    "crm_lead_qualify": "crm.qualify_lead",
    "crm_opportunities": "crm.view_opportunity",
    "crm_opportunity": "crm.view_opportunity",
    "crm_opportunity_close": "crm.change_opportunity",
    "crm_account": "crm.view_account",
    "crm_account_customer": "receivables.add_customer",
    "crm_contact": "crm.view_contact",
    "crm_lead_edit": "crm.change_lead",
    "crm_accounts": "crm.view_account",
    "crm_contacts": "crm.view_contact",
    "crm_record_note": "crm.add_timelineentry",
    "crm_lead_duplicates": "crm.view_lead",
    "crm_account_duplicates": "crm.view_account",
    "crm_contact_duplicates": "crm.view_contact",
    "crm_account_new": "crm.add_account",
    "crm_account_edit": "crm.change_account",
    "crm_contact_new": "crm.add_contact",
    "crm_contact_edit": "crm.change_contact",
    "crm_accounts_merge": "crm.change_account",
    "crm_contacts_merge": "crm.change_contact",
    "crm_opportunity_new": "crm.add_opportunity",
    "crm_opportunity_edit": "crm.change_opportunity",
    "crm_activities": "crm.view_timelineentry",
    "crm_activity_done": "crm.add_timelineentry",
    "crm_activity_edit": "crm.add_timelineentry",
    "crm_settings": "crm.view_qualificationsettings",
    "crm_duplicate_scans": "crm.view_duplicaterule",
    "login": "public",
    "logout": "public",
    "health": "public",
    "favicon": "public",
    "switch_entity": "core.access_remit",
    "tokens": "core.use_api",
    "audit": "core.view_auditlog",
    "rates": "core.view_exchangerate",
    "aged_balances": "collections.view_agingsnapshot",
    "age_now": "collections.add_agingsnapshot",
    "collections_customer": "collections.view_agingsnapshot",
    "collections_status": "collections.change_collection_status",
    "collections_settle": "receivables.change_settlement",
    "collections_write_off": "receivables.write_off",
    "collections_nsf": "receivables.register_nsf",
    "collections_activity_add": "collections.add_activity",
    "collections_case_add": "collections.add_collectionscase",
    "collections_activities": "collections.view_activity",
    "collections_activity_close": "collections.change_activity",
    "collections_cases": "collections.view_collectionscase",
    "collections_case_close": "collections.change_collectionscase",
    "interest_notes": "collections.view_interestnote",
    "interest_run": "collections.add_interestnote",
    "interest_note_action": "collections.view_interestnote",
    "interest_reinstate": "collections.waive_interest",
    "customer_interest": "collections.add_interestnote",
    "collections_email": "collections.add_activity",
    "letters": "collections.view_collectionletter",
    "automation": "collections.view_activity",
    "automation_run": "collections.add_activity",
    "letters_run": "collections.add_collectionletter",
    "letter_pdf": "collections.view_collectionletter",
    "letter_action": "collections.add_collectionletter",
    "customers": "receivables.view_customer",
    "customer_new": "receivables.add_customer",
    "customer": "receivables.view_customer",
    "customer_edit": "receivables.change_customer",
    "invoice_new": "receivables.add_invoice",
    "payment_new": "receivables.post_paymentjournal",
    "settle_auto": "receivables.change_settlement",
    "customer_statement": "receivables.view_customertransaction",
    "customer_open_items_xlsx": "receivables.view_customertransaction",
    "invoices": "receivables.view_invoice",
    "imports": "imports.view_importrun",
    "import_map": "imports.add_importrun",
    "import_run": "imports.view_importrun",
    "import_run_now": "imports.add_importrun",
    "import_run_problems": "imports.view_importrun",
    "transactions": "receivables.view_customertransaction",
    "invoice": "receivables.view_invoice",
    "invoice_edit": "receivables.change_invoice",
    "invoice_post": "receivables.post_invoice",
    "invoice_delete": "receivables.change_invoice",
    "invoice_credit": "receivables.add_invoice",
    "invoice_correct": "receivables.post_invoice",
    "settlement_reverse": "receivables.change_settlement",
    "entries": "ledger.view_journalentry",
    "entry_new": "ledger.post_journalentry",
    "entry": "ledger.view_journalentry",
    "entry_reverse": "ledger.reverse_journalentry",
    "accounts": "ledger.view_account",
    "ledger_check": "ledger.check_ledger",
    "jobs": "jobs.view_schedule",
    "job_retry": "jobs.run_job",
    "sales_orders": "sales.view_salesorder",
    "sales_order_new": "sales.add_salesorder",
    "sales_order": "sales.view_salesorder",
    "sales_order_post": "sales.post_salesorder",
    "sales_order_cancel": "sales.change_salesorder",
    "credit_force": "credit.release_credithold",
    "credit_holds": "credit.view_credithold",
    "credit_holds_action": "credit.release_credithold",
    "credit_customer": "credit.view_customercredit",
    "credit_customer_edit": "credit.change_customercredit",
    "credit_insurance_add": "credit.add_insurance",
    "credit_adjustments": "credit.view_adjustment",
    "credit_adjustment_new": "credit.add_adjustment",
    "credit_adjustment": "credit.view_adjustment",
    "credit_adjustment_action": "credit.change_adjustment",
    "credit_rules": "credit.view_blockingrule",
    "credit_rule_add": "credit.add_blockingrule",
    "credit_rule_toggle": "credit.change_blockingrule",
    "credit_task": "credit.add_balancestatistic",
    "credit_checkpoints": "credit.change_blockingrule",
    "insights_predictions": "insights.view_prediction",
    "insights_pane": "insights.view_prediction",
    "insights_customers": "insights.view_prediction",
    "insights_expected_cash": "insights.view_prediction",
    "insights_models": "insights.view_predictionmodel",
    "insights_models_action": "insights.add_predictionmodel",
}
API_RULES = {
    "GET /api/core/me": "core.use_api",
    "GET /api/core/legal-entities": "core.view_legalentity",
    "GET /api/core/exchange-rates": "core.view_exchangerate",
    "POST /api/core/exchange-rates": "core.add_exchangerate",
    "GET /api/core/exchange-rates/on": "core.view_exchangerate",
    "GET /api/core/audit": "core.view_auditlog",
    "GET /api/core/tokens": "core.use_api",
    "POST /api/core/tokens": "core.use_api",
    "DELETE /api/core/tokens/{prefix}": "core.use_api",
    "GET /api/ledger/accounts": "ledger.view_account",
    "GET /api/ledger/journals": "ledger.view_journal",
    "GET /api/ledger/entries": "ledger.view_journalentry",
    "POST /api/ledger/entries": "ledger.post_journalentry",
    "GET /api/ledger/entries/{entry_id}": "ledger.view_journalentry",
    "POST /api/ledger/entries/{entry_id}/reverse": "ledger.reverse_journalentry",
    "POST /api/ledger/check": "ledger.check_ledger",
    "GET /api/receivables/customers": "receivables.view_customer",
    "POST /api/receivables/customers": "receivables.add_customer",
    "GET /api/receivables/customers/{account_number}": "receivables.view_customer",
    "GET /api/receivables/customers/{account_number}/open-items":
        "receivables.view_customertransaction",
    "GET /api/receivables/customers/{account_number}/transactions":
        "receivables.view_customertransaction",
    "GET /api/receivables/customers/{account_number}/statement.pdf":
        "receivables.view_customertransaction",
    "GET /api/receivables/customers/{account_number}/open-items.xlsx":
        "receivables.view_customertransaction",
    "POST /api/receivables/opening-balances": "receivables.post_openingbalance",
    "GET /api/receivables/invoices": "receivables.view_invoice",
    "POST /api/receivables/invoices": "receivables.add_invoice",
    "GET /api/receivables/invoices/{invoice_id}": "receivables.view_invoice",
    "POST /api/receivables/invoices/{invoice_id}/post": "receivables.post_invoice",
    "DELETE /api/receivables/invoices/{invoice_id}": "receivables.change_invoice",
    "POST /api/collections/customers/{account_number}/write-off": "receivables.write_off",
    "POST /api/receivables/payments": "receivables.post_paymentjournal",
    "POST /api/receivables/payment-journals": "receivables.post_paymentjournal",
    "POST /api/receivables/settlements": "receivables.change_settlement",
    "POST /api/receivables/settlements/{settlement_id}/reverse": "receivables.change_settlement",
    "GET /api/imports/kinds": "imports.view_importrun",
    "GET /api/imports/mappings": "imports.view_importrun",
    "POST /api/imports/mappings": "imports.add_importrun",
    "POST /api/imports/{kind}": "imports.add_importrun",
    "POST /api/imports/{kind}/preview": "imports.add_importrun",
    "GET /api/imports/runs": "imports.view_importrun",
    "GET /api/imports/runs/{run_id}": "imports.view_importrun",
    "GET /api/imports/runs/{run_id}/problems": "imports.view_importrun",
    "POST /api/sales/orders": "sales.add_salesorder",
    "GET /api/sales/orders/{number}": "sales.view_salesorder",
    "POST /api/sales/orders/{number}/post": "sales.post_salesorder",
    "GET /api/credit/customers/{account_number}": "credit.view_customercredit",
    "GET /api/credit/holds": "credit.view_credithold",
    "POST /api/credit/holds/{hold_id}/release": "credit.release_credithold",
    "POST /api/credit/holds/{hold_id}/reject": "credit.release_credithold",
    "GET /api/insights/predictions": "insights.view_prediction",
    "GET /api/insights/customers/{account_number}": "insights.view_prediction",
    "GET /api/insights/expected-cash": "insights.view_prediction",
    "GET /api/insights/models/compare": "insights.view_predictionmodel",
    "GET /api/insights/models/group": "insights.view_predictionmodel",
    "GET /api/crm/leads": "crm.view_lead",
    "POST /api/crm/leads": "crm.add_lead",
    "POST /api/crm/duplicate-scans": "crm.change_duplicaterule",
    "GET /api/crm/duplicate-scans/{scan_id}": "crm.view_duplicaterule",
    "GET /api/crm/leads/{lead_id}": "crm.view_lead",
    "POST /api/crm/leads/{lead_id}/status": "crm.change_lead",
    "POST /api/crm/leads/{lead_id}/qualify": "crm.qualify_lead",
    "POST /api/crm/leads/merge": "crm.change_lead",
    "GET /api/crm/opportunities/{opportunity_id}": "crm.view_opportunity",
    "POST /api/crm/opportunities/{opportunity_id}/close": "crm.change_opportunity",
    "GET /api/crm/accounts/{account_id}": "crm.view_account",
    "POST /api/crm/accounts/{account_id}/customer": "receivables.add_customer",
    "PATCH /api/crm/leads/{lead_id}": "crm.change_lead",
    "GET /api/crm/accounts": "crm.view_account",
    "POST /api/crm/accounts": "crm.add_account",
    "PATCH /api/crm/accounts/{account_id}": "crm.change_account",
    "POST /api/crm/accounts/merge": "crm.change_account",
    "GET /api/crm/contacts": "crm.view_contact",
    "POST /api/crm/contacts": "crm.add_contact",
    "GET /api/crm/contacts/{contact_id}": "crm.view_contact",
    "PATCH /api/crm/contacts/{contact_id}": "crm.change_contact",
    "POST /api/crm/contacts/merge": "crm.change_contact",
    "GET /api/crm/opportunities": "crm.view_opportunity",
    "POST /api/crm/opportunities": "crm.add_opportunity",
    "PATCH /api/crm/opportunities/{opportunity_id}": "crm.change_opportunity",
    "GET /api/crm/records/{record_kind}/{record_id}/timeline": "crm.view_timelineentry",
    "POST /api/crm/records/{record_kind}/{record_id}/notes": "crm.add_timelineentry",
    "POST /api/crm/records/{record_kind}/{record_id}/activities": "crm.add_timelineentry",
    "GET /api/crm/activities": "crm.view_timelineentry",
    "POST /api/crm/activities/{timeline_entry_id}/complete": "crm.add_timelineentry",
    "PATCH /api/crm/activities/{timeline_entry_id}": "crm.add_timelineentry",
    "GET /api/crm/records/{record_kind}/{record_id}/duplicates": "crm.view_lead",
    "POST /api/crm/records/{record_kind}/{record_id}/duplicates/detach": "crm.view_lead",
    "GET /api/jobs/": "jobs.view_schedule",
    "GET /api/jobs/schedules": "jobs.view_schedule",
    "POST /api/jobs/{job_id}/retry": "jobs.run_job",
}


# How to call the pages that need more than a GET without arguments.
PAGE_METHOD = {"logout": "post", "import_run_now": "post", "switch_entity": "post",
               "entry_reverse": "post", "job_retry": "post", "invoice_post": "post",
               "invoice_delete": "post", "invoice_credit": "post",
               "invoice_correct": "post", "settlement_reverse": "post", "settle_auto": "post",
               "age_now": "post", "collections_status": "post", "collections_settle": "post",
               "collections_write_off": "post", "collections_nsf": "post",
               "collections_activity_add": "post", "collections_case_add": "post",
               "collections_activity_close": "post", "collections_case_close": "post",
               "interest_run": "post", "interest_note_action": "post",
               "interest_reinstate": "post", "customer_interest": "post",
               "collections_email": "post", "letters_run": "post", "letter_action": "post",
               "automation_run": "post", "sales_order_post": "post",
               "sales_order_cancel": "post", "credit_force": "post",
               "credit_holds_action": "post", "credit_customer_edit": "post",
               "credit_insurance_add": "post", "credit_adjustment_new": "post",
               "credit_adjustment_action": "post", "credit_rule_add": "post",
               "credit_rule_toggle": "post", "credit_task": "post",
               "credit_checkpoints": "post", "insights_models_action": "post",
               "crm_leads_bulk": "post", "crm_lead_action": "post", "crm_lead_qualify": "post",
               "crm_opportunity_close": "post", "crm_account_customer": "post",
               "crm_record_note": "post", "crm_activity_done": "post",
               "crm_activity_edit": "post"}


def page_patterns():
    """(name, pattern) for every URL outside the admin and the API (checked separately)."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = prefix + str(p.pattern)
                if route in ("admin/", "api/"):
                    continue
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found.append((p.name, prefix + str(p.pattern), p.callback))

    walk(get_resolver().url_patterns)
    return found


def api_operations():
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    yield f"/api{prefix}{path}".replace("//", "/"), method, op


def allowed(role: str, permission: str) -> bool:
    if permission == PUBLIC:
        return True
    if role == ADMINISTRATOR:
        return permission.split(".")[0] in {"core", "ledger", "receivables", "collections",
                                            "sales", "credit", "insights", "crm", "jobs",
                                            "imports"}
    return permission in ROLE_PERMISSIONS[role]


@pytest.fixture
def world(entity, make_user):
    entry = post(entity, [("6300", "1"), ("1920", "-1")])
    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    customer = customer_create(legal_entity=entity, account_number="10001", name="C",
                               group=group, actor=SYSTEM)
    from remit.core.money import Money
    from remit.receivables.services import (
        LineSpec,
        MarkSpec,
        invoice_create,
        invoice_post,
        payment_register,
    )

    posted = invoice_post(invoice=invoice_create(
        customer=customer, invoice_date=date(2026, 3, 16), lines=[LineSpec("x", Decimal(100))],
        actor=SYSTEM), actor=SYSTEM)
    payment_register(customer=customer, payment_date=date(2026, 3, 17),
                     amount=Money.of("50", "NOK"), marks=[MarkSpec(posted.transactions.get())],
                     actor=SYSTEM)
    settlement = posted.transactions.get().settlement_lines.get().settlement
    failed = jobs_tasks.broken.enqueue()
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED")
    from remit.credit.adjustments import adjustment_create
    from remit.credit.models import BlockingRule
    from remit.sales.services import sales_order_create

    order = sales_order_create(customer=customer, order_date=date(2026, 3, 16),
                               lines=[LineSpec("x", Decimal(10))], actor=SYSTEM)
    journal = adjustment_create(legal_entity=entity, kind="limit", actor=SYSTEM)
    from remit.imports.models import ImportRun

    run = ImportRun.objects.create(legal_entity=entity, kind="customers", file_name="c.csv",
                                   sha256="0" * 64, status="checked")
    users = {role: make_user(role, [entity]) for role in ROLE_PERMISSIONS}
    tokens = {role: api_token_create(user=u, name="m", actor=SYSTEM) for role, u in users.items()}
    samples = {"entry_id": entry.pk, "job_id": str(failed.id), "account_number": "10001",
               "prefix": None, "invoice_id": posted.pk, "settlement_id": settlement.pk,
               "kind": "customers", "item_id": 0, "activity_id": 0, "case_id": 0,
               "note_id": 0, "action": "post", "adjustment_id": 0,
               "letter_id": 0, "number": order.number, "journal": journal.number,
               "task": "statistics", "hold_id": 0, "run_id": run.pk,
               "rule_id": BlockingRule.objects.filter(legal_entity=entity).first().pk,
               **_crm_samples(entity)}
    return {"users": users, "tokens": tokens, "samples": samples, "customer": customer,
            "entity": entity, "date": date(2026, 3, 16)}


def _crm_samples(entity) -> dict:
    from remit.crm import leads, qualify
    from remit.crm.models import DuplicateScan

    qualify.settings_for(entity)
    lead = leads.lead_create(legal_entity=entity, topic="t", last_name="L", company_name="C",
                             actor=SYSTEM)
    result = qualify.lead_qualify(lead=leads.lead_create(
        legal_entity=entity, topic="q", last_name="Q", company_name="Q AS",
        email="q@q.no", actor=SYSTEM), actor=SYSTEM)
    return {"lead_id": lead.pk, "opportunity_id": result.opportunities[0].pk,
            "account_id": result.account.pk, "contact_id": result.contact.pk,
            "record_kind": "account", "record_id": result.account.pk,
            "timeline_entry_id": leads.activity_add(record=lead, activity_type="call",
                                                    subject="s", actor=SYSTEM).pk,
            "scan_id": DuplicateScan.objects.create(legal_entity=entity,
                                                    record_type="lead").pk}


def test_every_page_declares_a_permission():
    missing = [name for name, _, callback in page_patterns()
               if getattr(callback, "remit_permission", None) is None]
    assert missing == [], "pages without a permission rule (use remit.core.access.page/public)"


def test_every_api_operation_declares_a_permission():
    missing = []
    for path, method, op in api_operations():
        rules = [cb for cb in op.auth_callbacks if isinstance(cb, Rule)]
        if len(rules) != 1 or not rules[0].permission:
            missing.append(f"{method} {path}")
    assert missing == [], "API operations without auth=Rule('app.permission')"


def test_the_declared_rules_are_the_written_ones():
    pages = {name: callback.remit_permission for name, _, callback in page_patterns()}
    assert pages == PAGE_RULES
    operations = {}
    for path, method, op in api_operations():
        (rule,) = [cb for cb in op.auth_callbacks if isinstance(cb, Rule)]
        operations[f"{method} {path}"] = rule.permission
    assert operations == API_RULES


def test_the_api_schema_and_docs_are_public_but_operations_are_not():
    assert Client().get("/api/openapi.json").status_code == 200
    assert Client().get("/api/docs").status_code == 200
    assert Client().get("/api/core/me").status_code == 401


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_each_role_reaches_exactly_the_pages_it_may(world, role):
    client = Client()
    client.force_login(world["users"][role])
    wrong = []
    for name, route, callback in page_patterns():
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        unknown = [p for p in params if p not in world["samples"]]
        assert not unknown, f"page {name}: add a sample for {unknown} to this test"
        url = reverse(name, kwargs={p: world["samples"][p] for p in params})
        method = PAGE_METHOD.get(name, "get")
        response = getattr(client, method)(url)
        if response.status_code >= 404 and response.status_code != 405:
            if response.status_code != 403:
                wrong.append(f"{method.upper()} {url}: {response.status_code}")
                continue
        permission = PAGE_RULES.get(name, callback.remit_permission)
        expected = allowed(role, permission)
        denied = response.status_code == 403 or (
            permission != PUBLIC and response.status_code == 302
            and "/login/" in response.get("Location", ""))
        if expected == denied:
            wrong.append(f"{method.upper()} {url} ({permission}): {response.status_code}")
        if name == "logout":
            client.force_login(world["users"][role])
    assert wrong == [], f"{role} got the wrong answer from these pages"


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_each_role_reaches_exactly_the_api_operations_it_may(world, role):
    token_row, secret = world["tokens"][role]
    samples = dict(world["samples"], prefix=token_row.prefix)
    client = Client()
    browser = Client()
    browser.force_login(world["users"][role])
    wrong = []
    for path, method, op in api_operations():
        if method == "DELETE":  # revoking the token would end the walk; checked on its own
            continue
        url = re.sub(r"{(\w+)}", lambda m: str(samples[m.group(1)]), path)
        (rule,) = [cb for cb in op.auth_callbacks if isinstance(cb, Rule)]
        if rule.session_only:
            response = browser.generic(method, url, data="{}", content_type="application/json")
        else:
            response = client.generic(method, url, data="{}", content_type="application/json",
                                      HTTP_AUTHORIZATION=f"Bearer {secret}")
        if response.status_code >= 500:
            wrong.append(f"{method} {url}: server error {response.status_code}")
            continue
        expected = allowed(role, API_RULES.get(f"{method} {path}", rule.permission))
        if expected == (response.status_code == 403) or response.status_code == 401:
            wrong.append(f"{method} {url} ({rule.permission}): {response.status_code}")
    assert wrong == [], f"{role} got the wrong answer from these API operations"


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_only_administrators_reach_the_admin(world, role):
    client = Client()
    client.force_login(world["users"][role])
    response = client.get("/admin/")
    assert (response.status_code == 200) == (role == ADMINISTRATOR)


def test_a_user_without_a_role_gets_nothing(world, db):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x")
    client = Client()
    client.force_login(nobody)
    assert client.get("/").status_code == 403
    assert client.get("/ledger/entries/").status_code == 403
