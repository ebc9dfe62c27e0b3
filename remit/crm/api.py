"""Leads over the API: list and create leads (a possible duplicate answers 409 with the
matches; send ``link_contact``/``link_account`` or ``ignore_duplicates`` to go on), change
their status, qualify them with the same choices as the pane, merge them, and read and close
opportunities and accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from remit.api_auth import Rule, plausible_date
from remit.api_paging import limit_query, offset_query
from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput, NotFound
from remit.core.scope import scope_of
from remit.receivables.api import Strict

from . import leads, merge, opportunities, qualify
from .models import Account, Contact, Lead, LeadState, Opportunity
from .scope import crm_visible

router = Router(tags=["crm"])


class LeadIn(Strict):
    topic: str
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""
    job_title: str = ""
    email: str = ""
    business_phone: str = ""
    mobile_phone: str = ""
    address_line1: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    website: str = ""
    industry: str = ""
    source: str = ""
    estimated_value: Decimal | None = None
    description: str = ""
    link_contact: int | None = Field(None, description="Link to this existing contact")
    link_account: int | None = Field(None, description="Link to this existing account")
    ignore_duplicates: bool = False


class LeadOut(Schema):
    id: int
    topic: str
    first_name: str
    last_name: str
    company_name: str
    email: str
    business_phone: str
    state: str
    status: str = Field(..., alias="status.code")
    owner: str | None = Field(None, alias="owner.username")
    estimated_value: Decimal | None
    currency: str
    parent_contact: int | None = Field(None, alias="parent_contact_id")
    parent_account: int | None = Field(None, alias="parent_account_id")
    merged_into: int | None = Field(None, alias="merged_into_id")


class StatusIn(Strict):
    action: str = Field(..., description="contacted, disqualify or reactivate")
    reason: str = Field("", description="For disqualify: lost, cannot_contact, "
                                        "no_longer_interested or canceled")
    note: str = ""


class ChoiceIn(Strict):
    action: str = Field(..., description="new, existing or skip")
    existing: int | None = None


class OpportunityIn(Strict):
    topic: str
    estimated_revenue: Decimal | None = None
    close_date: date | None = None


class QualifyIn(Strict):
    account: ChoiceIn | None = Field(None, description="Seller mode only")
    contact: ChoiceIn | None = Field(None, description="Seller mode only")
    opportunities: list[OpportunityIn] | None = Field(None, description="Seller mode only")
    ignore_duplicates: bool = False


class OpportunityOut(Schema):
    id: int
    topic: str
    account: int | None = Field(None, alias="account_id")
    contact: int | None = Field(None, alias="contact_id")
    estimated_revenue: Decimal | None
    currency: str
    close_date: date | None
    stage: str
    status: str
    is_primary: bool
    originating_lead: int | None = Field(None, alias="originating_lead_id")


class QualifyOut(Schema):
    lead: LeadOut
    account: int | None
    contact: int | None
    opportunities: list[OpportunityOut]
    created: list[str]


class MergeIn(Strict):
    leads: list[int]
    primary: int | None = None
    fill_empty: bool = True


class CloseIn(Strict):
    won: bool
    on: date
    note: str = ""


class AccountOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    city: str
    country: str
    is_active: bool
    customer: str | None = Field(None, alias="customer.account_number")


def _page(offset: int, limit: int) -> slice:
    """Rows ``offset`` to ``offset + limit`` (at most 500 at a time)."""
    start = max(0, offset)
    return slice(start, start + max(1, min(limit, 500)))


def _get(model, request, pk: int | None, what: str):
    """A record of the request's legal entity that the user may see (crm.scope), or 404."""
    if pk is None:
        return None
    found = model.objects.filter(crm_visible(model, scope_of(request)),
                                 legal_entity=request.legal_entity, pk=pk).first()
    if found is None:
        raise NotFound(f"no {what} {pk}")
    return found


@router.get("/leads", response=list[LeadOut], auth=Rule("crm.view_lead"))
def lead_list(request, view: str = "open", q: str = "", limit: int = limit_query(),
        offset: int = offset_query()):
    qs = Lead.objects.filter(legal_entity=request.legal_entity).select_related("status",
                                                                              "owner")
    if view in ("open", "mine"):
        qs = qs.filter(state=LeadState.OPEN)
    if view == "mine":
        qs = qs.filter(owner=request.user)
    elif view == "closed":
        qs = qs.exclude(state=LeadState.OPEN)
    if q:
        qs = qs.filter(topic__icontains=q) | qs.filter(company_name__icontains=q) | \
            qs.filter(email__icontains=q)
    return list(qs.order_by("-created_at", "-id")[_page(offset, limit)])


@router.post("/leads", response={201: LeadOut}, auth=Rule("crm.add_lead"))
def lead_create(request, body: LeadIn):
    entity = request.legal_entity
    data = body.dict()
    link_contact = _get(Contact, request, data.pop("link_contact"), "contact")
    link_account = _get(Account, request, data.pop("link_account"), "account")
    ignore = data.pop("ignore_duplicates")
    if data["estimated_value"] is None:
        data.pop("estimated_value")
    made = leads.lead_create(legal_entity=entity, actor=Actor.api(request.user),
                             ignore_duplicates=ignore, link_contact=link_contact,
                             link_account=link_account, **data)
    return Status(201, made)


@router.post("/leads/merge", response=LeadOut, auth=Rule("crm.change_lead"))
def leads_merge(request, body: MergeIn):
    records = [_get(Lead, request, pk, "lead") for pk in body.leads]
    return merge.records_merge(records=records, fill_empty=body.fill_empty,
                               primary=_get(Lead, request, body.primary, "lead"),
                               actor=Actor.api(request.user))


@router.get("/leads/{lead_id}", response=LeadOut, auth=Rule("crm.view_lead"))
def lead_get(request, lead_id: int):
    return _get(Lead, request, lead_id, "lead")


@router.post("/leads/{lead_id}/status", response=LeadOut, auth=Rule("crm.change_lead"))
def lead_status(request, lead_id: int, body: StatusIn):
    found, actor = _get(Lead, request, lead_id, "lead"), Actor.api(request.user)
    if body.action == "contacted":
        return leads.lead_set_status(lead=found, status_code="contacted", actor=actor,
                                     note=body.note)
    if body.action == "disqualify":
        return leads.lead_disqualify(lead=found, status_code=body.reason, actor=actor,
                                     note=body.note)
    if body.action == "reactivate":
        return leads.lead_reactivate(lead=found, actor=actor, note=body.note)
    raise InvalidInput.field("action", "contacted, disqualify or reactivate")


def _choice(request, choice: ChoiceIn | None, model, what: str):
    if choice is None:
        return None
    return qualify.Choice(choice.action, _get(model, request, choice.existing, what))


@router.post("/leads/{lead_id}/qualify", response=QualifyOut, auth=Rule("crm.qualify_lead"))
def lead_qualify(request, lead_id: int, body: QualifyIn):
    found = _get(Lead, request, lead_id, "lead")
    specs = None if body.opportunities is None else [
        qualify.OpportunitySpec(topic=o.topic, estimated_revenue=o.estimated_revenue,
                                close_date=o.close_date) for o in body.opportunities]
    result = qualify.lead_qualify(
        lead=found, actor=Actor.api(request.user),
        account=_choice(request, body.account, Account, "account"),
        contact=_choice(request, body.contact, Contact, "contact"),
        opportunities=specs, ignore_duplicates=body.ignore_duplicates)
    return {"lead": result.lead, "account": getattr(result.account, "pk", None),
            "contact": getattr(result.contact, "pk", None),
            "opportunities": result.opportunities, "created": result.created}


@router.get("/opportunities/{opportunity_id}", response=OpportunityOut,
            auth=Rule("crm.view_opportunity"))
def opportunity_get(request, opportunity_id: int):
    return _get(Opportunity, request, opportunity_id, "opportunity")


@router.post("/opportunities/{opportunity_id}/close", response=OpportunityOut,
             auth=Rule("crm.change_opportunity"))
def opportunity_close(request, opportunity_id: int, body: CloseIn):
    plausible_date("on", body.on)
    return opportunities.opportunity_close(
        opportunity=_get(Opportunity, request, opportunity_id, "opportunity"),
        won=body.won, on=body.on, note=body.note, actor=Actor.api(request.user))


from . import api_records  # noqa: E402,F401  (registers the rest of the CRM on this router)
