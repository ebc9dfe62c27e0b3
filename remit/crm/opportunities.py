"""Closing opportunities, and lead to cash: a won opportunity's account becomes a receivables
customer — one click on the account, or at once when the settings say so — carrying its name,
contacts and address."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.receivables.models import CustomerGroup
from remit.receivables.services import customer_create
from remit.receivables.services.customers import AddressSpec, ContactSpec

from . import leads
from .models import Account, Contact, EntryKind, Opportunity, OpportunityStatus, Stage

OPPORTUNITY_FIELDS = ("topic", "estimated_revenue", "close_date", "stage", "account", "contact",
                      "owner")


def _values(legal_entity, values: dict, currency: str = "") -> dict:
    """An opportunity's fields checked: a topic, a positive revenue in the currency's decimals,
    an open stage, and an account and contact of the same legal entity."""
    out = {}
    for key, value in values.items():
        if key not in OPPORTUNITY_FIELDS:
            raise InvalidInput.field(key, "not a field of an opportunity")
        out[key] = value.strip() if isinstance(value, str) else value
    if "topic" in out:
        if not out["topic"]:
            raise InvalidInput.field("topic", "required")
        if len(out["topic"]) > Opportunity._meta.get_field("topic").max_length:
            raise InvalidInput.field("topic", "at most 200 characters")
    if out.get("estimated_revenue") not in (None, ""):
        out["estimated_revenue"] = leads.estimated_amount(
            "estimated_revenue", out["estimated_revenue"],
            currency or legal_entity.accounting_currency)
    elif "estimated_revenue" in out:
        out["estimated_revenue"] = None
    if "stage" in out and out["stage"] not in (Stage.QUALIFY, Stage.DEVELOP, Stage.PROPOSE):
        raise InvalidInput.field("stage", "qualify, develop or propose (close it to end it)")
    for key, model in (("account", Account), ("contact", Contact)):
        linked = out.get(key)
        if linked is not None and (not isinstance(linked, model)
                                   or linked.legal_entity_id != legal_entity.pk):
            raise InvalidInput.field(key, f"not a {key} of {legal_entity.code}")
    return out


@transaction.atomic
def opportunity_create(*, legal_entity, actor: Actor, **values) -> Opportunity:
    """An opportunity made by hand (not from a lead), e.g. more business with an account."""
    actor.require("crm.add_opportunity")
    values = _values(legal_entity, values)
    if not values.get("topic"):
        raise InvalidInput.field("topic", "required")
    if values.get("account") is None and values.get("contact") is not None:
        values["account"] = values["contact"].account
    made = Opportunity.objects.create(legal_entity=legal_entity,
                                      currency=legal_entity.accounting_currency,
                                      owner=values.pop("owner", None) or actor.user, **values)
    leads.timeline_add(made, EntryKind.CREATED, "Opportunity created", actor=actor)
    audit_record(actor=actor, action="crm.opportunity.create", obj=made)
    return made


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, actor: Actor, **values) -> Opportunity:
    """Change an open opportunity: its topic, revenue, close date, stage, account or contact.
    A closed one is history and stays as it was."""
    actor.require("crm.change_opportunity")
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)  # no joins
    if locked.status != OpportunityStatus.OPEN:
        raise RuleViolation(f"{locked} is {locked.status}: a closed opportunity is not changed",
                            code="closed")
    values = _values(locked.legal_entity, values, locked.currency)
    before = {k: getattr(locked, k) for k in values}
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save()
    leads.record_changes(locked, "opportunity", before, values, actor)
    return locked


@transaction.atomic
def opportunity_close(*, opportunity: Opportunity, won: bool, on: date, actor: Actor,
                      note: str = "", group: CustomerGroup | None = None) -> Opportunity:
    """Close an open opportunity as won or lost; a win makes its account a customer when the
    legal entity's settings say so."""
    from .qualify import settings_for

    actor.require("crm.change_opportunity")
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)  # no joins
    if locked.status != OpportunityStatus.OPEN:
        raise RuleViolation(f"{locked} is already {locked.status}", code="closed")
    locked.status = OpportunityStatus.WON if won else OpportunityStatus.LOST
    locked.stage, locked.closed_on = Stage.CLOSE, on
    locked.save(update_fields=["status", "stage", "closed_on", "updated_at"])
    leads.timeline_add(locked, EntryKind.WON, f"{'Won' if won else 'Lost'} on {on}", note,
                       actor=actor)
    audit_record(actor=actor, action=f"crm.opportunity.{locked.status}", obj=locked,
                 data={"on": on.isoformat(), "note": note})
    if won and locked.account is not None and locked.account.customer_id is None \
            and settings_for(locked.legal_entity).customer_on_won:
        # a setting of the legal entity, not the seller's own right: remit makes the customer
        account_make_customer(account=locked.account, group=group,
                              actor=Actor.system(f"lead to cash ({actor.name})"))
    return locked


def _group(account: Account, group: CustomerGroup | None) -> CustomerGroup:
    if group is not None:
        if group.legal_entity_id != account.legal_entity_id:
            raise InvalidInput.field("group", f"{group.code} belongs to another legal entity")
        return group
    found = (CustomerGroup.objects.filter(legal_entity_id=account.legal_entity_id)
             .order_by("code").first())
    if found is None:
        raise RuleViolation("the legal entity has no customer group yet", code="no_group")
    return found


@transaction.atomic
def account_make_customer(*, account: Account, actor: Actor,
                          group: CustomerGroup | None = None):
    """The account as a receivables customer (once): its name, its active contacts (the
    first as primary) and its address. Creating a customer is the right it needs."""
    actor.require("receivables.add_customer")
    locked = Account.objects.select_for_update(of=("self",)).get(pk=account.pk)
    if locked.customer_id is not None:
        raise RuleViolation(f"{locked} is already customer {locked.customer.account_number}",
                            code="already_customer")
    contacts = [ContactSpec(name=c.full_name or c.email, email=c.email,
                            phone=c.business_phone or c.mobile_phone, job_title=c.job_title,
                            is_primary=i == 0)
                for i, c in enumerate(locked.contacts.filter(is_active=True).order_by("pk"))]
    street = ", ".join(x for x in (locked.address_line1, locked.address_line2) if x)
    addresses = ([AddressSpec(street=street, city=locked.city, country=locked.country,
                              postal_code=locked.postal_code)]
                 if street and locked.city and locked.country else [])
    customer = customer_create(
        legal_entity=locked.legal_entity, account_number=f"CRM{locked.pk:06d}",
        name=locked.name, group=_group(locked, group), contacts=contacts,
        addresses=addresses, salesperson=locked.owner, actor=actor)
    locked.customer = customer
    locked.save(update_fields=["customer", "updated_at"])
    leads.timeline_add(locked, EntryKind.STATUS, f"Became customer {customer.account_number}",
                       actor=actor)
    return customer
