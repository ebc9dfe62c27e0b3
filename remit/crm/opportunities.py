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
from .models import Account, EntryKind, Opportunity, OpportunityStatus, Stage


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
