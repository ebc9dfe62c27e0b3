"""The seller's activity list: open calls, meetings, emails and tasks — mine or everyone's —
overdue first, then by due date, each with the record it is about; and completing one."""

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
from remit.core.exceptions import DomainError

from . import leads
from .models import EntryKind, TimelineEntry

VIEWS = [("mine", "My open activities"), ("open", "All open activities"),
         ("done", "Done")]


def people(legal_entity) -> list:
    """Who may own an activity in the legal entity: active users who work there and may add
    to timelines."""
    users = get_user_model().objects.filter(
        Q(remit_profile__legal_entities=legal_entity) | Q(remit_profile__all_legal_entities=True),
        is_active=True).distinct().order_by("username")
    return [u for u in users if u.has_perm("crm.add_timelineentry")]


@page("crm.view_timelineentry")
def activity_list(request):
    view = request.GET.get("view", "mine")
    qs = TimelineEntry.objects.filter(legal_entity=request.legal_entity,
                                      kind=EntryKind.ACTIVITY).select_related(
        "lead", "account", "contact", "opportunity__account", "assigned_to")
    today = timezone.localdate()
    counts = {}
    if view == "done":
        qs = qs.filter(done_at__isnull=False).order_by("-done_at", "-id")
    else:
        qs = qs.filter(done_at__isnull=True)
        if view == "mine":
            qs = qs.filter(assigned_to=request.user)
        counts = qs.aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)),
                              today=Count("id", filter=Q(due_on=today)))
        qs = qs.order_by(F("due_on").asc(nulls_last=True), "at", "id")
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "crm/activities.html", {
        "page_obj": page_obj, "view": view, "views": VIEWS, "today": today, "counts": counts})


@require_POST
@page("crm.add_timelineentry")
def activity_done(request, timeline_entry_id: int):
    found = get_object_or_404(TimelineEntry, legal_entity=request.legal_entity,
                              pk=timeline_entry_id)
    try:
        leads.activity_complete(entry=found, actor=Actor.web(request.user),
                                outcome=request.POST.get("outcome", ""))
        messages.success(request, f"Done: {found.title}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("crm_activities")
