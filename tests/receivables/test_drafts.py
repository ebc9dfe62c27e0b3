"""Drafts (issue 18): a failed "Post invoice" saved a draft anyway, and no draft could ever be
discarded. Now a post that fails leaves nothing behind — no draft, no half-applied edit — on
the page and the API alike, and a draft is discarded from its page or with DELETE; a posted
invoice cannot be."""

import json
from decimal import Decimal

import pytest

from remit.core.models import AuditLog
from remit.ledger.models import JournalEntry
from remit.receivables.models import Invoice, InvoiceStatus
from remit.receivables.services import LineSpec, invoice_create
from tests.helpers import SYSTEM, api_caller
from tests.receivables.conftest import DAY0

pytestmark = pytest.mark.django_db


def _form(story, **lines):
    data = {"invoice_date": DAY0.isoformat(), "post": "1"}
    for i, (price, quantity) in enumerate(lines.values()):
        data |= {f"description_{i}": f"line {i}", f"unit_price_{i}": price,
                 f"quantity_{i}": quantity, f"tax_{i}": str(story.zero_tax.pk)}
    return data


def test_a_new_invoice_whose_post_fails_leaves_no_draft(story, clerk_client):
    customer = story.customer()
    page = clerk_client.post(f"/customers/{customer.account_number}/invoice/",
                             _form(story, a=("-100", "1"))).content.decode()
    assert "the total must be greater than zero" in page
    assert not Invoice.objects.exists() and not JournalEntry.objects.exists()


def test_an_edited_draft_whose_post_fails_keeps_its_old_lines(story, clerk_client):
    customer = story.customer()
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM,
                           lines=[LineSpec("kept", Decimal("10"), tax_code=story.zero_tax)])
    page = clerk_client.post(f"/invoices/{draft.pk}/edit/",
                             _form(story, a=("50", "1"), b=("-80", "1"))).content.decode()
    assert "the total must be greater than zero" in page
    assert "-80" in page  # what was typed is shown again to correct
    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.DRAFT and draft.total_amount == Decimal("10")
    assert [line.description for line in draft.lines.all()] == ["kept"]


def test_a_draft_is_discarded_from_its_page_and_a_posted_invoice_is_not(story, clerk_client):
    customer = story.customer()
    draft = invoice_create(customer=customer, invoice_date=DAY0, actor=SYSTEM,
                           lines=[LineSpec("x", Decimal("10"), tax_code=story.zero_tax)])
    page = clerk_client.get(f"/invoices/{draft.pk}/").content.decode()
    assert 'data-testid="discard-draft"' in page
    response = clerk_client.post(f"/invoices/{draft.pk}/delete/", follow=True)
    assert "discarded" in response.content.decode()
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    entry = AuditLog.objects.get(action="receivables.invoice.delete")
    assert entry.data["customer"] == customer.account_number
    posted = story.invoice(customer, "100.00").invoice
    page = clerk_client.get(f"/invoices/{posted.pk}/").content.decode()
    assert 'data-testid="discard-draft"' not in page
    response = clerk_client.post(f"/invoices/{posted.pk}/delete/", follow=True)
    assert "credit or correct it instead" in response.content.decode()
    assert Invoice.objects.filter(pk=posted.pk, status=InvoiceStatus.POSTED).exists()


@pytest.fixture
def api(clerk):
    return api_caller(clerk, "/api/receivables")


def test_the_api_posts_all_or_nothing_and_discards_drafts(story, api):
    customer = story.customer()
    status, body = api("POST", "/invoices", {
        "customer": customer.account_number, "invoice_date": DAY0.isoformat(), "post": True,
        "lines": [{"description": "refund", "unit_price": "-100", "tax_code": "Z"}]})
    assert status == 422 and "total must be greater than zero" in json.dumps(body)
    assert not Invoice.objects.exists()
    status, draft = api("POST", "/invoices", {
        "customer": customer.account_number, "invoice_date": DAY0.isoformat(),
        "lines": [{"description": "x", "unit_price": "100", "tax_code": "Z"}]})
    assert status == 201 and draft["status"] == "draft"
    assert api("DELETE", f"/invoices/{draft['id']}") == (204, None)
    assert api("DELETE", f"/invoices/{draft['id']}")[0] == 404
    posted = story.invoice(customer, "100.00").invoice
    status, body = api("DELETE", f"/invoices/{posted.pk}")
    assert status == 409 and "credit or correct it instead" in json.dumps(body)
