"""Customer credit records, credit groups and insurance: the use cases behind the customer
credit page. The limit itself changes by hand only when the parameters allow it; otherwise
through a posted adjustment (adjustments.py)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.money import D, amount_in_range, is_currency
from remit.receivables.models import Customer
from remit.receivables.services.customers import customers_lock

from .models import CreditGroup, CustomerCredit, Insurance, InsuranceKind
from .setup import credit_for, credit_setup_default, parameters_for  # noqa: F401

# what manual editing off protects: the limit, its expiry, and the flags that replace a limit
LIMIT_FIELDS = ("credit_limit", "limit_expires", "unlimited", "mandatory")
ATTRIBUTE_FIELDS = ("exclude", "ignore_until", "management_group",
                    "account_status", "status_reason", "last_review", "next_review",
                    "business_started", "eligible_limit", "annual_revenue", "with_agency",
                    "title_held", "notes")


@transaction.atomic
def customer_credit_update(*, customer: Customer, on: date, actor: Actor,
                           **changes) -> CustomerCredit:
    """Change credit attributes; the limit and its expiry only when manual editing is allowed
    (and by someone allowed to)."""
    actor.require("credit.change_customercredit")
    unknown = set(changes) - set(LIMIT_FIELDS) - set(ATTRIBUTE_FIELDS)
    if unknown:
        raise InvalidInput.field(sorted(unknown)[0], "cannot be changed here")
    customers_lock([customer.pk])
    credit = CustomerCredit.objects.select_for_update().get(pk=credit_for(customer).pk)
    for key in ("credit_limit", "annual_revenue", "eligible_limit"):
        if changes.get(key) is not None:
            changes[key] = amount_in_range(key, changes[key])
    if "credit_limit" in changes and changes["credit_limit"] < 0:
        raise InvalidInput.field("credit_limit", "cannot be negative")
    limit_changes = {k: v for k, v in changes.items() if k in LIMIT_FIELDS
                     and getattr(credit, k) != v}
    if limit_changes:
        if not parameters_for(customer.legal_entity).allow_manual_limit_edit:
            raise RuleViolation("credit limits change only through posted adjustments here "
                                "(manual editing is off in the credit parameters)",
                                code="manual_limit_edit_off")
        actor.require("credit.change_credit_limit")
    for key in ("management_group", "account_status", "status_reason"):
        value = changes.get(key)
        if value is not None and value.legal_entity_id != customer.legal_entity_id:
            raise InvalidInput.field(key, f"{value} is not of this legal entity")
    before = {k: str(getattr(credit, k)) for k in changes}
    for key, value in changes.items():
        setattr(credit, key, value.strip() if isinstance(value, str) else value)
    if "credit_limit" in limit_changes:
        credit.limit_date = on
    credit.save()
    audit_record(actor=actor, action="credit.customer.update", obj=customer,
                 data={k: [before[k], str(getattr(credit, k))] for k in changes})
    return credit


@transaction.atomic
def credit_group_create(*, code: str, description: str, currency: str, credit_limit,
                        limit_expires: date, actor: Actor) -> CreditGroup:
    actor.require("credit.add_creditgroup")
    if not code.strip():
        raise InvalidInput.field("code", "required")
    if not is_currency(currency):
        raise InvalidInput.field("currency", f"{currency!r} is not an ISO 4217 code")
    if CreditGroup.objects.filter(code=code.strip()).exists():
        raise InvalidInput.field("code", f"{code} exists")
    limit = amount_in_range("credit_limit", credit_limit)
    if limit < 0:
        raise InvalidInput.field("credit_limit", "cannot be negative")
    group = CreditGroup.objects.create(code=code.strip(), description=description.strip(),
                                       currency=currency, credit_limit=limit,
                                       limit_expires=limit_expires)
    audit_record(actor=actor, action="credit.group.create", obj=group,
                 data={"limit": limit, "currency": currency})
    return group


@transaction.atomic
def credit_group_add(*, group: CreditGroup, customer: Customer, actor: Actor,
                     same_account_everywhere: bool = False) -> list[CustomerCredit]:
    """Add a customer (and, if asked, the customers with the same account number in every
    legal entity) to a group. A customer belongs to one group at most; joining sets its limit
    expiry to the group's."""
    actor.require("credit.change_creditgroup")
    customers = ([customer] if not same_account_everywhere else
                 list(Customer.objects.filter(account_number=customer.account_number)))
    customers_lock([c.pk for c in customers])
    added = []
    for member in customers:
        credit = CustomerCredit.objects.select_for_update().get(pk=credit_for(member).pk)
        if credit.credit_group_id not in (None, group.pk):
            raise RuleViolation(f"{member} is already in credit group "
                                f"{credit.credit_group.code}", code="already_in_group")
        credit.credit_group, credit.limit_expires = group, group.limit_expires
        credit.save(update_fields=["credit_group", "limit_expires"])
        added.append(credit)
        audit_record(actor=actor, action="credit.group.add", obj=member,
                     data={"group": group.code})
    return added


@transaction.atomic
def credit_group_remove(*, customer: Customer, actor: Actor) -> CustomerCredit:
    actor.require("credit.change_creditgroup")
    customers_lock([customer.pk])
    credit = CustomerCredit.objects.select_for_update().get(pk=credit_for(customer).pk)
    group = credit.credit_group
    credit.credit_group = None
    credit.save(update_fields=["credit_group"])
    audit_record(actor=actor, action="credit.group.remove", obj=customer,
                 data={"group": group.code if group else None})
    return credit


@transaction.atomic
def insurance_add(*, customer: Customer, kind: str, insurer: str, effective: date,
                  expires: date, value, currency: str, update_percent,
                  included_in_exposure: bool = False, insurance_type: str = "",
                  coverage_type: str = "", policy_number: str = "", actor: Actor) -> Insurance:
    actor.require("credit.add_insurance")
    if kind not in InsuranceKind.values:
        raise InvalidInput.field("kind", "insurance or guarantee")
    if kind == InsuranceKind.GUARANTEE and coverage_type.strip():
        raise InvalidInput.field("coverage_type", "guarantees have no policy coverage type")
    if not insurer.strip():
        raise InvalidInput.field("insurer", "name the insurer or guarantor")
    if expires < effective:
        raise InvalidInput.field("expires", "cannot be before the effective date")
    value, percent = amount_in_range("value", value), D(update_percent)
    if value <= 0:
        raise InvalidInput.field("value", "must be greater than zero")
    if not 0 <= percent <= 100:
        raise InvalidInput.field("update_percent", "between 0 and 100")
    if not is_currency(currency):
        raise InvalidInput.field("currency", f"{currency!r} is not an ISO 4217 code")
    record = Insurance.objects.create(
        customer_credit=credit_for(customer), kind=kind, insurer=insurer.strip()[:150],
        effective=effective, expires=expires, value=value, currency=currency,
        update_percent=percent, included_in_exposure=included_in_exposure,
        insurance_type=insurance_type.strip()[:60], coverage_type=coverage_type.strip()[:60],
        policy_number=policy_number.strip()[:60])
    audit_record(actor=actor, action="credit.insurance.add", obj=customer,
                 data={"kind": kind, "value": value, "currency": currency,
                       "percent": percent, "included": included_in_exposure})
    return record
