"""Leads, accounts and contacts written through one door: each save is checked against the
published duplicate rules (unless the user chose to ignore the matches or link to one), its
match codes refreshed, and the change put in the timeline and the audit log. The lead's
lifecycle moves only along the transitions in the database."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.money import Money, parse_typed_amount

from . import duplicates
from .models import (
    Account,
    Contact,
    EntryKind,
    Lead,
    LeadState,
    StatusReason,
    TimelineEntry,
    Transition,
)

LEAD_FIELDS = ("topic", "first_name", "last_name", "company_name", "job_title", "email",
               "business_phone", "mobile_phone", "address_line1", "address_line2", "city",
               "postal_code", "region", "country", "website", "industry", "source",
               "estimated_value", "currency", "description", "owner", "external_ref")
CONTACT_FIELDS = ("first_name", "last_name", "job_title", "email", "business_phone",
                  "mobile_phone", "address_line1", "address_line2", "city", "postal_code",
                  "region", "country", "account", "owner")
ACCOUNT_FIELDS = ("name", "website", "email", "phone", "industry", "address_line1",
                  "address_line2", "city", "postal_code", "region", "country", "owner")


class DuplicatesFound(RuleViolation):
    """The record may already exist: the matches, for the dialog (continue linking to one, or
    ignore and save)."""

    def __init__(self, record_type: str, matches: list[duplicates.Match]):
        self.record_type, self.matches = record_type, matches
        names = ", ".join(describe_match(m) for m in matches[:3])
        super().__init__(f"the {record_type} may already exist: {names}"
                         f"{' and more' if len(matches) > 3 else ''}", code="duplicates")

    def as_dict(self) -> dict:
        body = super().as_dict()
        body["matches"] = [match_dict(m) for m in self.matches]
        return body


def match_dict(match: duplicates.Match) -> dict:
    """A match as the API gives it: what, how alike (0–100), in which band and why."""
    return {"record_type": match.record_type, "id": match.record.pk,
            "name": describe_match(match), "rule": match.rule, "score": round(match.score, 1),
            "band": match.band, "explanation": match.explanation}


def describe_match(match: duplicates.Match) -> str:
    record = match.record
    if isinstance(record, Account):
        return record.name
    who = record.full_name or record.email
    company = record.company_name if isinstance(record, Lead) else (
        record.account.name if record.account_id else "")
    return f"{who} ({company})" if company else who


def timeline_add(record, kind: str, title: str, body: str = "", *, actor: Actor,
                 attachment=None) -> TimelineEntry:
    field = {Lead: "lead", Account: "account", Contact: "contact"}.get(type(record),
                                                                        "opportunity")
    return TimelineEntry.objects.create(legal_entity_id=record.legal_entity_id,
                                        **{field: record}, kind=kind, title=title[:200],
                                        body=body, attachment=attachment or "",
                                        by=actor.user)


def note_add(*, record, title: str, body: str = "", attachment=None,
             actor: Actor) -> TimelineEntry:
    """A note (with an optional attachment) on a lead, account, contact or opportunity."""
    actor.require("crm.add_timelineentry")
    if isinstance(record, Lead) and not record.is_active:
        raise RuleViolation(f"{record} is {record.state}: reactivate it to add notes",
                            code="lead_closed")
    if not title.strip():
        raise InvalidInput.field("title", "required")
    return timeline_add(record, EntryKind.NOTE, title.strip(), body, actor=actor,
                        attachment=attachment)


ACTIVITY_TYPES = {"call": "Phone call", "meeting": "Meeting", "email": "Email",
                  "task": "Task"}


def activity_add(*, record, activity_type: str, subject: str, body: str = "",
                 due_on=None, assigned_to=None, done: bool = False,
                 actor: Actor) -> TimelineEntry:
    """A call, meeting, email or task on a lead, account, contact or opportunity: owned by
    someone (the person adding it unless another is named), due on a date, open until it is
    completed (``done`` for one logged after the fact)."""
    if activity_type not in ACTIVITY_TYPES:
        raise InvalidInput.field("activity_type", f"one of {', '.join(ACTIVITY_TYPES)}")
    if not subject.strip():
        raise InvalidInput.field("subject", "required")
    actor.require("crm.add_timelineentry")
    if isinstance(record, Lead) and not record.is_active:
        raise RuleViolation(f"the lead is {record.state}: reactivate it first",
                            code="lead_closed")
    owner = assigned_to or actor.user
    if owner is not None and not owner.has_perm("crm.add_timelineentry"):
        raise InvalidInput.field("assigned_to", f"{owner} may not work with activities")
    entry = timeline_add(record, EntryKind.ACTIVITY,
                         f"{ACTIVITY_TYPES[activity_type]}: {subject.strip()}", body,
                         actor=actor)
    entry.activity_type, entry.assigned_to, entry.due_on = activity_type, owner, due_on
    entry.done_at = timezone.now() if done else None
    entry.save(update_fields=["activity_type", "assigned_to", "due_on", "done_at"])
    return entry


def _open_activity(entry: TimelineEntry, actor: Actor, when_done: str) -> TimelineEntry:
    """The activity, locked, still open, and the actor's to change: its owner's (anyone's,
    when nobody owns it), or a colleague's with the right to change timeline entries."""
    locked = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.kind != EntryKind.ACTIVITY:
        raise InvalidInput.field("entry", "not an activity")
    actor.require("crm.add_timelineentry")
    if locked.assigned_to_id is not None and (actor.user is None
                                              or locked.assigned_to_id != actor.user.pk):
        actor.require("crm.change_timelineentry")
    if locked.done_at is not None:
        raise RuleViolation(f"'{locked.title}' {when_done}", code="activity_done")
    return locked


@transaction.atomic
def activity_update(*, entry: TimelineEntry, actor: Actor, **changes) -> TimelineEntry:
    """Reschedule or hand over an open activity (its due date, owner or subject). Its owner
    may; others need the right to change timeline entries, as for completing it."""
    locked = _open_activity(entry, actor, "is done: it is history")
    before = {"due_on": locked.due_on, "assigned_to": locked.assigned_to,
              "subject": locked.title.split(": ", 1)[-1]}
    for key, value in changes.items():
        if key == "due_on":
            locked.due_on = value
        elif key == "assigned_to":
            if value is None or not value.has_perm("crm.add_timelineentry"):
                raise InvalidInput.field("assigned_to", f"{value} may not work with activities")
            locked.assigned_to = value
        elif key == "subject":
            if not (value or "").strip():
                raise InvalidInput.field("subject", "required")
            kind = ACTIVITY_TYPES.get(locked.activity_type, "Activity")
            locked.title = f"{kind}: {value.strip()}"[:200]
        else:
            raise InvalidInput.field(key, "due_on, assigned_to or subject")
    locked.save(update_fields=["due_on", "assigned_to", "title"])
    changed = {k: str(v) for k, v in changes.items() if before[k] != v}
    if changed:
        audit_record(actor=actor, action="crm.activity.update", obj=locked, data=changed)
    return locked


@transaction.atomic
def activity_complete(*, entry: TimelineEntry, actor: Actor, outcome: str = "",
                      next_due_on=None) -> TimelineEntry:
    """Mark an open activity done, with what came of it; with ``next_due_on`` the follow-up
    (same kind, subject and owner) is planned in the same transaction. Its owner may (anyone,
    for an activity nobody owns); others need the right to change timeline entries (a
    manager tidying a colleague's list)."""
    locked = _open_activity(entry, actor, "is already done")
    locked.done_at = timezone.now()
    if outcome.strip():
        locked.body = (locked.body + "\n\n" if locked.body else "") + \
            f"Outcome: {outcome.strip()}"
    locked.save(update_fields=["done_at", "body"])
    audit_record(actor=actor, action="crm.activity.complete", obj=locked,
                 data={"outcome": outcome.strip()})
    if next_due_on is not None:
        activity_add(record=locked.lead or locked.account or locked.contact
                     or locked.opportunity, activity_type=locked.activity_type or "task",
                     subject=locked.title.split(": ", 1)[-1], due_on=next_due_on,
                     assigned_to=locked.assigned_to, actor=actor)
    return locked


def estimated_amount(loc, value, currency: str) -> Decimal:
    """An estimated value or revenue: a positive amount in the currency's decimals, below the
    largest amount remit keeps exactly on this database."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        amount = Decimal(value)
    else:  # typed on a page or sent as text: the one way remit reads a typed amount
        try:
            amount = parse_typed_amount(str(value))
        except InvalidInput as exc:
            raise InvalidInput.field(loc, exc.message) from None
    rounded = Money(amount, currency).rounded_amount() if amount.is_finite() else None
    if amount < 0 or rounded != amount:
        raise InvalidInput.field(loc, f"a positive amount in {currency}")
    if rounded >= settings.AMOUNT_LIMIT:
        raise InvalidInput.field(loc, f"less than {settings.AMOUNT_LIMIT:,} {currency}")
    return rounded


def _clean(values: dict, allowed: tuple[str, ...], legal_entity, model=None,
           currency: str = "") -> dict:
    """Checked values of a lead, contact or account: known fields, text within its column
    (None for text is empty), a country code, an email address, an estimated value in the
    record's currency (``currency``; a new record's is the legal entity's), an owner who
    works with leads."""
    out = {}
    for key, value in values.items():
        if key not in allowed:
            raise InvalidInput.field(key, "not a field here")
        column = model._meta.get_field(key) if model is not None else None
        if isinstance(column, (models.CharField, models.TextField)):
            value = "" if value is None else value
            if not isinstance(value, str):
                raise InvalidInput.field(key, "text")
            value = value.strip()
            if column.max_length and len(value) > column.max_length:
                raise InvalidInput.field(key, f"at most {column.max_length} characters")
        elif isinstance(value, str):
            value = value.strip()
        out[key] = value
    if out.get("country"):
        out["country"] = out["country"].upper()
        if len(out["country"]) != 2 or not out["country"].isalpha():
            raise InvalidInput.field("country", "a two-letter ISO code such as NO")
    if out.get("email") and not duplicates.matching.email_key(out["email"]):
        raise InvalidInput.field("email", f"{out['email']!r} is not an email address")
    if out.get("estimated_value") not in (None, ""):
        currency = out.get("currency") or currency or legal_entity.accounting_currency
        out["estimated_value"] = estimated_amount("estimated_value", out["estimated_value"],
                                                  currency)
        out["currency"] = currency
    elif "estimated_value" in out:
        out["estimated_value"] = None
    owner = out.get("owner")
    if owner is not None and not owner.has_perm("crm.view_lead"):
        raise InvalidInput.field("owner", f"{owner} may not work with leads")
    return out


def _check(record, record_type: str, *, ignore_duplicates: bool, actor: Actor,
           matching_types: tuple[str, ...] | None = None) -> None:
    """Stop the save when the record may already exist among the records ``actor`` may see
    (one outside the user's customer pools is neither shown nor a reason to stop)."""
    if ignore_duplicates:
        return
    found = duplicates.find(record.legal_entity, record_type, duplicates.party(record),
                            exclude=record if record.pk else None,
                            matching_types=matching_types,
                            scope=duplicates.scope_for(record.legal_entity, actor))
    if found:
        raise DuplicatesFound(record_type, found)


def status(code: str) -> StatusReason:
    found = StatusReason.objects.filter(code=code).first()
    if found is None:
        raise InvalidInput.field("status", f"no status reason {code!r}")
    return found


@transaction.atomic
def lead_create(*, legal_entity, actor: Actor, ignore_duplicates: bool = False,
                link_contact: Contact | None = None, link_account: Account | None = None,
                **values) -> Lead:
    """A new open lead. When it may already exist, DuplicatesFound lists the matches; the
    user then links it to an existing contact or account (``link_*``, which also stands for
    'I have seen the matches') or saves it anyway (``ignore_duplicates``)."""
    actor.require("crm.add_lead")
    values = _clean(values, LEAD_FIELDS, legal_entity, Lead)
    if not values.get("topic"):
        raise InvalidInput.field("topic", "required")
    if not (values.get("last_name") or values.get("company_name") or values.get("email")):
        raise InvalidInput.field("last_name", "give a name, a company or an email address")
    lead = Lead(legal_entity=legal_entity, status=status("new"), state=LeadState.OPEN,
                **values)
    if lead.owner is None and actor.user is not None:
        lead.owner = actor.user
    for linked, field in ((link_contact, "parent_contact"), (link_account, "parent_account")):
        if linked is not None:
            if linked.legal_entity_id != legal_entity.pk:
                raise InvalidInput.field(field, "belongs to another legal entity")
            setattr(lead, field, linked)
    if link_contact is not None and link_account is None and link_contact.account_id:
        lead.parent_account = link_contact.account
    _check(lead, "lead", ignore_duplicates=ignore_duplicates or bool(link_contact or
                                                                      link_account),
           actor=actor)
    lead.save()
    duplicates.codes_refresh(lead, new=True)
    timeline_add(lead, EntryKind.CREATED, "Lead created", actor=actor)
    audit_record(actor=actor, action="crm.lead.create", obj=lead,
                 data={"linked_contact": lead.parent_contact_id,
                       "ignored_duplicates": ignore_duplicates})
    return lead


def lead_locked(lead: Lead) -> Lead:
    """The lead, locked and read again. No joins in the locking query: PostgreSQL re-checks a
    joined row after the wait, and a status changed meanwhile would hide the lead."""
    return Lead.objects.select_for_update().get(pk=lead.pk)


@transaction.atomic
def lead_update(*, lead: Lead, actor: Actor, ignore_duplicates: bool = False,
                **values) -> Lead:
    """Change an open lead (a closed one is read-only until reactivated)."""
    actor.require("crm.change_lead")
    locked = lead_locked(lead)
    if not locked.is_active:
        raise RuleViolation(f"the lead is {locked.state}: reactivate it to edit it",
                            code="lead_closed")
    values = _clean(values, LEAD_FIELDS, locked.legal_entity, Lead, locked.currency)
    before = {k: getattr(locked, k) for k in values}
    matched_on = duplicates.party(locked)
    for key, value in values.items():
        setattr(locked, key, value)
    # asked again only when what the rules read has changed, not for a new job title
    _check(locked, "lead", ignore_duplicates=ignore_duplicates
           or duplicates.party(locked) == matched_on, actor=actor)
    locked.save()
    duplicates.codes_refresh(locked)
    record_changes(locked, "lead", before, values, actor)
    return locked


def status_move(lead: Lead, target: StatusReason, action: str, actor: Actor,
                note: str = "") -> Lead:
    """Move a locked lead along a transition of the table (refused when there is none)."""
    if not Transition.objects.filter(source=lead.status, target=target).exists():
        raise RuleViolation(f"a lead cannot go from {lead.status.label} to {target.label}",
                            code="transition")
    before = lead.status
    lead.status, lead.state = target, target.state
    lead.closed_at = None if target.state == LeadState.OPEN else timezone.now()
    lead.save(update_fields=["status", "state", "closed_at", "updated_at"])
    timeline_add(lead, EntryKind.STATUS, f"{before.label} → {target.label}", note, actor=actor)
    audit_record(actor=actor, action=f"crm.lead.{action}", obj=lead,
                 data={"from": before.code, "to": target.code, "note": note})
    return lead


@transaction.atomic
def lead_set_status(*, lead: Lead, status_code: str, actor: Actor, note: str = "") -> Lead:
    """Move an open lead between its open status reasons (new → contacted)."""
    actor.require("crm.change_lead")
    locked = lead_locked(lead)
    target = status(status_code)
    if target.state != LeadState.OPEN:
        raise InvalidInput.field("status", f"{target.label} is not an open status reason: "
                                 "qualify or disqualify the lead instead")
    return status_move(locked, target, "status", actor, note)


@transaction.atomic
def lead_disqualify(*, lead: Lead, status_code: str, actor: Actor, note: str = "") -> Lead:
    """Close a lead as lost, cannot contact, no longer interested or canceled. A lead with an
    opportunity cannot be disqualified."""
    actor.require("crm.change_lead")
    locked = lead_locked(lead)
    target = status(status_code)
    if target.state != LeadState.DISQUALIFIED:
        raise InvalidInput.field("status", f"{target.label} is not a reason to disqualify")
    if locked.opportunities.exists():
        raise RuleViolation("the lead has an opportunity: it cannot be disqualified (close "
                            "the opportunity as lost instead)", code="has_opportunity")
    return status_move(locked, target, "disqualify", actor, note)


@transaction.atomic
def lead_reactivate(*, lead: Lead, actor: Actor, note: str = "") -> Lead:
    """Open a qualified or disqualified lead again, with its notes and attachments."""
    actor.require("crm.change_lead")
    locked = lead_locked(lead)
    if locked.is_active:
        raise RuleViolation("the lead is already open", code="lead_open")
    return status_move(locked, status("new"), "reactivate", actor, note)


@transaction.atomic
def contact_create(*, legal_entity, actor: Actor, ignore_duplicates: bool = False,
                   originating_lead: Lead | None = None, **values) -> Contact:
    actor.require("crm.add_contact")
    values = _clean(values, CONTACT_FIELDS, legal_entity, Contact)
    if not (values.get("last_name") or values.get("email")):
        raise InvalidInput.field("last_name", "give a name or an email address")
    account = values.get("account")
    if account is not None and account.legal_entity_id != legal_entity.pk:
        raise InvalidInput.field("account", "belongs to another legal entity")
    return _save_new(Contact(legal_entity=legal_entity, originating_lead=originating_lead,
                             **values), "contact", ignore_duplicates, actor)


@transaction.atomic
def account_create(*, legal_entity, actor: Actor, ignore_duplicates: bool = False,
                   originating_lead: Lead | None = None, **values) -> Account:
    actor.require("crm.add_account")
    values = _clean(values, ACCOUNT_FIELDS, legal_entity, Account)
    if not values.get("name"):
        raise InvalidInput.field("name", "required")
    return _save_new(Account(legal_entity=legal_entity, originating_lead=originating_lead,
                             **values), "account", ignore_duplicates, actor)


def _save_new(record, record_type: str, ignore_duplicates: bool, actor: Actor):
    """A new contact or account: the duplicate check, its match codes, the timeline and the
    audit log."""
    _check(record, record_type, ignore_duplicates=ignore_duplicates, actor=actor)
    if record.owner is None and actor.user is not None:
        record.owner = actor.user
    record.save()
    duplicates.codes_refresh(record, new=True)
    lead = record.originating_lead
    timeline_add(record, EntryKind.CREATED, f"{record_type.capitalize()} created"
                 + (f" from lead {lead.topic}" if lead else ""), actor=actor)
    audit_record(actor=actor, action=f"crm.{record_type}.create", obj=record)
    return record


def _update(record, values: dict, fields: tuple[str, ...], record_type: str, actor: Actor,
            ignore_duplicates: bool):
    """Change an active contact or account: the same checks as creating it, then its match
    codes, the timeline (which fields changed) and the audit log."""
    model = type(record)
    locked = model.objects.select_for_update().get(pk=record.pk)
    if not locked.is_active:
        raise RuleViolation(f"{locked} is inactive: it cannot be edited", code="inactive")
    values = _clean(values, fields, locked.legal_entity, model)
    before = {k: getattr(locked, k) for k in values}
    matched_on = duplicates.party(locked)
    for key, value in values.items():
        setattr(locked, key, value)
    if model is Contact and not (locked.last_name or locked.email):
        raise InvalidInput.field("last_name", "give a name or an email address")
    if model is Account and not locked.name:
        raise InvalidInput.field("name", "required")
    _check(locked, record_type, ignore_duplicates=ignore_duplicates
           or duplicates.party(locked) == matched_on, actor=actor)
    locked.save()
    duplicates.codes_refresh(locked)
    if model is Account and before.get("name", locked.name) != locked.name:
        for contact in locked.contacts.select_related("account"):  # their company is it
            duplicates.codes_refresh(contact)
    record_changes(locked, record_type, before, values, actor)
    return locked


def record_changes(record, record_type: str, before: dict, values: dict, actor: Actor) -> None:
    """What a save changed, as 'field: before → after' in the timeline and the audit log."""
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        return

    def shown(value) -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, Decimal):
            return f"{value:,.2f}"
        if hasattr(value, "get_full_name"):
            return value.get_full_name() or value.get_username()
        return str(value)

    timeline_add(record, EntryKind.CHANGED, f"{record_type.capitalize()} changed",
                 "\n".join(f"{record._meta.get_field(k).verbose_name.capitalize()}: "
                           f"{shown(before[k])} → {shown(v)}"
                           for k, v in sorted(changed.items())), actor=actor)
    audit_record(actor=actor, action=f"crm.{record_type}.update", obj=record,
                 data={k: str(v) for k, v in changed.items()})


@transaction.atomic
def contact_update(*, contact: Contact, actor: Actor, ignore_duplicates: bool = False,
                   **values) -> Contact:
    actor.require("crm.change_contact")
    account = values.get("account")
    if account is not None and account.legal_entity_id != contact.legal_entity_id:
        raise InvalidInput.field("account", "belongs to another legal entity")
    return _update(contact, values, CONTACT_FIELDS, "contact", actor, ignore_duplicates)


@transaction.atomic
def account_update(*, account: Account, actor: Actor, ignore_duplicates: bool = False,
                   **values) -> Account:
    actor.require("crm.change_account")
    return _update(account, values, ACCOUNT_FIELDS, "account", actor, ignore_duplicates)
