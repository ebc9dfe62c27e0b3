"""The seller's activity list: open calls, meetings, emails and tasks — mine or everyone's —
overdue first, then by due date, each with the record it is about; completing one (and
planning the next), rescheduling it or handing it to a colleague."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError, InvalidInput
from remit.core.forms import posted_date

from . import leads
from .models import EntryKind, TimelineEntry
from .scope import crm_records

VIEWS = [("mine", "My open activities"), ("open", "All open activities"),
         ("done", "My done activities")]


def people(legal_entity) -> list:
    """Who may own an activity in the legal entity: active users who work there and may add
    to timelines."""
    users = get_user_model().objects.filter(
        Q(remit_profile__legal_entities=legal_entity) | Q(remit_profile__all_legal_entities=True),
        is_active=True).distinct().order_by("username")
    return [u for u in users if u.has_perm("crm.add_timelineentry")]


def person(legal_entity, *, pk: str = "", username: str = ""):
    """The activity owner named by id (a form) or user name (the API), among ``people``."""
    found = next((u for u in people(legal_entity)
                  if (pk and str(u.pk) == pk) or (username and u.username == username)), None)
    if found is None:
        raise InvalidInput.field("assigned_to", "not someone who works with leads here")
    return found


def activities(legal_entity, view: str, user):
    """Open activities (mine or everyone's), due first and overdue before all; or my done
    ones, latest first. With the counts of the open ones."""
    qs = TimelineEntry.objects.filter(legal_entity=legal_entity,
                                      kind=EntryKind.ACTIVITY).select_related(
        "lead", "account", "contact", "opportunity__account", "assigned_to", "by")
    if view == "done":
        return qs.filter(done_at__isnull=False, assigned_to=user).order_by("-done_at", "-id"), {}
    qs = qs.filter(done_at__isnull=True)
    if view == "mine":
        qs = qs.filter(assigned_to=user)
    today = timezone.localdate()
    counts = qs.aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)),
                          today=Count("id", filter=Q(due_on=today)))
    return qs.order_by(F("due_on").asc(nulls_last=True), "at", "id"), counts


@page("crm.view_timelineentry")
def activity_list(request):
    view = request.GET.get("view", "mine")
    qs, counts = activities(request.legal_entity, view, request.user)
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "crm/activities.html", {
        "page_obj": page_obj, "view": view, "views": VIEWS, "today": timezone.localdate(),
        "counts": counts, "people": people(request.legal_entity)})


def _back(request):
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("crm_activities")


@require_POST
@page("crm.add_timelineentry")
def activity_edit(request, timeline_entry_id: int):
    """Reschedule an open activity or hand it to a colleague."""
    found = get_object_or_404(crm_records(TimelineEntry, request), pk=timeline_entry_id)
    try:
        changes = {}
        if request.POST.get("due"):
            changes["due_on"] = posted_date(request, "due")
        if request.POST.get("assigned_to"):
            changes["assigned_to"] = person(request.legal_entity,
                                            pk=request.POST["assigned_to"])
        leads.activity_update(entry=found, actor=Actor.web(request.user), **changes)
        messages.success(request, f"Saved: {found.title}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request)


@require_POST
@page("crm.add_timelineentry")
def activity_done(request, timeline_entry_id: int):
    found = get_object_or_404(crm_records(TimelineEntry, request), pk=timeline_entry_id)
    actor = Actor.web(request.user)
    try:
        planned = request.POST.get("next_due")
        leads.activity_complete(entry=found, actor=actor, outcome=request.POST.get("outcome", ""),
                                next_due_on=posted_date(request, "next_due") if planned
                                else None)
        messages.success(request, f"Done: {found.title}"
                         + (" — the next one is planned." if planned else "."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request)
