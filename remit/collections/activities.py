"""The collections work log: activities (calls, emails, tasks, appointments) an agent plans and
closes, and cases that group a customer's transactions and the activities spent on them until
they are resolved. Every change is in the audit log; nothing here moves money."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.core.sequences import sequence_create, sequence_next_by_code
from remit.receivables.models import Customer, CustomerTransaction

from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    CaseCategory,
    CaseStatus,
    CollectionsCase,
)

CASE_SEQUENCE = "collections_case"
DEFAULT_CASE_CATEGORIES = [("PAYPLAN", "Payment plan"), ("DISPUTE", "Disputed invoices"),
                           ("LEGAL", "Legal action / debt collection agency")]


def cases_setup_default(*, legal_entity: LegalEntity) -> None:
    sequence_create(legal_entity=legal_entity, code=CASE_SEQUENCE, name="Collections cases",
                    prefix="CASE-")
    for code, name in DEFAULT_CASE_CATEGORIES:
        CaseCategory.objects.get_or_create(legal_entity=legal_entity, code=code,
                                           defaults={"name": name})


def _owner(legal_entity: LegalEntity, owner):
    if owner is None:
        return None
    profile = getattr(owner, "remit_profile", None)
    if not owner.is_active or profile is None or not (
            profile.all_legal_entities or profile.legal_entities.filter(
                pk=legal_entity.pk).exists()):
        raise InvalidInput.field("owner", f"{owner} cannot work in {legal_entity.code}")
    return owner


def _transactions(customer: Customer, items: Sequence[CustomerTransaction]):
    items = list(items)
    if any(item.customer_id != customer.pk for item in items):
        raise InvalidInput.field("transactions", f"only {customer}'s transactions")
    return items


@transaction.atomic
def activity_create(*, customer: Customer, kind: str, purpose: str, due_on: date, actor: Actor,
                    owner=None, notes: str = "", case: CollectionsCase | None = None) -> Activity:
    """Plan an activity; without an owner it is the creator's."""
    actor.require("collections.add_activity")
    if kind not in ActivityKind.values:
        raise InvalidInput.field("kind", f"choose one of {', '.join(ActivityKind.values)}")
    if not purpose.strip():
        raise InvalidInput.field("purpose", "say what the activity is for")
    if not isinstance(due_on, date):
        raise InvalidInput.field("due_on", "a date is required")
    if case is not None and case.customer_id != customer.pk:
        raise InvalidInput.field("case", f"{case} is about another customer")
    activity = Activity.objects.create(
        legal_entity=customer.legal_entity, customer=customer, case=case, kind=kind,
        purpose=purpose.strip()[:255], notes=notes.strip(), due_on=due_on,
        owner=_owner(customer.legal_entity, owner if owner is not None else actor.user),
        created_by=actor.user)
    audit_record(actor=actor, action="collections.activity.create", obj=activity,
                 data={"customer": customer.account_number, "kind": kind, "due_on": due_on,
                       "case": case.number if case else None})
    return activity


@transaction.atomic
def activity_close(*, activity: Activity, actor: Actor, outcome: str = "",
                   status: str = ActivityStatus.DONE, on: date | None = None) -> Activity:
    actor.require("collections.change_activity")
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.status != ActivityStatus.OPEN:
        raise RuleViolation(f"the activity is already {locked.get_status_display()}",
                            code="activity_closed")
    if status not in (ActivityStatus.DONE, ActivityStatus.CANCELLED):
        raise InvalidInput.field("status", "done or cancelled")
    locked.status = status
    locked.closed_on = on or timezone.localdate()
    locked.outcome = outcome.strip()[:255]
    locked.save(update_fields=["status", "closed_on", "outcome"])
    audit_record(actor=actor, action="collections.activity.close", obj=locked,
                 data={"status": status, "outcome": locked.outcome})
    return locked


@transaction.atomic
def case_open(*, customer: Customer, category: CaseCategory, description: str, actor: Actor,
              transactions: Sequence[CustomerTransaction] = (), owner=None,
              on: date | None = None) -> CollectionsCase:
    """Open a case for a customer, with the transactions it is about."""
    actor.require("collections.add_collectionscase")
    if category.legal_entity_id != customer.legal_entity_id or \
            category.category_type != "collections":
        raise InvalidInput.field("category", f"{category.code} is not a collections case "
                                 f"category of {customer.legal_entity.code}")
    if not description.strip():
        raise InvalidInput.field("description", "say what the case is about")
    items = _transactions(customer, transactions)
    _, number = sequence_next_by_code(customer.legal_entity, CASE_SEQUENCE)
    case = CollectionsCase.objects.create(
        legal_entity=customer.legal_entity, number=number, customer=customer,
        category=category, description=description.strip()[:255],
        owner=_owner(customer.legal_entity, owner if owner is not None else actor.user),
        opened_on=on or timezone.localdate(), created_by=actor.user)
    case.transactions.set(items)
    audit_record(actor=actor, action="collections.case.open", obj=case,
                 data={"customer": customer.account_number, "category": category.code,
                       "transactions": [i.document_number for i in items]})
    return case


@transaction.atomic
def case_close(*, case: CollectionsCase, resolution: str, actor: Actor,
               on: date | None = None) -> CollectionsCase:
    """Close a case with its resolution; its open activities are cancelled with it."""
    actor.require("collections.change_collectionscase")
    locked = CollectionsCase.objects.select_for_update().get(pk=case.pk)
    if locked.status == CaseStatus.CLOSED:
        raise RuleViolation(f"{locked} is already closed", code="case_closed")
    if not resolution.strip():
        raise InvalidInput.field("resolution", "say how the case was resolved")
    on = on or timezone.localdate()
    if on < locked.opened_on:
        raise InvalidInput.field("on", f"must be on or after {locked.opened_on}")
    locked.status, locked.closed_on, locked.resolution = CaseStatus.CLOSED, on, resolution.strip()
    locked.save(update_fields=["status", "closed_on", "resolution"])
    cancelled = locked.activities.filter(status=ActivityStatus.OPEN).update(
        status=ActivityStatus.CANCELLED, closed_on=on, outcome=f"case {locked.number} closed")
    audit_record(actor=actor, action="collections.case.close", obj=locked,
                 data={"resolution": locked.resolution, "activities_cancelled": cancelled})
    return locked


def assignable_users(legal_entity: LegalEntity):
    """Who may own an activity or a case here: active users working in this legal entity."""
    users = get_user_model().objects.filter(is_active=True, remit_profile__isnull=False)
    return (users.filter(remit_profile__all_legal_entities=True)
            | users.filter(remit_profile__legal_entities=legal_entity)).distinct().order_by(
        "username")
