"""Write-off limits: a person closes a balance against bad debt only up to their own limit in
the legal entity (in the accounting currency); over it, or with no limit, the books stay as
they were and the page says so before the click."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.exceptions import AccessDenied
from remit.core.services import exchange_rate_set
from remit.ledger.models import JournalEntry
from remit.receivables.models import (
    CustomerTransaction,
    Settlement,
    WriteOffLimit,
    WriteOffReason,
)
from remit.receivables.services import customer_write_off
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, Story, books_ok

pytestmark = pytest.mark.django_db
D = Decimal
LATER = DAY0 + timedelta(90)


@pytest.fixture
def agent(make_user, entity):
    return make_user("Collections agent", [entity])


def test_an_agent_writes_off_up_to_the_limit_and_not_a_cent_more(story, entity, agent):
    customer = story.customer()
    story.invoice(customer, "150.00")
    story.pay(customer, "50.00", DAY0 + timedelta(5))  # on account: the net is 100
    entries = JournalEntry.objects.count()
    with pytest.raises(AccessDenied, match="no write-off limit"):
        customer_write_off(customer=customer, on=LATER, actor=Actor.web(agent))
    limit = WriteOffLimit.objects.create(legal_entity=entity, user=agent,
                                         max_amount=D("99.99"))
    with pytest.raises(AccessDenied, match=r"up to 99\.99 NOK; this balance is 100\.00 NOK"):
        customer_write_off(customer=customer, on=LATER, actor=Actor.web(agent))
    assert JournalEntry.objects.count() == entries and not Settlement.objects.filter(
        kind="write_off").exists()
    assert CustomerTransaction.objects.filter(customer=customer, is_open=True).count() == 2
    limit.max_amount = D("100.00")
    limit.save()
    customer_write_off(customer=customer, on=LATER, actor=Actor.web(agent))
    assert not CustomerTransaction.objects.filter(customer=customer, is_open=True).exists()
    assert books_ok()


def test_the_limit_counts_the_booked_value_in_the_accounting_currency(story, entity, agent):
    """A EUR invoice booked at 11.50 is 1,150 NOK to write off, whatever its 100 EUR says."""
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=DAY0 - timedelta(30),
                      rate=D("11.50"), actor=SYSTEM)
    customer = story.customer(currency="EUR")
    story.invoice(customer, "100.00")
    WriteOffLimit.objects.create(legal_entity=entity, user=agent, max_amount=D("1000"))
    with pytest.raises(AccessDenied, match=r"1,150\.00 NOK"):
        customer_write_off(customer=customer, on=LATER, actor=Actor.web(agent))


def test_a_limit_in_another_legal_entity_does_not_count(story, entity, other_entity, agent):
    customer = story.customer()
    story.invoice(customer, "10.00")
    WriteOffLimit.objects.create(legal_entity=other_entity, user=agent,
                                 max_amount=D("1000000"))
    with pytest.raises(AccessDenied, match="no write-off limit in"):
        customer_write_off(customer=customer, on=LATER, actor=Actor.web(agent))


def test_the_page_shows_the_reach_and_needs_a_named_reason(entity, agent):
    story = Story(entity)
    customer = story.customer()
    today = timezone.localdate()
    story.invoice(customer, "2000.00", on=today - timedelta(days=120))
    WriteOffLimit.objects.create(legal_entity=entity, user=agent, max_amount=D("1000"))
    client = Client()
    client.force_login(agent)
    url = f"/collections/customers/{customer.account_number}/"
    page = client.get(url).content.decode()
    assert "is over your write-off limit" in page and "ask a collections manager" in page
    # no button for a balance out of reach; marked items within the limit may still go
    assert "Write off all" not in page and "Write off marked items" in page
    response = client.post(url + "write-off/", {"on": today.isoformat()}, follow=True)
    assert b"choose a write-off reason" in response.content
    reason = WriteOffReason.objects.filter(legal_entity=entity).first()
    response = client.post(url + "write-off/", {"on": today.isoformat(), "reason": reason.pk},
                           follow=True)
    assert b"may write off up to 1,000.00 NOK" in response.content
    assert CustomerTransaction.objects.get(customer=customer).is_open
    WriteOffLimit.objects.filter(user=agent).update(max_amount=D("5000"))
    page = client.get(url).content.decode()
    assert "Within your write-off limit" in page and "Write off all" in page
