"""Customer pools filter every collections list and limit snapshots; agents see their pools,
everyone else sees all customers."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from remit.collections.models import CollectionsTeam
from remit.collections.pools import agent_save, pool_customers, pool_save
from remit.collections.services import definition_for, snapshot_create
from remit.core.exceptions import InvalidInput
from remit.receivables.models import CustomerGroup
from tests.helpers import SYSTEM
from tests.receivables.conftest import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(entity):
    """Three customers: a key account long overdue, a domestic one current, a EUR one."""
    story = Story(entity)
    key_group = CustomerGroup.objects.create(legal_entity=entity, code="KEY", name="Key")
    today = timezone.localdate()
    key = story.customer()
    key.group = key_group
    key.save()
    story.invoice(key, "90000.00", on=today - timedelta(days=100))
    domestic = story.customer()
    story.invoice(domestic, "500.00", on=today - timedelta(days=5))
    from remit.core.services import exchange_rate_set

    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=today - timedelta(400),
                      rate="11.5", actor=SYSTEM)
    foreign = story.customer(currency="EUR")
    story.invoice(foreign, "100.00", on=today - timedelta(days=80))
    snapshot_create(legal_entity=entity, as_of=today, actor=SYSTEM)
    return {"key": key, "domestic": domestic, "foreign": foreign}


def test_pool_criteria_select_customers_in_the_database(entity, book):
    today = timezone.localdate()
    keys = pool_save(legal_entity=entity, code="KEY", description="Key accounts",
                     groups=["KEY"], actor=SYSTEM)
    eur = pool_save(legal_entity=entity, code="EUR", description="Euro customers",
                    currencies=["eur"], actor=SYSTEM)
    late = pool_save(legal_entity=entity, code="LATE", description="30+ days overdue",
                     min_days_overdue=30, actor=SYSTEM)
    big = pool_save(legal_entity=entity, code="BIG", description="Over 10,000",
                    min_total_due=Decimal("10000"), actor=SYSTEM)
    assert set(pool_customers(keys, today)) == {book["key"]}
    assert set(pool_customers(eur, today)) == {book["foreign"]}
    assert set(pool_customers(late, today)) == {book["key"], book["foreign"]}
    assert set(pool_customers(big, today)) == {book["key"]}
    with pytest.raises(InvalidInput) as refused:
        pool_save(legal_entity=entity, code="X", description="x", groups=["NOPE"], actor=SYSTEM)
    assert refused.value.errors[0][0] == ("groups",)


def test_a_pool_snapshot_ages_only_its_customers_and_keeps_the_full_one(entity, book):
    late = pool_save(legal_entity=entity, code="LATE", description="30+ days overdue",
                     min_days_overdue=30, actor=SYSTEM)
    snapshot = snapshot_create(legal_entity=entity, as_of=timezone.localdate(), pool=late,
                               actor=SYSTEM)
    assert snapshot.customers == 2 and snapshot.pool == late
    full = definition_for(entity).snapshots.get(is_current=True, pool__isnull=True)
    assert full.customers == 3


def test_the_first_agent_creates_the_collections_team_and_sees_only_their_pools(
        entity, book, make_user):
    keys = pool_save(legal_entity=entity, code="KEY", description="Key accounts",
                     groups=["KEY"], actor=SYSTEM)
    eur = pool_save(legal_entity=entity, code="EUR", description="Euro customers",
                    currencies=["EUR"], actor=SYSTEM)
    user = make_user("Collections agent", [entity])
    agent = agent_save(legal_entity=entity, user=user, pools=[keys], default_pool=keys,
                       actor=SYSTEM)
    assert agent.team.name == "Collections" and CollectionsTeam.objects.count() == 1
    client = Client()
    client.force_login(user)
    page = client.get("/collections/").content.decode()
    assert book["key"].name in page and book["domestic"].name not in page
    assert "All customers" not in page and "EUR · Euro customers" not in page
    # asking for a pool that is not theirs falls back to their default
    assert book["foreign"].name not in client.get("/collections/?pool=EUR").content.decode()
    manager = make_user("Collections manager", [entity])
    client.force_login(manager)
    page = client.get("/collections/").content.decode()
    assert all(c.name in page for c in book.values())  # not an agent: every customer
    page = client.get("/collections/?pool=EUR").content.decode()
    assert book["foreign"].name in page and book["key"].name not in page
    assert f'value="{eur.code}" selected' in page


def test_pools_and_agents_from_the_command_line(entity, book, make_user):
    out = StringIO()
    call_command("collections", "pool", "KEY", "Key accounts", "--entity", "NO01",
                 "--group", "KEY", stdout=out)
    make_user("Collections agent", [entity], username="kari")
    call_command("collections", "agent", "kari", "--entity", "NO01", "--pool", "KEY",
                 "--default-pool", "KEY", stdout=out)
    call_command("collections", "snapshot", "--entity", "NO01", "--pool", "KEY", stdout=out)
    from remit.collections.models import CollectionsAgent

    assert CollectionsAgent.objects.get().default_pool.code == "KEY"
