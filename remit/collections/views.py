"""Collections pages: aged balances (the current snapshot, per customer) and the Collections
page of one customer, where an agent works: balances and aging, contacts, open items with
their collection status, settling marked items."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.api_auth import plausible_date
from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.forms import posted_date, whole_number  # noqa: F401 - the forms use posted_date
from remit.core.money import ZERO
from remit.core.scope import scope_of
from remit.receivables import selectors as receivables
from remit.receivables.models import (
    CollectionStatus,
    CustomerTransaction,
    WriteOffLimit,
    WriteOffReason,
)
from remit.receivables.services import (
    MarkSpec,
    customer_write_off,
    parameters_for,
    payment_bounce,
    settle,
)

from . import activities as work
from . import pools as pooling
from . import services
from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AgingPeriodDefinition,
    AgingSnapshot,
    CaseCategory,
    CaseStatus,
    CollectionsCase,
    EmailTemplate,
)

SORTS = {"total": "-total_due", "overdue": "-overdue", "name": "customer__name",
         "oldest": "oldest_due"}


def _definition(request) -> AgingPeriodDefinition:
    """The one asked for, else the pool's (when the page is reached through a pool), else the
    legal entity's default."""
    code = request.GET.get("definition")
    if not code and request.GET.get("pool"):
        pool = pooling.chosen_pool(request)
        if pool is not None and pool.aging_definition is not None:
            return pool.aging_definition
    return services.definition_for(request.legal_entity, code or None)


@page("collections.view_agingsnapshot")
def aged_balances(request):
    pool = pooling.chosen_pool(request)
    definition = (services.definition_for(request.legal_entity, request.GET["definition"])
                  if request.GET.get("definition") else
                  pool.aging_definition if pool and pool.aging_definition else
                  _definition(request))
    today = timezone.localdate()
    # the pool's own snapshot when it has one, else the snapshot of all customers, filtered
    snapshot = (pool and AgingSnapshot.objects.filter(definition=definition, pool=pool,
                                                      is_current=True).first()) or \
        AgingSnapshot.objects.filter(definition=definition, pool__isnull=True,
                                     is_current=True).first()
    lines = page_obj = None
    if snapshot is not None:
        lines = (snapshot.lines.select_related("customer")
                 .filter(pooling.list_filter(request, pool, snapshot.as_of))
                 .order_by(SORTS.get(request.GET.get("sort"), "-total_due"), "customer_id"))
        q = request.GET.get("q", "").strip()
        if q:
            lines = lines.filter(Q(customer__search_name__contains=q.casefold())
                                 | Q(customer__account_number__startswith=q))
        if request.GET.get("overdue_only"):
            lines = lines.filter(overdue__gt=0)
        page_obj = Paginator(lines, 50).get_page(request.GET.get("page"))
        n = len(snapshot.labels)
        for line in page_obj:
            line.bucket_values = line.buckets(n)
            line.oldest_index = max((i for i, v in enumerate(line.bucket_values) if v > 0),
                                    default=None)
            line.oldest_label = (snapshot.labels[line.oldest_index]
                                 if line.oldest_index is not None else "")
            line.orders = line.open_orders + line.packing_slips
            line.over_limit = (line.credit_limit is not None
                               and line.total_due + line.orders > line.credit_limit)
    return render(request, "collections/aged_balances.html", {
        "snapshot": snapshot, "definition": definition, "page_obj": page_obj,
        "definitions": AgingPeriodDefinition.objects.filter(legal_entity=request.legal_entity),
        "filters": request.GET, "today": today, **pooling.pool_context(request, pool)})


@require_POST
@page("collections.add_agingsnapshot")
def age_now(request):
    definition = _definition(request)
    try:
        on = date.fromisoformat(request.POST.get("as_of", "")) if request.POST.get("as_of") \
            else timezone.localdate()
        plausible_date("as_of", on)
        pool = pooling.chosen_pool(request) if request.GET.get("pool") else None
        snapshot = services.snapshot_create(legal_entity=request.legal_entity, as_of=on,
                                            definition=definition, pool=pool,
                                            actor=Actor.web(request.user))
        messages.success(request, f"{snapshot.customers} customers "
                                  f"{f'of pool {pool.code} ' if pool else ''}aged as of {on} "
                                  f"in {snapshot.seconds} s.")
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "Give the date as YYYY-MM-DD."))
    pool_arg = f"&pool={request.GET['pool']}" if request.GET.get("pool") else ""
    return redirect(f"/collections/?definition={definition.code}{pool_arg}")


def _customer(request, account_number: str):
    """The customer, when this user may work it (agents limited to pools: their pools')."""
    customer = receivables.customer_by_number(scope_of(request), account_number)
    if not pooling.may_see(request, customer, timezone.localdate()):
        raise Http404("not in your customer pools")
    return customer


def _id(request, field: str) -> int | None:
    value = request.POST.get(field, "")
    if not value:
        return None
    if whole_number(value) is None:
        raise DomainError(f"{field}: choose one from the list", code=field)
    return int(value)


def collections_contact(customer):
    """The collections contact, else the primary contact, else the first (seed 003)."""
    contacts = list(customer.contacts.all())
    return (next((c for c in contacts if c.is_collections), None)
            or next((c for c in contacts if c.is_primary), None)
            or (contacts[0] if contacts else None))


@page("collections.view_agingsnapshot")
def customer_page(request, account_number: str):
    customer = _customer(request, account_number)
    today = timezone.localdate()
    definition = _definition(request)
    show = request.GET.get("show", "open")
    items = (CustomerTransaction.objects.filter(customer=customer)
             .select_related("invoice", "reversed_by", "payment_line")
             .order_by("due_date", "id"))
    if show == "open":
        items = items.filter(is_open=True)
    items = list(items[:300])
    for item in items:
        item.days_overdue = (today - item.due_date).days if (
            item.is_open and item.amount > 0 and item.due_date < today) else 0
        item.can_bounce = (item.kind == "payment" and item.payment_line_id is not None
                           and not hasattr(item, "reversed_by"))
    return render(request, "collections/customer.html", {
        "customer": customer, "aging": services.aging_for_customer(customer, definition, today),
        "summary": receivables.customer_summary(customer, today), "items": items,
        "contact": collections_contact(customer), "definition": definition, "show": show,
        "definitions": AgingPeriodDefinition.objects.filter(legal_entity=request.legal_entity),
        "statuses": [c for c in CollectionStatus.choices
                     if c[0] != CollectionStatus.PROMISE_BROKEN],
        "reasons": WriteOffReason.objects.filter(legal_entity=request.legal_entity),
        "default_reason": parameters_for(request.legal_entity).default_write_off_reason_id,
        "cases": customer.collections_cases.select_related("category", "owner")
        .prefetch_related("transactions").order_by("status", "-opened_on")[:50],
        "activities": _customer_activities(request, customer),
        "email_templates": EmailTemplate.objects.filter(legal_entity=request.legal_entity),
        "letters": customer.collection_letters.select_related("level")
        .order_by("-letter_date", "-pk")[:20],
        "interest_notes": customer.interest_notes.select_related("item")
        .prefetch_related("adjustments__by").order_by("-note_date", "-pk")[:30],
        "activity_filter": request.GET.get("activities", "open"),
        "kinds": ActivityKind.choices,
        "categories": CaseCategory.objects.filter(legal_entity=request.legal_entity),
        "users": work.assignable_users(request.legal_entity),
        "open_count": sum(1 for i in items if i.is_open),
        "write_off": _write_off_reach(request, customer),
        "today": today})


def _write_off_reach(request, customer) -> dict:
    """The user's write-off limit beside the balance it would close (both in the accounting
    currency), so the page says before the click whether the write-off is theirs to make."""
    limit = WriteOffLimit.objects.filter(legal_entity=request.legal_entity,
                                         user=request.user).first()
    open_acc = customer.transactions.filter(is_open=True).aggregate(
        total=Sum(F("amount_acc") - F("settled_acc")))["total"] or ZERO
    return {"limit": limit.max_amount if limit else None, "balance": open_acc,
            "currency": request.legal_entity.accounting_currency,
            "allowed": limit is not None and open_acc <= limit.max_amount}


def _selected(request, customer):
    ids = [int(i) for i in request.POST.getlist("item") if i.isdigit()]
    return list(CustomerTransaction.objects.filter(customer=customer, pk__in=ids))


@require_POST
@page("collections.change_collection_status")
def set_status(request, account_number: str):
    customer = _customer(request, account_number)
    try:
        promise = request.POST.get("promise_date") or None
        count = services.collection_status_set(
            items=_selected(request, customer), status=request.POST.get("status", ""),
            promise_date=date.fromisoformat(promise) if promise else None,
            note=request.POST.get("note", ""), actor=Actor.web(request.user))
        messages.success(request, f"{count} item(s) updated.")
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "Give the promise date as YYYY-MM-DD.")
    return redirect("collections_customer", customer.account_number)


@require_POST
@page("receivables.change_settlement")
def settle_marked(request, account_number: str):
    """Settle the marked items against each other (payments and credit notes against
    invoices), oldest first."""
    customer = _customer(request, account_number)
    selected = _selected(request, customer)
    credits = [i for i in selected if i.amount < 0]
    debits = [i for i in selected if i.amount > 0]
    today = timezone.localdate()
    try:
        if not credits or not debits:
            raise DomainError("Mark at least one payment or credit note and one invoice.",
                              code="marks")
        made = 0
        for credit in sorted(credits, key=lambda c: (c.document_date, c.pk)):
            open_debits = [d for d in CustomerTransaction.objects.filter(
                pk__in=[x.pk for x in debits], is_open=True)]
            if not open_debits:
                break
            payment = credit if credit.kind == "payment" else None
            marks = [MarkSpec(d) for d in open_debits] + ([] if payment else [MarkSpec(credit)])
            if settle(customer=customer, on=today, payment=payment, marks=marks, kind="payment",
                      actor=Actor.web(request.user), skip_settled=True):
                made += 1
        messages.success(request, f"{made} settlement(s) made.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("collections_customer", customer.account_number)


@require_POST
@page("receivables.write_off")
def write_off(request, account_number: str):
    """Write off the customer's open balance (every open item, netted per currency) or only
    the items marked in the list (scope=marked), with a reason code and comment."""
    customer = _customer(request, account_number)
    try:
        items = None
        if request.POST.get("scope") == "marked":
            items = _selected(request, customer)
            if not items:
                raise DomainError("items: mark the items to write off in the list",
                                  code="items")
        reason_id = _id(request, "reason")
        reason = WriteOffReason.objects.filter(legal_entity=request.legal_entity,
                                               pk=reason_id).first() if reason_id else None
        if reason is None:  # on the page a person names the reason; no silent default
            raise DomainError("reason: choose a write-off reason" if not reason_id
                              else "reason: no such write-off reason", code="reason")
        made = customer_write_off(customer=customer, on=posted_date(request, "on"),
                                  reason=reason, comment=request.POST.get("comment", ""),
                                  items=items, actor=Actor.web(request.user))
        messages.success(request, "Written off: " + ", ".join(
            f"{s.journal_entry.number if s.journal_entry else 'netted'} "
            f"({s.reason.code})" for s in made) + ".")
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "Give the date as YYYY-MM-DD.")
    return redirect("collections_customer", customer.account_number)


@require_POST
@page("receivables.register_nsf")
def bounce(request, account_number: str, item_id: int):
    """Register a payment as bounced (NSF): reopen what it paid, charge the bank's fee."""
    customer = _customer(request, account_number)
    payment = CustomerTransaction.objects.filter(customer=customer, pk=item_id).first()
    try:
        if payment is None:
            raise DomainError(f"{customer.account_number} has no such transaction",
                              code="not_found")
        done = payment_bounce(payment=payment, on=posted_date(request, "nsf_on"),
                              reason=request.POST.get("nsf_reason", ""),
                              actor=Actor.web(request.user))
        fee = f"; fee {done.fee.document_number} charged" if done.fee else ""
        messages.success(request, f"{payment.document_number} bounced: "
                                  f"{', '.join(done.reopened) or 'nothing'} reopened{fee}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "Give the date as YYYY-MM-DD.")
    return redirect(f"/collections/customers/{customer.account_number}/?show=all")


# --- activities and cases --------------------------------------------------------------------

def _customer_activities(request, customer):
    activities = customer.collections_activities.select_related("owner", "case")
    if request.GET.get("activities", "open") == "open":
        activities = activities.filter(status=ActivityStatus.OPEN)
    return activities.order_by("due_on", "id")[:100]


def _user(request):
    from django.contrib.auth import get_user_model

    pk = request.POST.get("owner")
    return get_user_model().objects.filter(pk=pk).first() if pk and pk.isdigit() else None


def _back(customer, fragment=""):
    return redirect(f"/collections/customers/{customer.account_number}/{fragment}")


@require_POST
@page("collections.add_activity")
def activity_add(request, account_number: str):
    customer = _customer(request, account_number)
    try:
        case_id = _id(request, "case")
        case = CollectionsCase.objects.filter(customer=customer, pk=case_id).first() \
            if case_id else None
        if case_id and case is None:
            raise DomainError("case: no such case of this customer", code="case")
        activity = work.activity_create(
            customer=customer, kind=request.POST.get("kind", ""),
            purpose=request.POST.get("purpose", ""), due_on=posted_date(request, "due_on"),
            notes=request.POST.get("notes", ""), owner=_user(request), case=case,
            actor=Actor.web(request.user))
        messages.success(request, f"{activity.get_kind_display().capitalize()} planned for "
                                  f"{activity.due_on}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, "Give the due date as YYYY-MM-DD.")
    return _back(customer, "#activities")


@require_POST
@page("collections.change_activity")
def activity_done(request, activity_id: int):
    activity = Activity.objects.filter(legal_entity=request.legal_entity,
                                       pk=activity_id).select_related("customer").first()
    if activity is None or not pooling.may_see(request, activity.customer,
                                               timezone.localdate()):
        messages.error(request, "No such activity.")
        return redirect("collections_activities")
    try:
        work.activity_close(activity=activity, outcome=request.POST.get("outcome", ""),
                            status=request.POST.get("status", ActivityStatus.DONE),
                            actor=Actor.web(request.user))
        messages.success(request, f"Closed: {activity.purpose}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/collections/") else "collections_activities")


@require_POST
@page("collections.add_collectionscase")
def case_add(request, account_number: str):
    customer = _customer(request, account_number)
    try:
        category = CaseCategory.objects.filter(legal_entity=request.legal_entity,
                                               pk=_id(request, "category") or 0).first()
        if category is None:
            raise DomainError("Choose a case category.", code="category")
        case = work.case_open(customer=customer, category=category,
                              description=request.POST.get("description", ""),
                              transactions=_selected(request, customer), owner=_user(request),
                              actor=Actor.web(request.user))
        messages.success(request, f"{case.number} opened with {case.transactions.count()} "
                                  "transaction(s).")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(customer)


@require_POST
@page("collections.change_collectionscase")
def case_done(request, case_id: int):
    case = CollectionsCase.objects.filter(legal_entity=request.legal_entity,
                                          pk=case_id).select_related("customer").first()
    if case is None or not pooling.may_see(request, case.customer, timezone.localdate()):
        messages.error(request, "No such case.")
        return redirect("collections_cases")
    try:
        work.case_close(case=case, resolution=request.POST.get("resolution", ""),
                        actor=Actor.web(request.user))
        messages.success(request, f"{case.number} closed.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(case.customer)


@page("collections.view_activity")
def activities_list(request):
    """Every collections activity of the legal entity: mine or everyone's, open or closed,
    overdue first."""
    today = timezone.localdate()
    mine = request.GET.get("who", "mine") == "mine"
    status = request.GET.get("status", "open")
    pool = pooling.chosen_pool(request)
    activities = (Activity.objects.filter(legal_entity=request.legal_entity)
                  .filter(pooling.list_filter(request, pool, today))
                  .select_related("customer", "owner", "case"))
    if mine:
        activities = activities.filter(owner=request.user)
    if status == "open":
        activities = activities.filter(status=ActivityStatus.OPEN)
    elif status == "overdue":
        activities = activities.filter(status=ActivityStatus.OPEN, due_on__lt=today)
    elif status == "closed":
        activities = activities.exclude(status=ActivityStatus.OPEN)
    page_obj = Paginator(activities.order_by("due_on", "id"), 50).get_page(
        request.GET.get("page"))
    return render(request, "collections/activities.html", {
        "page_obj": page_obj, "mine": mine, "status": status, "today": today,
        "statuses": [("open", "Open"), ("overdue", "Overdue"), ("closed", "Done or cancelled"),
                     ("all", "All")], **pooling.pool_context(request, pool)})


@page("collections.view_collectionscase")
def cases_list(request):
    status = request.GET.get("status", "active")
    pool = pooling.chosen_pool(request)
    cases = (CollectionsCase.objects.filter(legal_entity=request.legal_entity)
             .filter(pooling.list_filter(request, pool, timezone.localdate()))
             .select_related("customer", "category", "owner"))
    if status == "active":
        cases = cases.exclude(status=CaseStatus.CLOSED)
    elif status == "closed":
        cases = cases.filter(status=CaseStatus.CLOSED)
    page_obj = Paginator(cases.order_by("-opened_on", "-id"), 50).get_page(
        request.GET.get("page"))
    return render(request, "collections/cases.html", {
        "page_obj": page_obj, "status": status,
        "statuses": [("active", "Open or in progress"), ("closed", "Closed"), ("all", "All")],
        **pooling.pool_context(request, pool)})


@require_POST
@page("collections.add_activity")
def email_customer(request, account_number: str):
    """Email the open items to the collections contact with a template."""
    from .email import email_open_items

    customer = _customer(request, account_number)
    try:
        template = EmailTemplate.objects.filter(legal_entity=request.legal_entity,
                                                pk=_id(request, "template") or 0).first()
        if template is None:
            raise DomainError("template: choose an email template", code="template")
        activity = email_open_items(customer=customer, template=template,
                                    as_of=timezone.localdate(),
                                    to=request.POST.get("to", ""),
                                    contact=collections_contact(customer),
                                    actor=Actor.web(request.user))
        messages.success(request, f"Email sent: {activity.purpose} ({activity.outcome}).")
    except DomainError as exc:
        messages.error(request, exc.message)
    except OSError as exc:  # SMTP unreachable or refused
        messages.error(request, f"The mail server did not take the message: {exc}")
    return redirect(f"/collections/customers/{customer.account_number}/#activities")
