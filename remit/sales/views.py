"""Sales order pages: the list, a new order, one order with its steps, credit checks and
holds. Posting a step goes through the credit checkpoint; a held order says so and shows why."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.api_auth import plausible_date
from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.core.forms import posted_date
from remit.core.scope import scope_of
from remit.credit.models import CreditHold, CreditReason, HoldStatus, ReasonType
from remit.receivables import selectors as receivables
from remit.receivables.forms import (
    EntityForm,
    form_errors,
    line_rows,
    line_specs,
    revenue_accounts,
    tax_codes,
)
from remit.receivables.models import CashDiscountTerms, CustomerStatus, PaymentTerms
from remit.receivables.services import parameters_for

from . import services
from .models import OrderStatus, PostingStep, SalesOrder


class OrderForm(EntityForm):
    customer = forms.CharField(max_length=20, label="Customer account",
                               help_text="Type a name or number to search.",
                               widget=forms.TextInput(attrs={"list": "customer-options",
                                                             "autocomplete": "off"}))
    order_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    payment_terms = forms.ModelChoiceField(PaymentTerms.objects.all(), required=False,
                                           help_text="Empty: the customer's.")
    cash_discount_terms = forms.ModelChoiceField(CashDiscountTerms.objects.all(), required=False,
                                                 help_text="Empty: the customer's.")
    your_reference = forms.CharField(max_length=100, required=False)
    exclude_from_credit = forms.BooleanField(required=False,
                                             label="Exclude from credit management")


def _order(request, number: str) -> SalesOrder:
    found = (SalesOrder.objects.filter(scope_of(request).q(), legal_entity=request.legal_entity,
                                       number=number)
             .select_related("customer", "payment_terms", "cash_discount_terms", "invoice")
             .first())
    if found is None:
        raise Http404(f"no sales order {number}")
    return found


@page("sales.view_salesorder")
def orders(request):
    qs = (SalesOrder.objects.filter(scope_of(request).q(), legal_entity=request.legal_entity)
          .select_related("customer")
          .annotate(on_hold=Exists(CreditHold.objects.filter(
              order=OuterRef("pk"), status__in=(HoldStatus.OPEN, HoldStatus.PENDING)))))
    status = request.GET.get("status", "")
    if status == "held":
        qs = qs.filter(on_hold=True)
    elif status in OrderStatus.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(customer__search_name__contains=q.casefold())
                       | Q(customer__account_number__startswith=q))
    page_obj = Paginator(qs.order_by("-order_date", "-number"), 50).get_page(
        request.GET.get("page"))
    return render(request, "sales/orders.html", {
        "page_obj": page_obj, "status": status, "q": q,
        "statuses": [("", "All"), ("held", "On credit hold"), *OrderStatus.choices]})


@page("sales.add_salesorder")
def order_new(request):
    entity = request.legal_entity
    initial = {"order_date": timezone.localdate(), "customer": request.GET.get("customer", "")}
    form = OrderForm(request.POST or None, initial=initial, legal_entity=entity)
    rows = line_rows(request.POST)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plausible_date("order_date", data["order_date"])
            customer = receivables.customer_by_number(scope_of(request), data["customer"].strip())
            order = services.sales_order_create(
                customer=customer, order_date=data["order_date"],
                payment_terms=data["payment_terms"],
                cash_discount_terms=data["cash_discount_terms"],
                your_reference=data["your_reference"],
                exclude_from_credit=data["exclude_from_credit"],
                lines=line_specs(entity, rows), actor=Actor.web(request.user))
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"Created {order}.")
            return redirect("sales_order", order.number)
    return render(request, "sales/order_form.html", {
        "form": form, "rows": rows, "accounts": revenue_accounts(entity),
        "taxes": tax_codes(entity), "default_tax": parameters_for(entity).default_tax_code_id,
        "customer_options": scope_of(request).customers()
        .exclude(status=CustomerStatus.BLOCKED).order_by("name")
        .values("account_number", "name")[:2000]})


@page("sales.view_salesorder")
def order(request, number: str):
    found = _order(request, number)
    return render(request, "sales/order.html", {
        "order": found, "lines": found.lines.select_related("tax_code"),
        "next_step": services.next_step(found),
        "steps": PostingStep.choices,
        "holds": found.credit_holds.prefetch_related("reasons")
        .select_related("release_reason", "forced_reason", "requested_by"),
        "checks": found.credit_checks.all()[:30],
        "hold_reasons": CreditReason.objects.filter(legal_entity=request.legal_entity,
                                                    kind=ReasonType.HOLD),
        "today": timezone.localdate()})


@require_POST
@page("sales.post_salesorder")
def order_post(request, number: str):
    found = _order(request, number)
    try:
        on = posted_date(request, "on")
        result = services.sales_order_post(order=found, step=request.POST.get("step", ""),
                                           on=on, pro_forma=bool(request.POST.get("pro_forma")),
                                           actor=Actor.web(request.user))
        (messages.success if result.posted else messages.warning)(request, result.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sales_order", found.number)


@require_POST
@page("sales.change_salesorder")
def order_cancel(request, number: str):
    found = _order(request, number)
    try:
        services.sales_order_cancel(order=found, reason=request.POST.get("reason", ""),
                                    actor=Actor.web(request.user))
        messages.success(request, f"{found} cancelled.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sales_order", found.number)
