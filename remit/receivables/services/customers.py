"""Use cases for customers and customer groups, and where their transactions post."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from remit.core import config, reads
from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.core.money import is_currency

from ..models import (
    Address,
    Contact,
    Customer,
    CustomerGroup,
    CustomerStatus,
    PostingProfile,
    PostingProfileLine,
    ProfileScope,
)


@transaction.atomic
def customer_group_create(*, legal_entity: LegalEntity, code: str, name: str,
                          actor: Actor) -> CustomerGroup:
    actor.require("receivables.add_customergroup")
    try:
        with transaction.atomic():
            group = CustomerGroup.objects.create(legal_entity=legal_entity, code=code.strip(),
                                                 name=name.strip())
    except IntegrityError:
        raise InvalidInput.field("code", f"customer group {code} already exists") from None
    audit_record(actor=actor, action="receivables.customer_group.create", obj=group)
    return group


ACCOUNT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")


def customer_problems(account_number: str, name: str, currency: str) -> list[tuple[str, str]]:
    """What is wrong with a new customer's number, name and currency (the rule for one
    customer typed in and a file of them alike)."""
    problems = []
    if not account_number:
        problems.append(("account_number", "required"))
    elif not ACCOUNT_NUMBER.fullmatch(account_number):
        problems.append(("account_number", "use letters, digits, '.', '-' and '_' only, at "
                                           "most 20 (it appears in addresses and file names)"))
    if not name:
        problems.append(("name", "required"))
    elif len(name) > 200:
        problems.append(("name", "at most 200 characters"))
    if not is_currency(currency):
        problems.append(("currency", f"{currency!r} is not an active ISO 4217 code"))
    return problems


@dataclass(frozen=True)
class ContactSpec:
    name: str
    email: str = ""
    phone: str = ""
    job_title: str = ""
    is_primary: bool = True
    is_collections: bool = False


@dataclass(frozen=True)
class AddressSpec:
    street: str
    city: str
    country: str
    postal_code: str = ""
    purpose: str = "primary"


@transaction.atomic
def customer_create(*, legal_entity: LegalEntity, account_number: str, name: str,
                    group: CustomerGroup, currency: str | None = None,
                    customer_since: date | None = None, payment_terms=None,
                    cash_discount_terms=None, salesperson=None, language: str = "en",
                    organisation_number: str = "", contacts: Sequence[ContactSpec] = (),
                    addresses: Sequence[AddressSpec] = (), actor: Actor) -> Customer:
    actor.require("receivables.add_customer")
    currency = (currency or legal_entity.accounting_currency).strip().upper()
    account_number, name = account_number.strip(), name.strip()
    for field_name, message in customer_problems(account_number, name, currency):
        raise InvalidInput.field(field_name, message)
    if group.legal_entity_id != legal_entity.pk:
        raise InvalidInput.field("group", f"{group.code} belongs to another legal entity")
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                legal_entity=legal_entity, account_number=account_number, name=name,
                search_name=name.casefold(),
                group=group, currency=currency, customer_since=customer_since,
                status=CustomerStatus.ACTIVE,
                payment_terms=payment_terms or group.payment_terms,
                cash_discount_terms=cash_discount_terms or group.cash_discount_terms,
                salesperson=salesperson, language=language,
                organisation_number=organisation_number.strip(),
            )
    except IntegrityError:
        raise InvalidInput.field("account_number",
                                 f"customer {account_number} already exists") from None
    for i, spec in enumerate(contacts):
        if not spec.name.strip():
            raise InvalidInput.field(("contacts", i, "name"), "required")
        Contact.objects.create(customer=customer, name=spec.name.strip(), email=spec.email.strip(),
                               phone=spec.phone.strip(), job_title=spec.job_title.strip(),
                               is_primary=spec.is_primary, is_collections=spec.is_collections)
    for i, spec in enumerate(addresses):
        if not spec.street.strip() or not spec.city.strip():
            raise InvalidInput.field(("addresses", i, "street"), "street and city are required")
        Address.objects.create(customer=customer, purpose=spec.purpose, street=spec.street.strip(),
                               postal_code=spec.postal_code.strip(), city=spec.city.strip(),
                               country=(spec.country or legal_entity.country).upper()[:2])
    audit_record(actor=actor, action="receivables.customer.create", obj=customer)
    return customer


PRECEDENCE = (ProfileScope.CUSTOMER, ProfileScope.GROUP, ProfileScope.ALL)


def _line_for(lines, customer_id: int, group_id: int | None):
    """The rule: a line for the customer, else for its group, else for all."""
    found = {}
    for line in lines:
        if (line.scope == ProfileScope.CUSTOMER and line.customer_id == customer_id) \
                or (line.scope == ProfileScope.GROUP and line.customer_group_id == group_id) \
                or line.scope == ProfileScope.ALL:
            found.setdefault(line.scope, line)
    for scope in PRECEDENCE:
        if scope in found:
            return found[scope]
    return None


def posting_profile_line_for(customer: Customer, profile: PostingProfile | None = None):
    """The posting profile line that applies: customer line, else group, else all (one
    query)."""
    if profile is None and config.caching():
        general, own_lines = config.cached(("receivables.profile", customer.legal_entity_id),
                                           lambda: _default_profile(customer.legal_entity_id))
        found = None if customer.pk in own_lines else _line_for(general, customer.pk,
                                                                customer.group_id)
        if found is not None:
            return found
    lines = PostingProfileLine.objects.select_related("receivable_account", "write_off_account",
                                                      "profile")
    lines = (lines.filter(profile=profile) if profile is not None else
             lines.filter(profile__legal_entity_id=customer.legal_entity_id,
                          profile__is_default=True))
    found = _line_for(lines.filter(
        Q(scope=ProfileScope.CUSTOMER, customer_id=customer.pk)
        | Q(scope=ProfileScope.GROUP, customer_group_id=customer.group_id)
        | Q(scope=ProfileScope.ALL)), customer.pk, customer.group_id)
    if found is not None:
        return found
    _refuse_missing(customer.legal_entity_id, customer, profile is None)


def _default_profile(legal_entity_id: int) -> tuple[list, set[int]]:
    """The default profile's lines for groups and for all, and the customers with a line of
    their own (those are looked up one by one)."""
    lines = PostingProfileLine.objects.filter(profile__legal_entity_id=legal_entity_id,
                                              profile__is_default=True)
    general = list(lines.exclude(scope=ProfileScope.CUSTOMER).select_related(
        "receivable_account", "write_off_account", "profile"))
    own = set(lines.filter(scope=ProfileScope.CUSTOMER).values_list("customer_id", flat=True))
    return general, own


def _refuse_missing(legal_entity_id: int, customer, default: bool):
    if default and not PostingProfile.objects.filter(legal_entity_id=legal_entity_id,
                                                     is_default=True).exists():
        raise RuleViolation(f"{customer.legal_entity.code} has no default posting profile",
                            code="posting_profile_missing")
    raise RuleViolation(f"the posting profile has no line for {customer}",
                        code="posting_profile_incomplete")


class ProfileLines:
    """``posting_profile_line_for`` for a batch: the default profile's lines read once, the
    same precedence applied to each customer."""

    def __init__(self, legal_entity: LegalEntity):
        self.legal_entity = legal_entity
        self.lines = list(PostingProfileLine.objects.select_related(
            "receivable_account", "write_off_account", "profile").filter(
            profile__legal_entity=legal_entity, profile__is_default=True))
        self._memo: dict[tuple, object] = {}

    def line_for(self, customer: Customer):
        key = (customer.pk, customer.group_id)
        if key not in self._memo:
            found = _line_for(self.lines, customer.pk, customer.group_id)
            if found is None:
                _refuse_missing(self.legal_entity.pk, customer, True)
            self._memo[key] = found
        return self._memo[key]

    def receivable_account_for(self, customer: Customer):
        return self.line_for(customer).receivable_account


def receivable_account_for(customer: Customer, profile: PostingProfile | None = None):
    """The receivable account from the posting profile."""
    return posting_profile_line_for(customer, profile).receivable_account


def customers_lock(ids) -> None:
    """Lock customer rows, in key order. Every use case that changes a customer's open items
    takes this lock first, before items and number sequences: one lock order for all of them,
    so settling, paying, crediting and correcting cannot deadlock each other.

    The lock also observes the configuration stamp (remit.core.config). PostgreSQL evaluates
    a query's subquery as of the statement's start, so the stamp read with a lock that had to
    wait could miss a change committed during the wait. One customer is therefore tried
    without waiting (``SKIP LOCKED``) with the stamp in the same query; only when it is taken
    — or for several customers — the lock waits and the stamp is read after it."""
    ids = sorted(set(ids))
    if not ids:
        return
    reads.lock_inside_transaction()
    if not connection.features.has_select_for_update:  # SQLite: the write lock is the BEGIN
        rows = _lock_rows(ids, "stamp", "")
        config.stamp_observed(rows[0][1] if rows else None)
        return
    if len(ids) == 1:
        rows = _lock_rows(ids, "stamp", " FOR UPDATE SKIP LOCKED")
        if rows:
            config.stamp_observed(rows[0][1])
            return
    _lock_rows(ids, "", " FOR UPDATE")
    config.stamp_observed(config.stamp_read())


_lock_sql: dict[tuple, str] = {}


def _lock_rows(ids: list[int], stamp: str, lock: str) -> list[tuple]:
    """The locking read, its SQL kept per shape (compiling it through the ORM cost more
    than running it)."""
    also = f", {config.stamp_sql()}" if stamp else ""
    sql = reads.kept(_lock_sql, (len(ids), stamp, lock), len(ids), lambda: (
        f"SELECT id{also} FROM {Customer._meta.db_table} "
        f"WHERE id IN ({reads.marks(len(ids))}) ORDER BY id{lock}"))
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return cursor.fetchall()


CUSTOMER_FIELDS = ("name", "group", "status", "payment_terms", "cash_discount_terms",
                   "salesperson", "language", "organisation_number", "tax_code")


@transaction.atomic
def customer_update(*, customer: Customer, actor: Actor, **changes) -> Customer:
    """Change a customer's master data; the currency and account number stay (they are in its
    postings)."""
    actor.require("receivables.change_customer")
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise InvalidInput.field(sorted(unknown)[0], "cannot be changed here")
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    before = {k: str(getattr(locked, k)) for k in changes}
    for key, value in changes.items():
        setattr(locked, key, value.strip() if isinstance(value, str) else value)
    if not locked.name:
        raise InvalidInput.field("name", "required")
    locked.search_name = locked.name.casefold()
    if locked.status not in CustomerStatus.values:
        raise InvalidInput.field("status", f"choose one of {', '.join(CustomerStatus.values)}")
    locked.save()
    audit_record(actor=actor, action="receivables.customer.update", obj=locked,
                 data={k: [before[k], str(getattr(locked, k))] for k in changes})
    return locked


@transaction.atomic
def customers_create_bulk(*, legal_entity: LegalEntity, group: CustomerGroup,
                          rows: Sequence[tuple[str, str]], customer_since: date | None = None,
                          actor: Actor) -> int:
    """Many customers at once — (account number, name) pairs in one group and the
    accounting currency — for big migrations and benchmark data. One audit record."""
    actor.require("receivables.add_customer")
    if group.legal_entity_id != legal_entity.pk:
        raise InvalidInput.field("group", f"{group.code} belongs to another legal entity")
    numbers = [number.strip() for number, _ in rows]
    if len(set(numbers)) != len(numbers) or not all(ACCOUNT_NUMBER.fullmatch(n)
                                                    for n in numbers):
        raise InvalidInput.field("rows", "account numbers must be unique, of letters, digits, "
                                 "'.', '-' and '_'")
    taken = set(Customer.objects.filter(legal_entity=legal_entity, account_number__in=numbers)
                .values_list("account_number", flat=True)[:1])
    if taken:
        raise InvalidInput.field("rows", f"customer {taken.pop()} already exists")
    Customer.objects.bulk_create(
        [Customer(legal_entity=legal_entity, account_number=number.strip(), name=name.strip(),
                  search_name=name.strip().casefold(),
                  group=group, currency=legal_entity.accounting_currency,
                  status=CustomerStatus.ACTIVE, customer_since=customer_since,
                  payment_terms=group.payment_terms,
                  cash_discount_terms=group.cash_discount_terms)
         for number, name in rows], batch_size=5000)
    audit_record(actor=actor, action="receivables.customer.create_bulk", legal_entity=legal_entity,
                 data={"customers": len(rows), "group": group.code})
    return len(rows)
