"""Accounts and contacts made and changed by hand (checked for duplicates like a lead), a
record's possible duplicates side by side with detach, merging two to five leads, contacts or
accounts with a value chosen per field, and opportunities made and changed by hand."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.forms import AmountField
from remit.core.money import Money
from remit.core.scope import scope_of
from remit.receivables.forms import form_errors

from . import duplicates, leads, matching, merge, names, opportunities, qualify
from .activity_views import people
from .models import Account, Contact, Lead, Opportunity, Stage
from .scope import crm_records


class EntityForm(forms.ModelForm):
    """A record's form, its choices the records and people of the user's legal entity. Only
    read: the service saves (its checks, the duplicate rules, the timeline)."""

    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False,
                                   help_text="Empty: you, or the owner it has.")

    def __init__(self, *args, legal_entity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.legal_entity = legal_entity
        self.fields["owner"].queryset = get_user_model().objects.filter(
            pk__in=[u.pk for u in people(legal_entity)]).order_by("username")
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["owner"] = self.fields.pop("owner")  # shown last
        for name in ("account", "contact"):
            if name in self.fields:
                self.fields[name].queryset = _choices(
                    Account if name == "account" else Contact, legal_entity,
                    self.initial.get(name))


def _pk(value) -> int:
    value = getattr(value, "pk", value)
    return int(value) if str(value or "").isdigit() else 0


def _choices(model, legal_entity, current=None):
    """Active accounts (or contacts) to choose from, and the one already chosen even when it
    is not (a merged account stays until changed, not cleared by saving the form)."""
    keep = Q(is_active=True) | Q(pk=_pk(current))
    order = ("name",) if model is Account else ("last_name", "first_name")
    return model.objects.filter(keep, legal_entity=legal_entity).order_by(*order)


class AccountForm(EntityForm):
    class Meta:
        model = Account
        fields = ["name", "email", "phone", "website", "industry", "address_line1",
                  "postal_code", "city", "country"]
        labels = {"address_line1": "Street"}
        help_texts = {"country": "Two letters, e.g. NO."}


class ContactForm(EntityForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "account", "job_title", "email", "business_phone",
                  "mobile_phone", "address_line1", "postal_code", "city", "country"]
        labels = {"address_line1": "Street"}
        help_texts = {"country": "Two letters, e.g. NO."}


# plural in the URL → model, record type, its page, its list
KINDS = {"leads": (Lead, "lead", "crm_lead", "crm_leads"),
         "accounts": (Account, "account", "crm_account", "crm_accounts"),
         "contacts": (Contact, "contact", "crm_contact", "crm_contacts")}
FORMS = {"account": AccountForm, "contact": ContactForm}

# the fields shown side by side when comparing or merging records of a type
COMPARED = {
    Lead: [("topic", "Topic"), ("first_name", "First name"), ("last_name", "Last name"),
           ("company_name", "Company"), ("job_title", "Job title"), ("email", "Email"),
           ("business_phone", "Business phone"), ("mobile_phone", "Mobile phone"),
           ("address_line1", "Street"), ("postal_code", "Postal code"), ("city", "City"),
           ("country", "Country"), ("website", "Website"), ("industry", "Industry"),
           ("source", "Source"), ("estimated_value", "Estimated value"),
           ("description", "Description"), ("owner", "Owner")],
    Contact: [("first_name", "First name"), ("last_name", "Last name"),
              ("account", "Account"), ("job_title", "Job title"), ("email", "Email"),
              ("business_phone", "Business phone"), ("mobile_phone", "Mobile phone"),
              ("address_line1", "Street"), ("postal_code", "Postal code"), ("city", "City"),
              ("country", "Country"), ("owner", "Owner")],
    Account: [("name", "Name"), ("email", "Email"), ("phone", "Phone"),
              ("website", "Website"), ("industry", "Industry"), ("address_line1", "Street"),
              ("postal_code", "Postal code"), ("city", "City"), ("country", "Country"),
              ("owner", "Owner")],
}


def _shown(value) -> str:
    return "" if value is None else str(value)


def _alike(record, name: str) -> str:
    """A field as the comparison marks it alike: numbers in E.164, names and companies
    folded (Rønnli = RÃ¸nnli = Ronnli), e-mail addresses as a mail server reads them."""
    if name in ("business_phone", "mobile_phone", "phone"):
        raw = getattr(record, name, "") or ""
        return matching.phone_key(raw, getattr(record, "country", "") or "NO") or raw.strip()
    if name == "email":
        return matching.email_key(getattr(record, name, "")) or _value(record, name).casefold()
    if name in ("company_name", "name"):  # legal forms aside: Fjord Marine AS = A/S
        return matching.company_key(_value(record, name)).replace(" ", "")
    if name in ("first_name", "last_name"):
        return names.spelling_key(matching.fold(_value(record, name)).replace(" ", ""))
    return _value(record, name).casefold()


def _value(record, name: str) -> str:
    """A field as the merge and comparison pages show it: an amount with its currency, a
    person by name."""
    value = getattr(record, name, None)
    if name == "estimated_value" and value is not None:
        return f"{Money(value, record.currency).rounded_amount()} {record.currency}"
    if name == "owner" and value is not None:
        return value.get_full_name() or value.username
    if name == "account" and value is not None:  # two accounts may share a name
        return f"{value.name}{' · ' + value.city if value.city else ''} #{value.pk}"
    return _shown(value)


def _record_form(request, record_type: str, record=None):
    """New or edited account or contact, with the 'may already exist' dialog."""
    form_class = FORMS[record_type]
    entity = request.legal_entity
    initial = ({name: getattr(record, name) for name in form_class.base_fields} if record
               else {"owner": request.user,
                     **{key: request.GET[key] for key in ("account",) if key in request.GET}})
    form = form_class(request.POST or None, initial=initial, legal_entity=entity)
    matches = None
    if request.method == "POST" and form.is_valid():
        actor = Actor.web(request.user)
        ignore = request.POST.get("ignore_duplicates") == "1"
        if form.cleaned_data.get("owner") is None:
            form.cleaned_data.pop("owner", None)  # keeps the owner it has (new: you)
        try:
            if record is None:
                make = leads.account_create if record_type == "account" else \
                    leads.contact_create
                saved = make(legal_entity=entity, actor=actor, ignore_duplicates=ignore,
                             **form.cleaned_data)
            else:
                changes = {k: v for k, v in form.cleaned_data.items()
                           if v != initial.get(k) and not (v in ("", None)
                                                           and initial.get(k) in ("", None))}
                update = leads.account_update if record_type == "account" else \
                    leads.contact_update
                saved = update(**{record_type: record}, actor=actor, ignore_duplicates=ignore,
                               **changes)
        except leads.DuplicatesFound as exc:
            matches = exc.matches
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{record_type.capitalize()} '{saved}' saved.")
            return redirect(f"crm_{record_type}", saved.pk)
    return render(request, "crm/record_form.html", {
        "form": form, "matches": matches, "record": record, "record_type": record_type,
        "cancel": reverse(f"crm_{record_type}", args=[record.pk]) if record
        else reverse(f"crm_{record_type}s"),
        "saving": record_type, "linkable": False,
        "enhanced": qualify.settings_for(entity).enhanced_duplicate_dialog})


def _active(record):
    if not duplicates.is_active(record):
        raise Http404("the record is not active")
    return record


@page("crm.add_account")
def account_new(request):
    return _record_form(request, "account")


@page("crm.change_account")
def account_edit(request, account_id: int):
    found = get_object_or_404(crm_records(Account, request), pk=account_id)
    return _record_form(request, "account", _active(found))


@page("crm.add_contact")
def contact_new(request):
    return _record_form(request, "contact")


@page("crm.change_contact")
def contact_edit(request, contact_id: int):
    found = get_object_or_404(crm_records(Contact.objects.select_related("account"), request),
                              pk=contact_id)
    return _record_form(request, "contact", _active(found))


def _duplicates(request, plural: str, record_id: int):
    """The record (current) beside its possible duplicates, similar values marked; detach one,
    or tick up to four of its own type and merge."""
    model, record_type, view, _ = KINDS[plural]
    found = get_object_or_404(crm_records(model, request), pk=record_id)
    if request.method == "POST":
        other_model = KINDS.get(request.POST.get("other_type", "") + "s", (None,))[0]
        other_id = request.POST.get("other_id", "")
        if other_model is None or not other_id.isdigit():
            raise Http404("no such record")
        other = get_object_or_404(crm_records(other_model, request), pk=int(other_id))
        try:
            duplicates.detach(record=found, other=other, actor=Actor.web(request.user))
            messages.success(request, f"'{other}' is no longer listed as a duplicate of "
                                      f"'{found}'.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"crm_{record_type}_duplicates", found.pk)
    matches = (duplicates.find(request.legal_entity, record_type, duplicates.party(found),
                               exclude=found, bands=duplicates.BOTH, scope=scope_of(request))
               if duplicates.is_active(found) else [])
    fields = COMPARED[model]
    mine = {name: _alike(found, name) for name, _ in fields}
    columns = [{"match": m, "mergeable": type(m.record) is model
                and duplicates.is_active(m.record),
                "cells": [(_value(m.record, name),
                           bool(mine[name]) and _alike(m.record, name) == mine[name])
                          for name, _ in fields]} for m in matches]
    return render(request, "crm/duplicates.html", {
        "record": found, "record_type": record_type, "plural": plural, "view": view,
        "can_change": request.user.has_perm(f"crm.change_{record_type}"),
        "rows": [{"label": label, "current": _value(found, name),
                  "cells": [c["cells"][i] for c in columns]}
                 for i, (name, label) in enumerate(fields)],
        "columns": columns, "max_merged": merge.MAX_MERGED,
        "any_mergeable": any(c["mergeable"] for c in columns)})


@page("crm.view_lead")
def lead_duplicates(request, lead_id: int):
    return _duplicates(request, "leads", lead_id)


@page("crm.view_account")
def account_duplicates(request, account_id: int):
    return _duplicates(request, "accounts", account_id)


@page("crm.view_contact")
def contact_duplicates(request, contact_id: int):
    return _duplicates(request, "contacts", contact_id)


def _merge(request, plural: str):
    """Two to five records side by side: the primary (default: most timeline activity, else
    the latest change; 'Make primary' picks another), and per field the record whose value
    the primary keeps — preset from 'fill the empty fields', changeable, fields with the same
    value everywhere hidden unless asked for."""
    model, record_type, view, list_view = KINDS[plural]
    source = request.POST if request.method == "POST" else request.GET
    wanted_ids = (source.get("ids", "").split(",") if "ids" in source
                  else [source.get("current", ""), *source.getlist("pick")])
    ids = list(dict.fromkeys(int(i) for i in wanted_ids if i.strip().isdigit()))
    by_pk = {r.pk: r for r in crm_records(model, request).filter(pk__in=ids)}
    records = [by_pk[i] for i in ids if i in by_pk]
    wanted = source.get("primary", "")
    primary = by_pk.get(int(wanted)) if wanted.isdigit() else None
    if request.method == "POST":
        chosen = {name: int(request.POST[f"pick_{name}"]) for name, _ in COMPARED[model]
                  if request.POST.get(f"pick_{name}", "").isdigit()}
        try:
            keep = merge.records_merge(records=records, primary=primary, chosen=chosen,
                                       fill_empty=source.get("fill", "1") != "0",
                                       actor=Actor.web(request.user))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Merged {len(records) - 1} record(s) into '{keep}'.")
            return redirect(view, keep.pk)
    if len(records) > merge.MAX_MERGED + 1:
        messages.error(request, f"Choose two to {merge.MAX_MERGED + 1} {plural}: "
                                f"{len(records)} were ticked.")
        records = []
    if len(records) >= 2 and primary is None:
        primary = merge.default_primary(records)
    fill = source.get("fill", "1") != "0"
    show_same = source.get("same") == "1"
    rows = []
    for name, label in COMPARED[model]:
        values = [_value(r, name) for r in records]
        same = len({v.casefold() for v in values}) == 1
        pick = primary.pk if primary else None
        if primary is not None and fill and not _value(primary, name):
            pick = next((r.pk for r in records if r is not primary and _value(r, name)),
                        primary.pk)
        if show_same or not same:
            rows.append({"name": name, "label": label, "pick": pick, "same": same,
                         "cells": list(zip([r.pk for r in records], values))})
    return render(request, "crm/merge.html", {
        "records": records, "rows": rows, "primary": primary, "plural": plural,
        "record_type": record_type, "view": view, "list_view": list_view, "fill": fill,
        "show_same": show_same, "ids": ",".join(str(r.pk) for r in records),
        "max_records": merge.MAX_MERGED + 1})


@page("crm.change_lead")
def leads_merge(request):
    return _merge(request, "leads")


@page("crm.change_account")
def accounts_merge(request):
    return _merge(request, "accounts")


@page("crm.change_contact")
def contacts_merge(request):
    return _merge(request, "contacts")


class OpportunityForm(EntityForm):
    estimated_revenue = AmountField(required=False, min_value=0)
    stage = forms.ChoiceField(choices=[(s, s.label) for s in Stage if s != Stage.CLOSE])

    class Meta:
        model = Opportunity
        fields = ["topic", "estimated_revenue", "close_date", "stage", "account", "contact"]
        widgets = {"close_date": forms.DateInput(attrs={"type": "date"})}


def _opportunity_form(request, found: Opportunity | None):
    entity = request.legal_entity
    names = list(OpportunityForm.base_fields)
    initial = ({n: getattr(found, n) for n in names} if found else
               {"account": request.GET.get("account"), "contact": request.GET.get("contact"),
                "stage": Stage.QUALIFY, "owner": request.user})
    form = OpportunityForm(request.POST or None, initial=initial, legal_entity=entity)
    if request.method == "POST" and form.is_valid():
        actor = Actor.web(request.user)
        if form.cleaned_data.get("owner") is None:
            form.cleaned_data.pop("owner", None)
        try:
            if found is None:
                saved = opportunities.opportunity_create(legal_entity=entity, actor=actor,
                                                         **form.cleaned_data)
            else:
                saved = opportunities.opportunity_update(
                    opportunity=found, actor=actor,
                    **{k: v for k, v in form.cleaned_data.items() if v != initial.get(k)})
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"Opportunity '{saved}' saved.")
            return redirect("crm_opportunity", saved.pk)
    return render(request, "crm/record_form.html", {
        "form": form, "record": found, "record_type": "opportunity",
        "cancel": reverse("crm_opportunity", args=[found.pk]) if found
        else reverse("crm_opportunities")})


@page("crm.add_opportunity")
def opportunity_new(request):
    return _opportunity_form(request, None)


@page("crm.change_opportunity")
def opportunity_edit(request, opportunity_id: int):
    found = get_object_or_404(crm_records(Opportunity, request), pk=opportunity_id)
    return _opportunity_form(request, found)
