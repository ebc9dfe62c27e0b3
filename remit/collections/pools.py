"""Customer pools (saved customer queries) and the collections agents who work them.

A pool is evaluated in the database, never customer by customer: its criteria become one
queryset of customers, used as a subquery by the lists, the Collections page and pool
snapshots. Agents see the pools assigned to them (or all, when allowed); users who are not
agents see every customer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput
from remit.core.models import LegalEntity
from remit.core.money import is_currency
from remit.core.scope import CustomerScope
from remit.receivables.models import Customer, CustomerGroup

from .models import (
    AgingPeriodDefinition,
    AgingSnapshotLine,
    CollectionsAgent,
    CollectionsTeam,
    CustomerPool,
)

DEFAULT_TEAM = ("COLLECTIONS", "Collections")


def pool_customers(pool: CustomerPool, as_of: date) -> QuerySet[Customer]:
    """The customers in the pool as of a date (one queryset, no rows fetched)."""
    customers = Customer.objects.filter(legal_entity_id=pool.legal_entity_id)
    if pool.groups:
        customers = customers.filter(group__code__in=pool.groups)
    if pool.currencies:
        customers = customers.filter(currency__in=pool.currencies)
    if pool.countries:
        customers = customers.filter(addresses__country__in=pool.countries).distinct()
    if pool.min_total_due is not None or pool.min_days_overdue is not None:
        lines = AgingSnapshotLine.objects.filter(
            customer_id=OuterRef("pk"), snapshot__is_current=True, snapshot__pool__isnull=True,
            snapshot__definition__legal_entity_id=pool.legal_entity_id,
            snapshot__definition__is_default=True)
        if pool.min_total_due is not None:
            lines = lines.filter(total_due__gte=pool.min_total_due)
        if pool.min_days_overdue is not None:
            lines = lines.filter(oldest_due__lte=as_of - timedelta(days=pool.min_days_overdue))
        customers = customers.filter(Exists(lines))
    return customers


@transaction.atomic
def pool_save(*, legal_entity: LegalEntity, code: str, description: str, actor: Actor,
              groups: Sequence[str] = (), currencies: Sequence[str] = (),
              countries: Sequence[str] = (), min_total_due=None, min_days_overdue=None,
              aging_definition: AgingPeriodDefinition | None = None) -> CustomerPool:
    """Create or change a pool; every criterion is checked against what exists."""
    actor.require("collections.add_customerpool")
    if not code.strip() or not description.strip():
        raise InvalidInput.field("code" if not code.strip() else "description", "required")
    known = set(CustomerGroup.objects.filter(legal_entity=legal_entity)
                .values_list("code", flat=True))
    for group in groups:
        if group not in known:
            raise InvalidInput.field("groups", f"no customer group {group!r}")
    currencies = [c.strip().upper() for c in currencies]
    countries = [c.strip().upper() for c in countries]
    for currency in currencies:
        if not is_currency(currency):
            raise InvalidInput.field("currencies", f"{currency!r} is not an ISO 4217 code")
    if any(len(c) != 2 or not c.isalpha() for c in countries):
        raise InvalidInput.field("countries", "two-letter country codes")
    if min_total_due is not None and min_total_due < 0:
        raise InvalidInput.field("min_total_due", "zero or more")
    if aging_definition is not None and aging_definition.legal_entity_id != legal_entity.pk:
        raise InvalidInput.field("aging_definition", "belongs to another legal entity")
    pool, created = CustomerPool.objects.update_or_create(
        legal_entity=legal_entity, code=code.strip(), defaults={
            "description": description.strip(), "groups": list(groups),
            "currencies": currencies, "countries": countries, "min_total_due": min_total_due,
            "min_days_overdue": min_days_overdue, "aging_definition": aging_definition})
    audit_record(actor=actor, action="collections.pool.save", obj=pool,
                 data={"created": created, "groups": pool.groups,
                       "currencies": pool.currencies, "countries": pool.countries,
                       "min_total_due": min_total_due, "min_days_overdue": min_days_overdue})
    return pool


@transaction.atomic
def agent_save(*, legal_entity: LegalEntity, user, actor: Actor,
               pools: Sequence[CustomerPool] = (), default_pool: CustomerPool | None = None,
               view_all_pools: bool = False,
               team: CollectionsTeam | None = None) -> CollectionsAgent:
    """Make a user a collections agent (or change one). Without a team the agent joins the
    legal entity's first team, created as 'Collections' for the first agent."""
    actor.require("collections.add_collectionsagent")
    if any(p.legal_entity_id != legal_entity.pk for p in pools):
        raise InvalidInput.field("pools", "pools of another legal entity")
    if default_pool is not None and default_pool not in pools:
        raise InvalidInput.field("default_pool", "must be one of the agent's pools")
    if team is None:
        team = CollectionsTeam.objects.filter(legal_entity=legal_entity).order_by("pk").first()
        if team is None:
            team = CollectionsTeam.objects.create(legal_entity=legal_entity,
                                                  code=DEFAULT_TEAM[0], name=DEFAULT_TEAM[1])
    elif team.legal_entity_id != legal_entity.pk:
        raise InvalidInput.field("team", "belongs to another legal entity")
    agent, created = CollectionsAgent.objects.update_or_create(
        legal_entity=legal_entity, user=user, defaults={
            "team": team, "default_pool": default_pool, "view_all_pools": view_all_pools})
    agent.pools.set(pools)
    audit_record(actor=actor, action="collections.agent.save", obj=agent,
                 data={"user": user.username, "team": team.code, "created": created,
                       "pools": [p.code for p in pools], "view_all_pools": view_all_pools})
    return agent


def visible_pools(legal_entity: LegalEntity, user) -> tuple[list[CustomerPool], bool]:
    """The pools this user may filter by, and whether they may also see every customer
    (users who are not agents, and agents allowed all pools)."""
    agent = (CollectionsAgent.objects.filter(legal_entity=legal_entity, user=user)
             .prefetch_related("pools").first())
    everything = list(CustomerPool.objects.filter(legal_entity=legal_entity))
    if agent is None or agent.view_all_pools:
        return everything, True
    return list(agent.pools.all()), False  # none assigned: no customers (fails closed)


def chosen_pool(request) -> CustomerPool | None:
    """The pool a list is filtered by: the one asked for when the user may see it; for an
    agent limited to their pools, else their default pool (or their first)."""
    pools, see_all = visible_pools(request.legal_entity, request.user)
    code = request.GET.get("pool")
    by_code = {p.code: p for p in pools}
    if code in by_code:
        return by_code[code]
    if see_all:
        return None
    if not pools:
        return None
    agent = CollectionsAgent.objects.filter(legal_entity=request.legal_entity,
                                            user=request.user).first()
    default = agent.default_pool if agent else None
    return default if default in pools else pools[0]


def list_filter(request, pool: CustomerPool | None, as_of: date,
                field: str = "customer") -> Q:
    """What a collections list shows: the chosen pool's customers; everyone for users who may
    see all; nobody for an agent limited to pools who has none."""
    if pool is not None:
        return customer_filter(pool, as_of, field)
    _, see_all = visible_pools(request.legal_entity, request.user)
    return Q() if see_all else Q(**{f"{field}__in": []})


def pools_rule(legal_entity: LegalEntity, user, as_of: date) -> Q | None:
    """The pools' answer to core.scope's question (registered in apps.py): an agent limited
    to pools sees the customers of their pools together, nobody without one; everyone else
    is not limited (None)."""
    pools, see_all = visible_pools(legal_entity, user)
    if see_all:
        return None
    limit = Q(pk__in=[])
    for pool in pools:
        limit |= Q(pk__in=pool_customers(pool, as_of).values("pk"))
    return limit


def visible_filter(legal_entity: LegalEntity, user, as_of: date,
                   field: str = "customer") -> Q:
    """Every customer this user may see, for figures that are not a list with a pool select
    (the home page's tiles): the scope's rule."""
    return CustomerScope(legal_entity, user, as_of).q(field)


def may_see(request, customer: Customer, as_of: date) -> bool:
    """Whether this user may open this customer's records (the scope's rule)."""
    return CustomerScope(request.legal_entity, request.user, as_of).allows(customer.pk)


def customer_filter(pool: CustomerPool | None, as_of: date, field: str = "customer") -> Q:
    """A Q limiting rows with a customer foreign key to the pool (everything without one)."""
    if pool is None:
        return Q()
    return Q(**{f"{field}__in": pool_customers(pool, as_of).values("pk")})


def pool_context(request, pool: CustomerPool | None) -> dict:
    """What a list template needs for its pool filter (templates/_pool_select.html)."""
    pools, see_all = visible_pools(request.legal_entity, request.user)
    return {"pools": pools, "pool": pool, "see_all": see_all}


def assigned(customer: Customer, candidates):
    """The setup (interest code, letter sequence) that applies to a customer: the first that
    lists its group, else the default one."""
    group = customer.group.code if customer.group_id else ""
    for candidate in candidates:
        if group in candidate.customer_groups:
            return candidate
    return next((c for c in candidates if c.is_default), None)
