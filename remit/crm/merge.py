"""Merging duplicates: up to four records into a primary of the same type. The primary is
the one with the most timeline activity (else the most recently updated) unless the user
picks another; its empty fields are filled from the others in the order given; the others'
related records move to it and they are deactivated, all in the timeline."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation

from . import duplicates, leads
from .models import (
    Account,
    Contact,
    EntryKind,
    Lead,
    LeadState,
    Opportunity,
    TimelineEntry,
)

MAX_MERGED = 4  # besides the primary
FILLABLE = {Lead: leads.LEAD_FIELDS, Contact: leads.CONTACT_FIELDS,
            Account: leads.ACCOUNT_FIELDS}


def default_primary(records: list):
    """The record with the most timeline entries; on a tie the most recently updated."""
    model = type(records[0])
    counts = dict(model.objects.filter(pk__in=[r.pk for r in records])
                  .annotate(n=Count("timeline")).values_list("pk", "n"))
    return max(records, key=lambda r: (counts.get(r.pk, 0), r.updated_at, r.pk))


@transaction.atomic
def records_merge(*, records: list, actor: Actor, primary=None,
                  fill_empty: bool = True, chosen: dict | None = None):
    """Merge ``records`` (two to five of one type) into ``primary`` (default: see
    ``default_primary``). ``chosen`` maps a field to the record (or its id) whose value wins;
    a chosen empty value does not blank the primary's."""
    if not 2 <= len(records) <= MAX_MERGED + 1:
        raise InvalidInput.field("records", f"choose 2 to {MAX_MERGED + 1} records")
    model = type(records[0])
    if model not in FILLABLE or any(type(r) is not model for r in records):
        raise InvalidInput.field("records", "records of one type: leads, contacts or accounts")
    actor.require(f"crm.change_{model._meta.model_name}")
    if len({r.legal_entity_id for r in records}) != 1:
        raise InvalidInput.field("records", "records of one legal entity")
    ids = sorted({r.pk for r in records})
    if len(ids) != len(records):
        raise InvalidInput.field("records", "a record is named twice")
    if primary is not None and primary.pk not in ids:
        raise InvalidInput.field("primary", "the primary must be one of the records")
    unknown = sorted(set(chosen or {}) - set(FILLABLE[model]) - {"currency", "external_ref"}
                     ) + sorted(set(chosen or {}) & {"currency", "external_ref"})
    if unknown:
        raise InvalidInput.field(("chosen", unknown[0]), "not a field the merge can take "
                                 "(the currency goes with the estimated value)")
    locked = {r.pk: r for r in model.objects.select_for_update(of=("self",)).filter(pk__in=ids)
              .order_by("pk")}
    ordered = [locked[r.pk] for r in records]
    for record in ordered:
        if (record.merged_into_id is not None
                or (isinstance(record, Lead) and record.state != LeadState.OPEN)
                or (not isinstance(record, Lead) and not record.is_active)):
            raise RuleViolation(f"{record} is not active: it cannot be merged", code="inactive")
    keep = locked[primary.pk] if primary is not None else default_primary(ordered)
    others = [r for r in ordered if r.pk != keep.pk]
    if model is Account:
        customers = [r for r in ordered if r.customer_id is not None]
        if len(customers) > 1:
            raise RuleViolation("more than one of these accounts is a receivables customer ("
                                + ", ".join(f"{r.name}" for r in customers) + "): merge the "
                                "customers first", code="two_customers")
    filled = {}
    for name in FILLABLE[model]:
        if name in ("currency", "external_ref"):
            continue  # the currency goes with the estimated value; an import key stays
        if chosen and name in chosen:
            source = locked.get(chosen[name].pk if hasattr(chosen[name], "pk") else chosen[name])
            if source is None:
                raise InvalidInput.field(("chosen", name), "not one of the merged records")
        elif fill_empty and getattr(keep, name) in (None, ""):
            source = next((o for o in others if getattr(o, name) not in (None, "")), None)
        else:
            continue
        value = getattr(source, name) if source is not None else None
        if name == "estimated_value":  # an amount is the pair (value, currency)
            if value is not None and (value, source.currency) != (keep.estimated_value,
                                                                   keep.currency):
                keep.estimated_value, keep.currency = value, source.currency
                filled[name] = f"{value} {source.currency}"
        elif value not in (None, "") and value != getattr(keep, name):
            setattr(keep, name, value)
            filled[name] = str(value)
    if model is Account and keep.customer_id is None:
        # the receivables customer goes with the company: to the primary
        moved = next((o for o in others if o.customer_id is not None), None)
        if moved is not None:
            keep.customer_id, moved.customer_id = moved.customer_id, None
            moved.save(update_fields=["customer"])
            filled["customer"] = str(keep.customer_id)
    keep.save()
    field = model._meta.model_name
    for other in others:
        _move_related(model, other, keep)
        other.merged_into = keep
        if isinstance(other, Lead):
            other.state, other.status = LeadState.DISQUALIFIED, leads.status("canceled")
        else:
            other.is_active = False
        other.save()
        duplicates.codes_refresh(other)
        leads.timeline_add(other, EntryKind.MERGED, f"Merged into {keep}", actor=actor)
    duplicates.codes_refresh(keep)
    if model is Account:  # the contacts now under the primary are found by its name
        for contact in keep.contacts.select_related("account"):
            duplicates.codes_refresh(contact)
    leads.timeline_add(keep, EntryKind.MERGED, f"Merged {len(others)} record(s) into this one",
                       "\n".join([f"{o}" for o in others]
                                 + [f"{k}: {v}" for k, v in sorted(filled.items())]),
                       actor=actor)
    audit_record(actor=actor, action=f"crm.{field}.merge", obj=keep,
                 data={"merged": [o.pk for o in others], "filled": filled})
    return keep


def _move_related(model, source, target) -> None:
    """Timeline, opportunities, contacts and leads of a merged record move to the primary."""
    field = model._meta.model_name
    TimelineEntry.objects.filter(**{field: source}).update(**{field: target})
    if model is Lead:
        Opportunity.objects.filter(originating_lead=source).update(originating_lead=target)
    elif model is Account:
        Contact.objects.filter(account=source).update(account=target)
        Opportunity.objects.filter(account=source).update(account=target)
        Lead.objects.filter(parent_account=source).update(parent_account=target)
    else:
        Opportunity.objects.filter(contact=source).update(contact=target)
        Lead.objects.filter(parent_contact=source).update(parent_contact=target)
