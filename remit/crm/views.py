"""Lead pages: the lead list (open, mine, closed) with bulk qualify, the lead form with the
duplicate dialog, the lead page with its timeline and the Qualify pane, merging, and the
opportunity, account and contact pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.db import ExactSum
from remit.core.exceptions import DomainError, InvalidInput
from remit.core.forms import AmountField, posted_date
from remit.core.scope import scope_of
from remit.receivables.forms import form_errors

from . import duplicates, leads, opportunities, qualify, scoring
from .activity_views import people, person
from .models import (
    Account,
    Contact,
    Lead,
    LeadState,
    Opportunity,
    OpportunityStatus,
    Stage,
    StatusReason,
    TimelineEntry,
)
from .record_views import EntityForm
from .scope import crm_records

PANE_CHOICES = 10_000
VIEWS = [("open", "Open leads"), ("mine", "My open leads"), ("closed", "Closed leads"),
         ("all", "All leads")]


class LeadForm(EntityForm):
    estimated_value = AmountField(required=False, min_value=0, max_digits=20, decimal_places=2)

    class Meta:
        model = Lead
        fields = ["topic", "first_name", "last_name", "company_name", "job_title", "email",
                  "business_phone", "mobile_phone", "address_line1", "postal_code", "city",
                  "country", "website", "industry", "source", "estimated_value",
                  "description"]
        labels = {"address_line1": "Street"}
        help_texts = {"country": "Two letters, e.g. NO."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def _lead(request, lead_id: int) -> Lead:
    leads = Lead.objects.select_related("status", "owner", "parent_contact", "parent_account")
    return get_object_or_404(crm_records(leads, request), pk=lead_id)


@page("crm.view_lead")
def lead_list(request):
    view = request.GET.get("view", "open")
    qs = crm_records(Lead, request).select_related("status",
                                                                              "owner")
    if view in ("open", "mine"):
        qs = qs.filter(state=LeadState.OPEN)
    if view == "mine":
        qs = qs.filter(owner=request.user)
    elif view == "closed":
        qs = qs.exclude(state=LeadState.OPEN)
    q = request.GET.get("q", "").strip()
    qs = search(qs, q, ("topic", "first_name", "last_name", "company_name", "email"))
    page_obj = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "crm/leads.html", {"page_obj": page_obj, "view": view, "q": q,
                                              "views": VIEWS})


def search(qs, text: str, fields: tuple[str, ...]):
    """Records where every word typed is in one of ``fields`` ('Freja Larsen' finds the
    first name and the last name)."""
    for word in text.split():
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        qs = qs.filter(match)
    return qs


def _values(form) -> dict:
    """The form's values; an empty estimated value stays unknown (None, not 0) and an empty
    owner keeps the lead's (a new lead's: the person saving it)."""
    values = dict(form.cleaned_data)
    if values.get("owner") is None:
        values.pop("owner", None)
    return values


@page("crm.add_lead")
def lead_new(request):
    form = LeadForm(request.POST or None, initial={"owner": request.user},
                    legal_entity=request.legal_entity)
    settings = qualify.settings_for(request.legal_entity)
    matches = None
    if request.method == "POST" and form.is_valid():
        link_contact = _pick(request, Contact, "link_contact")
        link_account = _pick(request, Account, "link_account")
        try:
            made = leads.lead_create(
                legal_entity=request.legal_entity, actor=Actor.web(request.user),
                ignore_duplicates=request.POST.get("ignore_duplicates") == "1",
                link_contact=link_contact, link_account=link_account, **_values(form))
        except leads.DuplicatesFound as exc:
            matches = exc.matches
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"Lead '{made.topic}' created"
                             + (f", linked to {made.parent_contact}" if link_contact else "")
                             + ".")
            return redirect("crm_lead", made.pk)
    return render(request, "crm/record_form.html", {
        "form": form, "matches": matches, "enhanced": settings.enhanced_duplicate_dialog,
        "linkable": True, "record_type": "lead", "saving": "lead",
        "cancel": reverse("crm_leads")})


@page("crm.change_lead")
def lead_edit(request, lead_id: int):
    found = _lead(request, lead_id)
    initial = {name: getattr(found, name) for name in LeadForm.base_fields}
    form = LeadForm(request.POST or None, initial=initial, legal_entity=request.legal_entity)
    matches = None
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in _values(form).items() if v != initial.get(k)}
        try:
            leads.lead_update(lead=found, actor=Actor.web(request.user),
                              ignore_duplicates=request.POST.get("ignore_duplicates") == "1",
                              **changes)
        except leads.DuplicatesFound as exc:
            matches = exc.matches
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Lead saved.")
            return redirect("crm_lead", found.pk)
    return render(request, "crm/record_form.html", {
        "form": form, "matches": matches, "record": found, "record_type": "lead",
        "saving": "lead", "cancel": reverse("crm_lead", args=[found.pk]),
        "enhanced": qualify.settings_for(request.legal_entity).enhanced_duplicate_dialog})


def _pick(request, model, field: str):
    """A record named by its id, or as the pane's search offers it: 'Name · City #id'."""
    value = request.POST.get(field, "").strip()
    if not value:
        return None
    wanted = value.rpartition("#")[2].strip()
    if not wanted.isdigit():
        raise InvalidInput.field(field, "choose one of the records offered")
    return get_object_or_404(crm_records(model, request), pk=int(wanted))


@page("crm.view_lead")
def lead_page(request, lead_id: int):
    found = _lead(request, lead_id)
    pane = qualify.pane(found) if found.is_active else None
    return render(request, "crm/lead.html", {
        "lead": found, "pane": pane, **_record_context(request, found),
        "disqualify_reasons": StatusReason.objects.filter(state=LeadState.DISQUALIFIED),
        "opportunities": found.opportunities.all(),
        # offered by a search box: every active record, up to a bound that keeps the page
        # light (a company with more finds them by the lead's link or the duplicate dialog)
        "accounts": crm_records(Account, request).filter(is_active=True)
        .only("pk", "name", "city").order_by("name")[:PANE_CHOICES],
        "contacts": crm_records(Contact, request).filter(is_active=True)
        .select_related("account").only("pk", "first_name", "last_name", "email",
                                        "account__name").order_by("last_name",
                                                                  "first_name")[:PANE_CHOICES],
        "slots": range(qualify.MAX_OPPORTUNITIES)})


@require_POST
@page("crm.change_lead")
def lead_action(request, lead_id: int):
    found = _lead(request, lead_id)
    action, actor = request.POST.get("action", ""), Actor.web(request.user)
    note = request.POST.get("note", "").strip()
    try:
        if action == "contacted":
            leads.lead_set_status(lead=found, status_code="contacted", actor=actor, note=note)
        elif action == "disqualify":
            leads.lead_disqualify(lead=found, status_code=request.POST.get("reason", ""),
                                  actor=actor, note=note)
        elif action == "reactivate":
            leads.lead_reactivate(lead=found, actor=actor, note=note)
        elif action == "note":
            _note_or_activity(request, found)
        else:
            raise InvalidInput.field("action", "unknown action")
        if action != "note":
            messages.success(request, "Saved.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("crm_lead", found.pk)


def _choice(request, kind: str, model) -> qualify.Choice | None:
    """The pane's choice (``kind_action`` and ``kind_existing``), or the duplicate dialog's
    (``kind_choice``: ``existing:ID`` or ``new``)."""
    picked = request.POST.get(f"{kind}_choice", "")
    if picked:
        action, _, pk = picked.partition(":")
        if action not in (qualify.EXISTING, qualify.NEW) or (action == qualify.EXISTING
                                                             and not pk.isdigit()):
            raise InvalidInput.field(f"{kind}_choice", "existing:ID or new")
        existing = get_object_or_404(crm_records(model, request), pk=int(pk)) \
            if action == qualify.EXISTING else None
        return qualify.Choice(action, existing)
    action = request.POST.get(f"{kind}_action", "")
    if not action:
        return None
    existing = _pick(request, model, f"{kind}_existing") if action == qualify.EXISTING else None
    return qualify.Choice(action, existing)


def _specs(request) -> list[qualify.OpportunitySpec] | None:
    if request.POST.get("opportunity_mode") != "seller":
        return None
    specs = []
    for i in range(qualify.MAX_OPPORTUNITIES):
        topic = request.POST.get(f"opportunity_topic_{i}", "").strip()
        if not topic:
            continue
        revenue = request.POST.get(f"opportunity_revenue_{i}", "").strip() or None
        close = request.POST.get(f"opportunity_close_{i}", "").strip()
        try:
            close_date = timezone.datetime.fromisoformat(close).date() if close else None
        except ValueError:
            raise InvalidInput.field(("opportunities", i, "close_date"), "YYYY-MM-DD") from None
        specs.append(qualify.OpportunitySpec(topic=topic, estimated_revenue=revenue,
                                             close_date=close_date))
    return specs


@require_POST
@page("crm.qualify_lead")
def lead_qualify(request, lead_id: int):
    found = _lead(request, lead_id)
    settings = qualify.settings_for(request.legal_entity)
    try:
        result = qualify.lead_qualify(
            lead=found, actor=Actor.web(request.user),
            account=_choice(request, "account", Account) if settings.account_mode == "seller"
            else None,
            contact=_choice(request, "contact", Contact) if settings.contact_mode == "seller"
            else None,
            opportunities=_specs(request),
            # "create a new one" in the dialog is made having seen the matches
            ignore_duplicates=request.POST.get("ignore_duplicates") == "1" or any(
                request.POST.get(f"{t}_choice") == qualify.NEW for t in ("account", "contact")))
    except leads.DuplicatesFound as exc:
        matched = sorted({m.record_type for m in exc.matches})
        original = [(k, v) for k, v in request.POST.items()
                    if k not in ("csrfmiddlewaretoken", "ignore_duplicates")]
        return render(request, "crm/duplicates_at_qualify.html", {
            "lead": found, "matched_types": matched, "original": original,
            "kept": [(k, v) for k, v in original
                     if not any(k.startswith(f"{t}_") for t in matched)],
            "groups": [(t, [m for m in exc.matches if m.record_type == t]) for t in matched],
            "preselected": _preselected(exc.matches),
            "enhanced": settings.enhanced_duplicate_dialog})
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("crm_lead", found.pk)
    messages.success(request, "Qualified: " + (", ".join(result.created) or "nothing created")
                     + ".")
    primary = next((o for o in result.opportunities if o.is_primary), None)
    return redirect("crm_opportunity", primary.pk) if primary else redirect("crm_lead",
                                                                           found.pk)


def _preselected(matches) -> dict:
    """The dialog's first choices, consistent with each other: the best contact, and the
    account it belongs to when that account is among the matches (else the best account)."""
    contacts = [m.record for m in matches if m.record_type == "contact"]
    accounts = [m.record for m in matches if m.record_type == "account"]
    account = next((a for a in accounts if contacts and contacts[0].account_id == a.pk),
                   accounts[0] if accounts else None)
    return {"contact": contacts[0].pk if contacts else None,
            "account": account.pk if account else None}


@require_POST
@page("crm.qualify_lead")
def leads_bulk(request):
    chosen = [int(i) for i in request.POST.getlist("lead") if i.isdigit()]
    found = list(crm_records(Lead, request).filter(pk__in=chosen))
    if request.POST.get("action") == "merge":
        return redirect(f"/crm/leads/merge/?ids={','.join(str(x.pk) for x in found)}")
    done, problems = qualify.leads_qualify_bulk(
        leads_=found, actor=Actor.web(request.user),
        create_account=request.POST.get("create_account") == "1",
        create_contact=request.POST.get("create_contact") == "1",
        create_opportunity=request.POST.get("create_opportunity") == "1")
    messages.success(request, f"{len(done)} lead(s) qualified.")
    for problem in problems:
        messages.error(request, problem)
    return redirect("crm_leads")


@page("crm.view_opportunity")
def opportunity_list(request):
    """Opportunities by status (open, won, lost, all), everyone's or mine, the soonest close
    first; above them the open pipeline by stage: how many and how much, per currency."""
    status, mine = request.GET.get("status", "open"), request.GET.get("mine") == "1"
    qs = crm_records(Opportunity, request).select_related(
        "account", "contact", "owner")
    if mine:
        qs = qs.filter(owner=request.user)
    pipeline = list(qs.filter(status=OpportunityStatus.OPEN).values("stage", "currency")
                    .annotate(n=Count("id"), total=ExactSum("estimated_revenue", zero=True))
                    .order_by("currency"))
    stages = [(value, label, [p for p in pipeline if p["stage"] == value])
              for value, label in Stage.choices if value != Stage.CLOSE]
    if status in OpportunityStatus.values:
        qs = qs.filter(status=status)
    page_obj = Paginator(qs.order_by(F("close_date").asc(nulls_last=True), "-id"), 50) \
        .get_page(request.GET.get("page"))
    return render(request, "crm/opportunities.html", {
        "page_obj": page_obj, "status": status, "mine": mine, "stages": stages,
        "statuses": [*OpportunityStatus.choices, ("all", "all")]})


@page("crm.view_opportunity")
def opportunity_page(request, opportunity_id: int):
    found = get_object_or_404(crm_records(Opportunity.objects.select_related(
        "account", "contact", "originating_lead", "owner"), request), pk=opportunity_id)
    entries = TimelineEntry.objects.filter(Q(opportunity=found) | Q(
        lead=found.originating_lead, kind__in=("note", "activity"))
        if found.originating_lead_id else Q(opportunity=found)).select_related("by", "lead")
    return render(request, "crm/opportunity.html", {
        "opportunity": found, "today": timezone.localdate(),
        "people": people(request.legal_entity),
        "timeline": entries.select_related("assigned_to").order_by("-at", "-id")[:100]})


@require_POST
@page("crm.change_opportunity")
def opportunity_close(request, opportunity_id: int):
    found = get_object_or_404(crm_records(Opportunity, request), pk=opportunity_id)
    try:
        opportunities.opportunity_close(opportunity=found, won=request.POST.get("won") == "1",
                                        on=posted_date(request, "on"),
                                        note=request.POST.get("note", ""),
                                        actor=Actor.web(request.user))
        messages.success(request, "Closed.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("crm_opportunity", found.pk)


@page("crm.view_account")
def account_page(request, account_id: int):
    found = get_object_or_404(
        crm_records(Account.objects.select_related("customer", "owner"), request), pk=account_id)
    return render(request, "crm/account.html", {
        "account": found, "contacts": found.contacts.all(),
        "opportunities": found.opportunities.all(), **_record_context(request, found)})


@require_POST
@page("receivables.add_customer")
def account_customer(request, account_id: int):
    found = get_object_or_404(crm_records(Account, request), pk=account_id)
    try:
        customer = opportunities.account_make_customer(account=found,
                                                       actor=Actor.web(request.user))
        messages.success(request, f"{found.name} is now customer {customer.account_number}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("crm_account", found.pk)


@page("crm.view_account")
def account_list(request):
    q = request.GET.get("q", "").strip()
    qs = search(crm_records(Account, request)
                .select_related("customer"), q, ("name", "email", "city"))
    page_obj = Paginator(qs.order_by("name", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "crm/accounts.html", {"page_obj": page_obj, "q": q})


@page("crm.view_contact")
def contact_list(request):
    q = request.GET.get("q", "").strip()
    qs = search(crm_records(Contact, request)
                .select_related("account"), q, ("first_name", "last_name", "email",
                                                "account__name"))
    page_obj = Paginator(qs.order_by("last_name", "first_name", "id"), 50).get_page(
        request.GET.get("page"))
    return render(request, "crm/contacts.html", {"page_obj": page_obj, "q": q})


def _note_or_activity(request, record) -> None:
    """The timeline form: a note (with an attachment), or an activity with its owner, due
    date, and whether it is already done (a call logged after the fact)."""
    actor, kind = Actor.web(request.user), request.POST.get("entry", "note")
    title, text = request.POST.get("title", ""), request.POST.get("note", "").strip()
    if kind == "note":
        leads.note_add(record=record, title=title, body=text,
                       attachment=request.FILES.get("attachment"), actor=actor)
    else:
        due = next((f for f in ("due", "on") if request.POST.get(f)), None)
        owner = (person(request.legal_entity, pk=request.POST["assigned_to"])
                 if request.POST.get("assigned_to") else None)
        leads.activity_add(record=record, activity_type=kind, subject=title, body=text,
                           due_on=posted_date(request, due) if due else None,
                           assigned_to=owner, done=request.POST.get("done") == "1",
                           actor=actor)
    messages.success(request, "Added to the timeline.")


NOTE_TARGETS = {"lead": (Lead, "crm_lead"), "account": (Account, "crm_account"),
                "contact": (Contact, "crm_contact"),
                "opportunity": (Opportunity, "crm_opportunity")}


@require_POST
@page("crm.add_timelineentry")
def record_note(request, record_kind: str, record_id: int):
    """A note or activity on a lead, account, contact or opportunity."""
    if record_kind not in NOTE_TARGETS:
        raise Http404("no such record type")
    model, view = NOTE_TARGETS[record_kind]
    found = get_object_or_404(crm_records(model, request), pk=record_id)
    try:
        _note_or_activity(request, found)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(view, found.pk)


@page("crm.view_contact")
def contact_page(request, contact_id: int):
    found = get_object_or_404(crm_records(Contact.objects.select_related("account"), request),
                              pk=contact_id)
    return render(request, "crm/contact.html", {
        "contact": found, "leads": found.leads.all(), "opportunities": found.opportunities.all(),
        **_record_context(request, found)})


def _record_context(request, record) -> dict:
    """What every record page shows: its timeline, how many possible duplicates and possibly
    related records it has (an active one only), and who may own an activity."""
    found = (duplicates.find(record.legal_entity, duplicates.record_type_of(record),
                             duplicates.party(record), exclude=record, bands=duplicates.BOTH,
                             scope=scope_of(request))
             if duplicates.is_active(record) else [])
    count = sum(m.band == scoring.DUPLICATE for m in found)
    return {"timeline": record.timeline.select_related("by", "assigned_to")[:100],
            "duplicate_count": count, "related_count": len(found) - count,
            "people": people(request.legal_entity), "today": timezone.localdate()}
