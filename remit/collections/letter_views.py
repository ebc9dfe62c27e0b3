"""Collection letter pages: the list (create the letters due, post what was created, print,
email) and one letter's PDF."""

from __future__ import annotations


from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError

from . import letters as service
from . import pools as pooling
from .models import CollectionLetter
from .views import collections_contact, posted_date


@page("collections.view_collectionletter")
def letters_list(request):
    status = request.GET.get("status", "created")
    today = timezone.localdate()
    pool = pooling.chosen_pool(request)
    letters = (CollectionLetter.objects.filter(legal_entity=request.legal_entity)
               .filter(pooling.list_filter(request, pool, today))
               .select_related("customer", "level", "fee_item")
               .order_by("-letter_date", "-pk"))
    if status in ("created", "posted", "cancelled"):
        letters = letters.filter(status=status)
    return render(request, "collections/letters.html", {
        "page_obj": Paginator(letters, 50).get_page(request.GET.get("page")), "status": status,
        "statuses": [("created", "Created, to post"), ("posted", "Posted"),
                     ("cancelled", "Cancelled"), ("all", "All")],
        "today": today, **pooling.pool_context(request, pool)})


@require_POST
@page("collections.add_collectionletter")
def letters_run(request):
    actor = Actor.web(request.user)
    try:
        if request.POST.get("post_all"):
            created = list(CollectionLetter.objects.filter(
                legal_entity=request.legal_entity, status="created").filter(
                pooling.list_filter(request, pooling.chosen_pool(request),
                                    timezone.localdate())))
            for letter in created:
                service.letter_post(letter=letter, actor=actor)
            messages.success(request, f"{len(created)} letter(s) posted.")
        else:
            made = service.letters_create(legal_entity=request.legal_entity,
                                          on=posted_date(request, "on"), actor=actor)
            messages.success(request, f"{len(made)} collection letter(s) created.")
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "Give the date as YYYY-MM-DD.")
    return redirect("letters")


def _letter(request, letter_id: int) -> CollectionLetter | None:
    letter = (CollectionLetter.objects.filter(legal_entity=request.legal_entity, pk=letter_id)
              .select_related("customer__legal_entity", "level").first())
    if letter is None or not pooling.may_see(request, letter.customer, timezone.localdate()):
        return None
    return letter


@page("collections.view_collectionletter")
def letter_pdf(request, letter_id: int):
    letter = _letter(request, letter_id)
    if letter is None:
        messages.error(request, "No such letter.")
        return redirect("letters")
    response = HttpResponse(service.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.number}.pdf"'
    return response


@require_POST
@page("collections.add_collectionletter")
def letter_action(request, letter_id: int, action: str):
    letter = _letter(request, letter_id)
    if letter is None:
        messages.error(request, "No such letter.")
        return redirect("letters")
    actor = Actor.web(request.user)
    try:
        if action == "post":
            service.letter_post(letter=letter, actor=actor)
        elif action == "cancel":
            service.letter_cancel(letter=letter, actor=actor)
        elif action == "email":
            contact = collections_contact(letter.customer)
            service.letter_email(letter=letter, actor=actor,
                                 to=request.POST.get("to") or (contact.email if contact else ""))
        else:
            raise DomainError(f"unknown action {action}", code="action")
        messages.success(request, f"{letter.number}: {action} done.")
    except DomainError as exc:
        messages.error(request, exc.message)
    except OSError as exc:
        messages.error(request, f"The mail server did not take the message: {exc}")
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/collections/") else "letters")


@page("collections.view_activity")
def automation(request):
    """What collections process automation did, newest first; run it now for today."""
    from .models import CollectionsProcess, ProcessRun

    runs = (ProcessRun.objects.filter(legal_entity=request.legal_entity)
            .select_related("customer", "step__process", "invoice").order_by("-run_on", "-pk"))
    return render(request, "collections/automation.html", {
        "page_obj": Paginator(runs, 50).get_page(request.GET.get("page")),
        "processes": CollectionsProcess.objects.filter(legal_entity=request.legal_entity)
        .select_related("pool").prefetch_related("steps")})


@require_POST
@page("collections.add_activity")
def automation_run_now(request):
    from .automation import automation_run

    try:
        runs = automation_run(legal_entity=request.legal_entity, on=timezone.localdate(),
                              actor=Actor.web(request.user))
        messages.success(request, f"{len(runs)} automated step(s) today.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("automation")
