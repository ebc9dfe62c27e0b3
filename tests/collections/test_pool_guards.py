"""Pools guard what an agent limited to them sees and does, and bad form input is named."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from remit.collections.pools import agent_save, pool_save
from remit.collections.services import snapshot_create
from remit.core.services import exchange_rate_set
from remit.receivables.models import CustomerGroup, CustomerTransaction
from tests.helpers import SYSTEM
from tests.receivables.conftest import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(entity):
    story = Story(entity)
    key_group = CustomerGroup.objects.create(legal_entity=entity, code="KEY", name="Key")
    today = timezone.localdate()
    key = story.customer()
    key.group = key_group
    key.save()
    story.invoice(key, "90000.00", on=today - timedelta(days=100))
    domestic = story.customer()
    story.invoice(domestic, "500.00", on=today - timedelta(days=5))
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=today - timedelta(400),
                      rate="11.5", actor=SYSTEM)
    snapshot_create(legal_entity=entity, as_of=today, actor=SYSTEM)
    return {"key": key, "domestic": domestic}


def test_an_agent_whose_pools_are_taken_away_sees_no_customers(
        entity, book, make_user):
    """visible_pools fails open: an agent (view_all_pools=False) with no pools left is treated
    like a non-agent and sees all customers."""
    keys = pool_save(legal_entity=entity, code="KEY", description="Key accounts",
                     groups=["KEY"], actor=SYSTEM)
    user = make_user("Collections agent", [entity])
    agent_save(legal_entity=entity, user=user, pools=[keys], default_pool=keys, actor=SYSTEM)
    agent_save(legal_entity=entity, user=user, pools=[], actor=SYSTEM)  # pools removed
    client = Client()
    client.force_login(user)
    page = client.get("/collections/").content.decode()
    assert book["domestic"].name not in page and book["key"].name not in page


def test_an_agent_limited_to_a_pool_cannot_open_other_customers_collections_pages(
        entity, book, make_user):
    """Spec 3.3: pools filter the Collections page too; the lists hide the customer but the
    page (and its write-off / NSF / case actions) is one URL away."""
    keys = pool_save(legal_entity=entity, code="KEY", description="Key accounts",
                     groups=["KEY"], actor=SYSTEM)
    user = make_user("Collections agent", [entity])
    agent_save(legal_entity=entity, user=user, pools=[keys], default_pool=keys, actor=SYSTEM)
    client = Client()
    client.force_login(user)
    assert book["domestic"].name not in client.get("/collections/").content.decode()
    response = client.get(f"/collections/customers/{book['domestic'].account_number}/")
    assert response.status_code in (403, 404)


def test_a_bad_or_unknown_write_off_reason_is_named(entity, make_user):
    story = Story(entity)
    customer = story.customer()
    story.invoice(customer, "100.00", on=timezone.localdate() - timedelta(days=20))
    client = Client()
    client.force_login(make_user("Collections agent", [entity]))
    url = f"/collections/customers/{customer.account_number}/write-off/"
    response = client.post(url, {"reason": "abc", "on": timezone.localdate().isoformat()},
                           follow=True)
    assert b"Give the date as YYYY-MM-DD" not in response.content  # the date was fine; the reason was not
    response = client.post(url, {"reason": "999999", "on": timezone.localdate().isoformat()},
                           follow=True)
    assert b"Written off" not in response.content, "unknown reason silently became SMALL"
    assert Decimal(0) < CustomerTransaction.objects.get(customer=customer).open_amount


def test_a_non_numeric_case_category_is_a_clear_error(entity, make_user):
    story = Story(entity)
    customer = story.customer()
    client = Client(raise_request_exception=False)
    client.force_login(make_user("Collections agent", [entity]))
    response = client.post(f"/collections/customers/{customer.account_number}/cases/",
                           {"category": "abc", "description": "x"})
    assert response.status_code == 302, response.status_code
