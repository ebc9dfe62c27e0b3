"""Interest pages: the interest notes list (create for everyone up to a date, post what was
created) and the actions on one customer's notes from its Collections page (calculate, post,
cancel, waive, reinstate, reverse)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.money import typed_amount

from . import interest as service
from . import pools as pooling
from .models import InterestAdjustment, InterestNote, InterestNoteStatus
from .views import _customer, posted_date


@page("collections.view_interestnote")
def interest_notes(request):
    status = request.GET.get("status", "created")
    today = timezone.localdate()
    pool = pooling.chosen_pool(request)
    notes = (InterestNote.objects.filter(legal_entity=request.legal_entity)
             .filter(pooling.list_filter(request, pool, today))
             .select_related("customer", "item", "version__code").order_by("-note_date", "-pk"))
    if status in InterestNoteStatus.values:
        notes = notes.filter(status=status)
    return render(request, "collections/interest_notes.html", {
        "page_obj": Paginator(notes, 50).get_page(request.GET.get("page")), "status": status,
        "statuses": [("created", "Created, to post"), ("posted", "Posted"),
                     ("cancelled", "Cancelled"), ("reversed", "Reversed"), ("all", "All")],
        "today": today, **pooling.pool_context(request, pool)})


@require_POST
@page("collections.add_interestnote")
def interest_run(request):
    """Create interest notes up to a date for every customer (or post every created one)."""
    actor = Actor.web(request.user)
    try:
        if request.POST.get("post_all"):
            notes = list(InterestNote.objects.filter(
                legal_entity=request.legal_entity, status=InterestNoteStatus.CREATED).filter(
                pooling.list_filter(request, pooling.chosen_pool(request),
                                    timezone.localdate())))
            for note in notes:
                service.interest_note_post(note=note, actor=actor)
            messages.success(request, f"{len(notes)} interest note(s) posted.")
        else:
            made = service.interest_notes_create(
                legal_entity=request.legal_entity, to=posted_date(request, "to"), actor=actor,
                recalculate=bool(request.POST.get("recalculate")))
            messages.success(request, f"{len(made)} interest note(s) created, "
                                      f"{sum((n.total for n in made), Decimal(0)):f} in all.")
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "Give the date as YYYY-MM-DD.")
    return redirect("interest_notes")


@require_POST
@page("collections.add_interestnote")
def customer_interest(request, account_number: str):
    customer = _customer(request, account_number)
    try:
        made = service.interest_notes_create(legal_entity=request.legal_entity,
                                             to=posted_date(request, "to"), customers=[customer],
                                             actor=Actor.web(request.user))
        messages.success(request, f"{len(made)} interest note(s) created." if made else
                         "No interest to charge (nothing overdue long enough, or charged "
                         "already).")
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "Give the date as YYYY-MM-DD.")
    return redirect(f"/collections/customers/{customer.account_number}/#interest")


@require_POST
@page("collections.view_interestnote")
def note_action(request, note_id: int, action: str):
    """post, cancel, waive or reverse one note; each checks its own permission."""
    note = (InterestNote.objects.filter(legal_entity=request.legal_entity, pk=note_id)
            .select_related("customer").first())
    if note is None or not pooling.may_see(request, note.customer, timezone.localdate()):
        messages.error(request, "No such interest note.")
        return redirect("interest_notes")
    actor = Actor.web(request.user)
    reason = request.POST.get("reason", "")
    try:
        if action == "post":
            service.interest_note_post(note=note, actor=actor)
        elif action == "cancel":
            service.interest_note_cancel(note=note, actor=actor)
        elif action == "waive":
            text = request.POST.get("amount", "").strip()
            amount = typed_amount("amount", text) if text else None
            service.interest_waive(note=note, amount=amount, reason=reason, actor=actor)
        elif action == "reverse":
            service.interest_reverse(note=note, reason=reason, actor=actor)
        else:
            raise DomainError(f"unknown action {action}", code="action")
        messages.success(request, f"{note.number}: {action} done.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"/collections/customers/{note.customer.account_number}/#interest")


@require_POST
@page("collections.waive_interest")
def reinstate(request, adjustment_id: int):
    adjustment = (InterestAdjustment.objects.filter(note__legal_entity=request.legal_entity,
                                                    pk=adjustment_id)
                  .select_related("note__customer").first())
    if adjustment is None or not pooling.may_see(request, adjustment.note.customer,
                                                 timezone.localdate()):
        messages.error(request, "No such waiver.")
        return redirect("interest_notes")
    try:
        service.interest_reinstate(adjustment=adjustment, reason=request.POST.get("reason", ""),
                                   actor=Actor.web(request.user))
        messages.success(request, f"{adjustment.note.number}: waived interest reinstated.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"/collections/customers/{adjustment.note.customer.account_number}/"
                    "#interest")
