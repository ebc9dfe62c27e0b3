"""Pages answer people clearly: 404 for what is not there, 403 that says why, form errors
beside the field, and nothing half-written."""

from datetime import date

import pytest
from django.test import Client

from remit.ledger.models import JournalEntry
from tests.helpers import post

pytestmark = pytest.mark.django_db


def test_a_missing_entry_or_one_of_another_entity_is_a_404_page(clerk_client, entity, other_entity):
    assert clerk_client.get("/ledger/entries/999999/").status_code == 404
    elsewhere = post(other_entity, [("6300", "1"), ("1920", "-1")])
    response = clerk_client.get(f"/ledger/entries/{elsewhere.pk}/")
    assert response.status_code == 404 and b"No journal entry" in response.content
    assert clerk_client.get("/no/such/page/").status_code == 404


def test_a_user_without_a_legal_entity_is_told_so(make_user, entity):
    lonely = make_user("AR clerk", [])
    client = Client()
    client.force_login(lonely)
    response = client.get("/")
    assert response.status_code == 403
    assert b"not allowed to work in any legal entity" in response.content


def test_the_403_page_names_what_the_role_lacks_in_words(make_user, entity):
    client = Client()
    client.force_login(make_user("Collections agent", [entity]))
    response = client.get("/ledger/entries/new/")
    assert response.status_code == 403 and b"post journal entries" in response.content


def _form(**overrides):
    data = {"journal": "GJ", "entry_date": date.today().isoformat(), "description": "Chairs",
            "account_0": "6800", "debit_0": "100.00", "account_1": "1920", "credit_1": "100.00"}
    data.update(overrides)
    return data


def test_the_entry_form_puts_each_error_beside_its_field(clerk_client, entity):
    response = clerk_client.post("/ledger/entries/new/", _form(account_1="9999"))
    html = response.content.decode()
    assert response.status_code == 200 and "line 2 account: no account &#x27;9999&#x27;" in html
    assert 'aria-label="Account line 2" value="9999" aria-invalid="true"' in html
    response = clerk_client.post("/ledger/entries/new/", _form(entry_date="2026-02-30"))
    assert "is not a date (YYYY-MM-DD)" in response.content.decode()
    response = clerk_client.post("/ledger/entries/new/",
                                 _form(debit_0="1" + "0" * 20, credit_1="1" + "0" * 20))
    assert "must be less than" in response.content.decode()
    assert JournalEntry.objects.count() == 0


def test_the_entry_form_posts_and_redirects_to_the_entry(clerk_client, entity):
    response = clerk_client.post("/ledger/entries/new/", _form())
    entry = JournalEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledger/entries/{entry.pk}/"


def test_a_reversal_error_without_htmx_shows_the_whole_page(clerk_client, entity):
    entry = post(entity, [("6300", "1"), ("1920", "-1")], on=date.today())
    response = clerk_client.post(f"/ledger/entries/{entry.pk}/reverse/",
                                 {"reversal_date": "2000-01-01", "reason": "x"})
    html = response.content.decode()
    assert response.status_code == 200 and "<nav" in html and "on or after" in html


def test_ledger_check_results_are_shown_only_to_their_legal_entity(clerk_client, entity,
                                                                    other_entity):
    from remit.ledger.services import ledger_check_run
    from tests.helpers import SYSTEM

    post(other_entity, [("6300", "1"), ("1920", "-1")], description="DK secret")
    ledger_check_run(actor=SYSTEM)
    html = clerk_client.get("/ledger/check/").content.decode()
    assert "Books in order" in html
    assert "DK01" not in html


def test_a_typed_logout_address_asks_and_a_post_logs_out(clerk_client):
    page = clerk_client.get("/logout/")
    assert page.status_code == 200 and b"Log out?" in page.content
    assert clerk_client.post("/logout/").status_code in (200, 302)
    assert clerk_client.get("/").status_code == 302  # to the login page
    assert Client().get("/logout/").status_code == 302


def test_the_customer_page_leads_to_the_same_customer_elsewhere(make_user, entity):
    from tests.receivables.conftest import Story

    customer = Story(entity).customer()
    client = Client()
    client.force_login(make_user("Administrator", [entity]))
    page = client.get(f"/customers/{customer.account_number}/").content.decode()
    for url in (f"/collections/customers/{customer.account_number}/",
                f"/credit/customers/{customer.account_number}/",
                f"/sales/orders/?q={customer.account_number}",
                f"/sales/orders/new/?customer={customer.account_number}",
                f"/insights/predictions/?q={customer.account_number}"):
        assert f'href="{url}"' in page, url
        assert client.get(url).status_code == 200, url
    for role in ("AR clerk", "Sales rep", "Collections agent"):
        user = make_user(role, [entity])
        client.force_login(user)
        page = client.get(f"/customers/{customer.account_number}/").content.decode()
        for url, permission in (("/credit/customers/", "credit.view_customercredit"),
                                ("/insights/predictions/", "insights.view_prediction"),
                                ("/collections/customers/", "collections.view_agingsnapshot")):
            assert (url in page) == user.has_perm(permission), (role, url)


def test_home_shows_prediction_and_credit_hold_tiles_to_those_who_may_see_them(make_user,
                                                                            entity):
    client = Client()
    client.force_login(make_user("Credit manager", [entity]))
    page = client.get("/").content.decode()
    assert "Orders on credit hold" in page
    assert 'data-testid="tile-red-invoices"' in page
    for role in ("AR clerk", "Sales rep", "Collections agent", "Sales manager"):
        user = make_user(role, [entity])
        client.force_login(user)
        page = client.get("/").content.decode()
        assert ('data-testid="tile-red-invoices"' in page) == user.has_perm(
            "insights.view_prediction"), role
        assert ("Orders on credit hold" in page) == user.has_perm("credit.view_credithold"), role
        assert ('data-testid="tile-my-leads"' in page) == user.has_perm("crm.view_lead"), role
