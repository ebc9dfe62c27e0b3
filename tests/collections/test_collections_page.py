"""The collections agent's pages: aged balances from the current snapshot, and one customer's
Collections page with statuses and settling of marked items."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from remit.collections.services import collection_status_set, snapshot_create
from remit.core.exceptions import InvalidInput
from remit.ledger.services import ledger_check_run
from remit.receivables.models import CollectionStatus, CustomerTransaction, WriteOffLimit
from tests.helpers import SYSTEM
from tests.receivables.conftest import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(make_user, entity):
    client = Client()
    user = make_user("Collections agent", [entity])
    WriteOffLimit.objects.create(legal_entity=entity, user=user, max_amount=Decimal("5000"))
    client.force_login(user)
    return client


@pytest.fixture
def late_customer(entity):
    story = Story(entity)
    customer = story.customer()
    today = timezone.localdate()
    story.invoice(customer, "1000.00", on=today - timedelta(days=75))
    story.invoice(customer, "500.00", on=today - timedelta(days=20))
    story.pay(customer, "300.00", today - timedelta(days=2))  # on account, not applied
    return customer


def test_aged_balances_show_the_current_snapshot_and_age_now_makes_one(agent_client, entity,
                                                                        late_customer):
    page = agent_client.get("/collections/")
    assert b"No aging snapshot yet" in page.content
    response = agent_client.post("/collections/age/", {"as_of": ""}, follow=True)
    assert b"1 customers aged" in response.content
    assert late_customer.name.encode() in response.content and b"Over 90" in response.content
    # the dot names the customer's oldest bucket (due 45 days ago), not every bucket there is
    assert 'title="Oldest amount due: 31–60"'.encode() in response.content


def test_an_agent_marks_items_disputed_and_promised(agent_client, late_customer):
    items = list(CustomerTransaction.objects.filter(customer=late_customer, kind="invoice"))
    url = f"/collections/customers/{late_customer.account_number}/"
    assert agent_client.get(url).status_code == 200
    agent_client.post(url + "status/", {"item": [items[0].pk], "status": "disputed",
                                        "note": "wrong delivery"})
    promise = (timezone.localdate() + timedelta(days=5)).isoformat()
    agent_client.post(url + "status/", {"item": [items[1].pk], "status": "promised",
                                        "promise_date": promise})
    items[0].refresh_from_db()
    items[1].refresh_from_db()
    assert items[0].collection_status == CollectionStatus.DISPUTED
    assert (items[1].collection_status, items[1].promise_date.isoformat()) == ("promised", promise)
    with pytest.raises(InvalidInput, match="when did the customer promise"):
        collection_status_set(items=[items[0]], status="promised", actor=SYSTEM)
    snapshot = snapshot_create(legal_entity=late_customer.legal_entity,
                               as_of=timezone.localdate() + timedelta(days=6), actor=SYSTEM)
    items[1].refresh_from_db()
    assert items[1].collection_status == CollectionStatus.PROMISE_BROKEN
    line = snapshot.lines.get()
    assert (line.disputed_count, line.disputed_amount) == (1, Decimal("1000.00"))


def test_settling_the_marked_payment_against_an_invoice(agent_client, late_customer):
    items = {i.kind: i for i in CustomerTransaction.objects.filter(customer=late_customer)
             .order_by("document_date")}
    oldest = CustomerTransaction.objects.filter(customer=late_customer, kind="invoice") \
        .order_by("document_date").first()
    response = agent_client.post(
        f"/collections/customers/{late_customer.account_number}/settle/",
        {"item": [items["payment"].pk, oldest.pk]}, follow=True)
    assert b"1 settlement(s) made" in response.content
    oldest.refresh_from_db()
    assert oldest.open_amount == Decimal("700.00")  # 1,000.00, 300 paid
    assert ledger_check_run(actor=SYSTEM).ok


def test_an_agent_registers_a_bounced_payment_and_writes_off_the_rest(agent_client, entity,
                                                                      late_customer):
    from remit.receivables.models import BankAccount, WriteOffReason

    BankAccount.objects.filter(legal_entity=entity).update(nsf_fee=Decimal("95.00"))
    url = f"/collections/customers/{late_customer.account_number}/"
    payment = CustomerTransaction.objects.get(customer=late_customer, kind="payment")
    page = agent_client.get(url + "?show=all").content.decode()
    assert f"/nsf/{payment.pk}/" in page and "Write off" in page
    response = agent_client.post(url + f"nsf/{payment.pk}/",
                                 {"nsf_on": timezone.localdate().isoformat(),
                                  "nsf_reason": "account closed"}, follow=True)
    assert f"{payment.document_number} bounced" in response.content.decode()
    assert b"bounced</span>" in response.content and b"fee" in response.content
    open_total = sum(i.open_amount for i in CustomerTransaction.objects.filter(
        customer=late_customer, is_open=True))
    assert open_total == Decimal("1595.00")  # both invoices, and the fee
    baddebt = WriteOffReason.objects.get(legal_entity=entity, code="BADDEBT")
    response = agent_client.post(url + "write-off/", {
        "reason": baddebt.pk, "on": timezone.localdate().isoformat(),
        "comment": "insolvent"}, follow=True)
    assert b"Written off: GJ-" in response.content and b"(BADDEBT)" in response.content
    assert not CustomerTransaction.objects.filter(customer=late_customer, is_open=True).exists()
    assert ledger_check_run(actor=SYSTEM).ok
