"""The rest of the CRM over the API: change leads; list, create and change accounts, contacts
and opportunities (a possible duplicate answers 409 with the matches, as for leads); merge
contacts and accounts with a per-field choice; a record's possible duplicates and detach; the
timeline with notes and activities; the activity list and completing an activity."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import F
from ninja import Field, Schema, Status

from remit.api_auth import Rule, plausible_date
from remit.api_paging import limit_query, offset_query
from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput, NotFound
from remit.core.scope import scope_of
from remit.receivables.api import Strict

from . import duplicates, leads, merge, opportunities
from .activity_views import activities, person
from .api import AccountOut, LeadOut, OpportunityOut, _get, _page, router
from .models import Account, Contact, Lead, Opportunity, OpportunityStatus, TimelineEntry
from .scope import crm_visible

RECORDS = {"lead": Lead, "account": Account, "contact": Contact, "opportunity": Opportunity}


class LeadPatch(Strict):
    topic: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    job_title: str | None = None
    email: str | None = None
    business_phone: str | None = None
    mobile_phone: str | None = None
    address_line1: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    website: str | None = None
    industry: str | None = None
    source: str | None = None
    estimated_value: Decimal | None = None
    description: str | None = None
    ignore_duplicates: bool = False


class AccountIn(Strict):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    industry: str | None = None
    address_line1: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    ignore_duplicates: bool = False


class ContactIn(Strict):
    first_name: str | None = None
    last_name: str | None = None
    account: int | None = None
    job_title: str | None = None
    email: str | None = None
    business_phone: str | None = None
    mobile_phone: str | None = None
    address_line1: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    ignore_duplicates: bool = False


class ContactOut(Schema):
    id: int
    first_name: str
    last_name: str
    account: int | None = Field(None, alias="account_id")
    job_title: str
    email: str
    business_phone: str
    mobile_phone: str
    city: str
    country: str
    is_active: bool
    merged_into: int | None = Field(None, alias="merged_into_id")


class OpportunityWrite(Strict):
    topic: str | None = None
    estimated_revenue: Decimal | None = None
    close_date: date | None = None
    stage: str | None = Field(None, description="qualify, develop or propose")
    account: int | None = None
    contact: int | None = None


class RecordMergeIn(Strict):
    records: list[int]
    primary: int | None = None
    fill_empty: bool = True
    chosen: dict[str, int] = Field(default_factory=dict,
                                   description="field → the id of the record whose value wins")


class NoteIn(Strict):
    title: str
    body: str = ""


class ActivityIn(Strict):
    activity_type: str = Field(..., description="call, meeting, email or task")
    subject: str
    body: str = ""
    due_on: date | None = None
    assigned_to: str | None = Field(None, description="username; default: you")
    done: bool = False


class CompleteIn(Strict):
    outcome: str = ""
    next_due_on: date | None = Field(None, description="Plan the next one, due then")


class ActivityPatch(Strict):
    due_on: date | None = None
    assigned_to: str | None = Field(None, description="username")
    subject: str | None = None


class EntryOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    at: datetime
    by: str | None = Field(None, alias="by.username")
    activity_type: str
    assigned_to: str | None = Field(None, alias="assigned_to.username")
    due_on: date | None
    done_at: datetime | None
    record_type: str
    record_id: int


class MatchOut(Schema):
    record_type: str
    id: int
    name: str
    rule: str
    score: float
    band: str = Field(description="duplicate (may already exist) or related (possibly related: "
                                  "a colleague, the company's account)")
    explanation: str


class DetachIn(Strict):
    other_type: str = Field(..., description="lead, account or contact")
    other_id: int


def _entry(e: TimelineEntry) -> dict:
    for name in ("lead", "account", "contact", "opportunity"):
        if getattr(e, f"{name}_id"):
            e.record_type, e.record_id = name, getattr(e, f"{name}_id")
    return e


def _changes(body: Strict, request) -> tuple[dict, bool]:
    data = body.dict(exclude_unset=True)
    ignore = data.pop("ignore_duplicates", False)
    if "account" in data:
        data["account"] = _get(Account, request, data["account"], "account")
    if "contact" in data:
        data["contact"] = _get(Contact, request, data["contact"], "contact")
    return data, ignore


@router.patch("/leads/{lead_id}", response=LeadOut, auth=Rule("crm.change_lead"))
def lead_update(request, lead_id: int, body: LeadPatch):
    """Change a lead: only the fields sent. A change of what the duplicate rules read answers 409
    with the matches unless ``ignore_duplicates``.
    """
    data, ignore = _changes(body, request)
    return leads.lead_update(lead=_get(Lead, request, lead_id, "lead"),
                             actor=Actor.api(request.user), ignore_duplicates=ignore, **data)


@router.get("/accounts", response=list[AccountOut], auth=Rule("crm.view_account"))
def account_list(request, q: str = "", active: bool = True, limit: int = limit_query(),
        offset: int = offset_query()):
    qs = (Account.objects.filter(crm_visible(Account, scope_of(request)),
                                 legal_entity=request.legal_entity).select_related("customer"))
    if active:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(name__icontains=q)
    return list(qs.order_by("name", "id")[_page(offset, limit)])


@router.post("/accounts", response={201: AccountOut}, auth=Rule("crm.add_account"))
def account_create(request, body: AccountIn):
    """A new account; a possible duplicate answers 409 with the matches (send
    ``ignore_duplicates`` to save anyway).
    """
    data, ignore = _changes(body, request)
    return Status(201, leads.account_create(legal_entity=request.legal_entity,
                                            actor=Actor.api(request.user),
                                            ignore_duplicates=ignore, **data))


@router.post("/accounts/merge", response=AccountOut, auth=Rule("crm.change_account"))
def accounts_merge(request, body: RecordMergeIn):
    """Merge two to five accounts into ``primary`` (default: the most timeline activity);
    ``chosen`` maps a field to the id of the record whose value wins; the receivables customer
    moves to the primary.
    """
    return _merge(request, Account, body)


@router.get("/accounts/{account_id}", response=AccountOut, auth=Rule("crm.view_account"))
def account_get(request, account_id: int):
    return _get(Account, request, account_id, "account")


@router.post("/accounts/{account_id}/customer", response=AccountOut,
             auth=Rule("receivables.add_customer"))
def account_customer(request, account_id: int):
    found = _get(Account, request, account_id, "account")
    opportunities.account_make_customer(account=found, actor=Actor.api(request.user))
    found.refresh_from_db()
    return found



@router.patch("/accounts/{account_id}", response=AccountOut, auth=Rule("crm.change_account"))
def account_update(request, account_id: int, body: AccountIn):
    """Change an active account: only the fields sent, checked like a new one."""
    data, ignore = _changes(body, request)
    return leads.account_update(
        account=_get(Account, request, account_id, "account"),
        actor=Actor.api(request.user), ignore_duplicates=ignore, **data)


@router.get("/contacts", response=list[ContactOut], auth=Rule("crm.view_contact"))
def contact_list(request, q: str = "", account: int | None = None, active: bool = True,
                 limit: int = limit_query(),
        offset: int = offset_query()):
    qs = Contact.objects.filter(legal_entity=request.legal_entity)
    if active:
        qs = qs.filter(is_active=True)
    if account is not None:
        qs = qs.filter(account_id=account)
    if q:
        qs = qs.filter(last_name__icontains=q) | qs.filter(email__icontains=q)
    return list(qs.order_by("last_name", "first_name", "id")[_page(offset, limit)])


@router.post("/contacts/merge", response=ContactOut, auth=Rule("crm.change_contact"))
def contacts_merge(request, body: RecordMergeIn):
    """Merge two to five contacts into ``primary``; ``chosen`` maps a field to the id of the
    record whose value wins.
    """
    return _merge(request, Contact, body)


@router.get("/contacts/{contact_id}", response=ContactOut, auth=Rule("crm.view_contact"))
def contact_get(request, contact_id: int):
    return _get(Contact, request, contact_id, "contact")


@router.post("/contacts", response={201: ContactOut}, auth=Rule("crm.add_contact"))
def contact_create(request, body: ContactIn):
    """A new contact (``account`` is an account id); a possible duplicate answers 409."""
    data, ignore = _changes(body, request)
    return Status(201, leads.contact_create(legal_entity=request.legal_entity,
                                            actor=Actor.api(request.user),
                                            ignore_duplicates=ignore, **data))


@router.patch("/contacts/{contact_id}", response=ContactOut, auth=Rule("crm.change_contact"))
def contact_update(request, contact_id: int, body: ContactIn):
    """Change an active contact: only the fields sent, checked like a new one."""
    data, ignore = _changes(body, request)
    return leads.contact_update(
        contact=_get(Contact, request, contact_id, "contact"),
        actor=Actor.api(request.user), ignore_duplicates=ignore, **data)


def _merge(request, model, body: RecordMergeIn):
    what = model._meta.model_name
    records = [_get(model, request, pk, what) for pk in body.records]
    return merge.records_merge(records=records, fill_empty=body.fill_empty,
                               primary=_get(model, request, body.primary, what),
                               chosen=body.chosen, actor=Actor.api(request.user))


@router.get("/opportunities", response=list[OpportunityOut],
            auth=Rule("crm.view_opportunity"))
def opportunity_list(request, status: str = "open", account: int | None = None,
                     limit: int = limit_query(),
        offset: int = offset_query()):
    qs = Opportunity.objects.filter(legal_entity=request.legal_entity)
    if status in OpportunityStatus.values:
        qs = qs.filter(status=status)
    if account is not None:
        qs = qs.filter(account_id=account)
    return list(qs.order_by(F("close_date").asc(nulls_last=True), "-id")
                [_page(offset, limit)])


@router.post("/opportunities", response={201: OpportunityOut},
             auth=Rule("crm.add_opportunity"))
def opportunity_create(request, body: OpportunityWrite):
    """A new opportunity (stage qualify, develop or propose); with only a contact, its account is
    taken.
    """
    data, _ = _changes(body, request)
    if data.get("close_date"):
        plausible_date("close_date", data["close_date"])
    return Status(201, opportunities.opportunity_create(
        legal_entity=request.legal_entity, actor=Actor.api(request.user), **data))


@router.patch("/opportunities/{opportunity_id}", response=OpportunityOut,
              auth=Rule("crm.change_opportunity"))
def opportunity_update(request, opportunity_id: int, body: OpportunityWrite):
    """Change an open opportunity: only the fields sent. Close it with /close."""
    data, _ = _changes(body, request)
    if data.get("close_date"):
        plausible_date("close_date", data["close_date"])
    return opportunities.opportunity_update(
        opportunity=_get(Opportunity, request, opportunity_id, "opportunity"),
        actor=Actor.api(request.user), **data)


def _record(request, record_kind: str, record_id: int):
    """The record, when the user may see records of its kind."""
    if record_kind not in RECORDS:
        raise NotFound(f"no record type {record_kind!r}: lead, account, contact or "
                       "opportunity")
    Actor.api(request.user).require(f"crm.view_{record_kind}")
    return _get(RECORDS[record_kind], request, record_id, record_kind)


@router.get("/records/{record_kind}/{record_id}/timeline", response=list[EntryOut],
            auth=Rule("crm.view_timelineentry"))
def timeline(request, record_kind: str, record_id: int, limit: int = limit_query(),
             offset: int = offset_query()):
    """A record's timeline, newest first."""
    found = _record(request, record_kind, record_id)
    entries = found.timeline.select_related("by", "assigned_to")[_page(offset, limit)]
    return [_entry(e) for e in entries]


@router.post("/records/{record_kind}/{record_id}/notes", response={201: EntryOut},
             auth=Rule("crm.add_timelineentry"))
def note_add(request, record_kind: str, record_id: int, body: NoteIn):
    """A note on a lead, account, contact or opportunity (``record_kind``)."""
    made = leads.note_add(record=_record(request, record_kind, record_id), title=body.title,
                          body=body.body, actor=Actor.api(request.user))
    return Status(201, _entry(made))


@router.post("/records/{record_kind}/{record_id}/activities", response={201: EntryOut},
             auth=Rule("crm.add_timelineentry"))
def activity_add(request, record_kind: str, record_id: int, body: ActivityIn):
    """A call, meeting, email or task on a record, owned by ``assigned_to`` (default: you), due on
    ``due_on``; ``done`` logs one already made.
    """
    found = _record(request, record_kind, record_id)
    owner = person(request.legal_entity, username=body.assigned_to) if body.assigned_to \
        else None
    if body.due_on:
        plausible_date("due_on", body.due_on)
    made = leads.activity_add(record=found, activity_type=body.activity_type,
                              subject=body.subject, body=body.body, due_on=body.due_on,
                              assigned_to=owner, done=body.done, actor=Actor.api(request.user))
    return Status(201, _entry(made))


@router.get("/activities", response=list[EntryOut], auth=Rule("crm.view_timelineentry"))
def activity_list(request, view: str = "mine", limit: int = limit_query(),
        offset: int = offset_query()):
    """view: mine (open, yours), open (everyone's) or done (yours)."""
    qs, _ = activities(request.legal_entity, view, request.user)
    return [_entry(e) for e in qs[_page(offset, limit)]]


@router.post("/activities/{timeline_entry_id}/complete", response=EntryOut,
             auth=Rule("crm.add_timelineentry"))
def activity_complete(request, timeline_entry_id: int, body: CompleteIn):
    """Done, with its outcome; with ``next_due_on`` the follow-up (same kind, subject and
    owner) is planned in the same transaction."""
    found = _get(TimelineEntry, request, timeline_entry_id, "activity")
    actor = Actor.api(request.user)
    if body.next_due_on:
        plausible_date("next_due_on", body.next_due_on)
    done = leads.activity_complete(entry=found, outcome=body.outcome,
                                   next_due_on=body.next_due_on, actor=actor)
    return _entry(done)


@router.patch("/activities/{timeline_entry_id}", response=EntryOut,
              auth=Rule("crm.add_timelineentry"))
def activity_update(request, timeline_entry_id: int, body: ActivityPatch):
    """Reschedule an open activity, hand it to a colleague or rename it."""
    found = _get(TimelineEntry, request, timeline_entry_id, "activity")
    changes = body.dict(exclude_unset=True)
    if changes.get("due_on"):
        plausible_date("due_on", changes["due_on"])
    if "assigned_to" in changes:
        changes["assigned_to"] = person(request.legal_entity,
                                        username=changes["assigned_to"] or "")
    return _entry(leads.activity_update(entry=found, actor=Actor.api(request.user), **changes))


def _dedupe_record(request, record_kind: str, record_id: int):
    if record_kind not in ("lead", "account", "contact"):
        raise NotFound(f"no record type {record_kind!r}: lead, account or contact")
    return _record(request, record_kind, record_id)


@router.get("/records/{record_kind}/{record_id}/duplicates", response=list[MatchOut],
            auth=Rule("crm.view_lead"))
def duplicates_of(request, record_kind: str, record_id: int):
    """A lead's, account's or contact's possible duplicates under the published rules, then
    the records possibly related to it (colleagues, the company's account); detached ones left
    out. Each with its score and why.
    """
    found = _dedupe_record(request, record_kind, record_id)
    if not duplicates.is_active(found):
        return []
    return [leads.match_dict(m)
            for m in duplicates.find(found.legal_entity, record_kind, duplicates.party(found),
                                     exclude=found, bands=duplicates.BOTH,
                                     scope=scope_of(request))]


@router.post("/records/{record_kind}/{record_id}/duplicates/detach", response=list[MatchOut],
             auth=Rule("crm.view_lead"))
def duplicate_detach(request, record_kind: str, record_id: int, body: DetachIn):
    """Say ``other`` is not a duplicate of the record; the answer is the list left."""
    found = _dedupe_record(request, record_kind, record_id)
    if body.other_type not in ("lead", "account", "contact"):
        raise InvalidInput.field("other_type", "lead, account or contact")
    other = _get(RECORDS[body.other_type], request, body.other_id,
                 body.other_type)
    duplicates.detach(record=found, other=other, actor=Actor.api(request.user))
    return duplicates_of(request, record_kind, record_id)
