"""Which of a legal entity's customers a user may see and act on: one rule, asked by every
selector, page and API operation that reads or changes a customer's records.

Why here and why a registry: the rule's answer comes from collections (an agent limited to
customer pools sees only their pools' customers), but the question is asked by receivables,
credit, sales, insights and CRM, which collections itself depends on. So core holds the
question (``CustomerScope``) and collections registers the answer when its app loads
(``customer_rule_register``); nothing below collections imports collections.

A scope limits rows by customer id with a subquery, never a list of ids fetched first, so a
pool of a hundred thousand customers costs one query, not a hundred thousand parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from .exceptions import NotFound
from .models import LegalEntity

# A rule: (legal entity, user, as of) → a Q over Customer (the customers the user may see),
# or None when the rule does not limit this user.
CustomerRule = Callable[[LegalEntity, object, date], "Q | None"]
_rules: list[CustomerRule] = []


def customer_rule_register(rule: CustomerRule) -> None:
    """Add a rule (an app's ``ready``); registering the same function twice is harmless."""
    if rule not in _rules:
        _rules.append(rule)


@dataclass(frozen=True)
class CustomerScope:
    """The customers of ``legal_entity`` that ``user`` may see (``user`` None: every one — the
    CLI, scheduled jobs and services acting for the system)."""

    legal_entity: LegalEntity
    user: object | None = None
    as_of: date = field(default_factory=timezone.localdate)

    @classmethod
    def everyone(cls, legal_entity: LegalEntity) -> CustomerScope:
        return cls(legal_entity, None)

    @cached_property
    def _limit(self) -> Q | None:
        if self.user is None:
            return None
        limits = [q for rule in _rules
                  if (q := rule(self.legal_entity, self.user, self.as_of)) is not None]
        if not limits:
            return None
        combined = limits[0]
        for q in limits[1:]:
            combined &= q
        return combined

    @property
    def limited(self) -> bool:
        return self._limit is not None

    def customers(self):
        """The customers in scope, as a queryset."""
        customer = apps.get_model("receivables", "Customer")  # by name: core imports no app
        customers = customer.objects.filter(legal_entity=self.legal_entity)
        return customers if self._limit is None else customers.filter(self._limit)

    def q(self, field: str = "customer") -> Q:
        """Limits rows of the legal entity with a foreign key to a customer (``field``) to the
        customers in scope; ``field=""`` limits customers themselves. Rows of another legal
        entity are not limited here: every selector filters by legal entity first."""
        if self._limit is None:
            return Q()
        ids = self.customers().values("pk")
        return Q(pk__in=ids) if not field else Q(**{f"{field}__in": ids})

    def allows(self, customer_id: int | None) -> bool:
        if customer_id is None:
            return True
        return self.customers().filter(pk=customer_id).exists()

    def require(self, customer, what: str = "customer") -> None:
        """Refuse a record of a customer outside the scope as if it did not exist (404): an
        agent is not told which customers there are beyond their pools."""
        customer_id = getattr(customer, "pk", customer)
        if self._limit is not None and not self.allows(customer_id):
            raise NotFound(f"No such {what} in your customer pools")


def across(user, legal_entities, field: str = "customer") -> Q:
    """For lists that span legal entities (credit holds): each row limited by the scope of the
    user in its own legal entity."""
    limit = Q(pk__in=[])
    for entity in legal_entities:
        limit |= Q(legal_entity=entity) & CustomerScope(entity, user).q(field)
    return limit


def scope_of(request) -> CustomerScope:
    """The scope of a page or API request (its user in its legal entity), made once."""
    scope = getattr(request, "_customer_scope", None)
    if scope is None or scope.legal_entity != request.legal_entity:
        scope = CustomerScope(request.legal_entity, request.user)
        request._customer_scope = scope
    return scope
