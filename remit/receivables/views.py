"""Receivables pages: customers (list, new, the customer page with its open items, history and
settlements), invoices and credit notes (list, edit, post, credit, correct), registering a
payment against marked items, and unsettling."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.api_auth import plausible_date
from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError, InvalidInput
from remit.core.money import Money
from remit.core.scope import scope_of

from . import documents, selectors, services
from .forms import (
    CustomerEditForm,
    CustomerForm,
    InvoiceHeaderForm,
    PaymentForm,
    form_errors,
    line_rows,
    line_specs,
    revenue_accounts,
    tax_codes,
)
from .models import CustomerStatus, InvoiceKind, InvoiceStatus, Settlement


@page("receivables.view_customer")
def customers(request):
    q = request.GET.get("q", "").strip()
    qs = selectors.customers_list(scope_of(request), text=q or None,
                                  group=request.GET.get("group") or None)
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "receivables/_customers_table.html" if request.htmx else "receivables/customers.html"
    return render(request, template, {"page_obj": page_obj, "q": q})


@page("receivables.add_customer")
def customer_new(request):
    entity = request.legal_entity
    form = CustomerForm(request.POST or None, legal_entity=entity)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contacts = ([services.ContactSpec(data["contact_name"], data["contact_email"],
                                          data["contact_phone"], is_collections=True)]
                    if data["contact_name"] else [])
        addresses = ([services.AddressSpec(data["street"], data["city"],
                                           data["country"] or entity.country,
                                           data["postal_code"])] if data["street"] else [])
        try:
            customer = services.customer_create(
                legal_entity=entity, account_number=data["account_number"], name=data["name"],
                group=data["group"], currency=data["currency"],
                payment_terms=data["payment_terms"],
                cash_discount_terms=data["cash_discount_terms"], language=data["language"],
                salesperson=data["salesperson"],
                organisation_number=data["organisation_number"],
                customer_since=timezone.localdate(), contacts=contacts, addresses=addresses,
                actor=Actor.web(request.user))
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"Customer {customer} created.")
            return redirect("customer", customer.account_number)
    return render(request, "receivables/customer_form.html", {"form": form, "new": True})


@page("receivables.view_customer")
def customer(request, account_number: str):
    found = selectors.customer_by_number(scope_of(request), account_number)
    today = timezone.localdate()
    items = list(selectors.open_items(found))
    for item in items:
        item.offer_discount, item.offer_net = selectors.discount_offer(item, today)
        item.overdue_days = (today - item.due_date).days if item.amount > 0 else 0
    return render(request, "receivables/customer.html", {
        "customer": found, "summary": selectors.customer_summary(found, today),
        "items": items, "today": today,
        "history": selectors.transactions(found)[:50],
        "settlements": selectors.settlements(found)[:20],
    })


@page("receivables.change_customer")
def customer_edit(request, account_number: str):
    found = selectors.customer_by_number(scope_of(request), account_number)
    initial = {"name": found.name, "group": found.group, "status": found.status,
               "payment_terms": found.payment_terms,
               "cash_discount_terms": found.cash_discount_terms, "language": found.language,
               "salesperson": found.salesperson,
               "organisation_number": found.organisation_number}
    form = CustomerEditForm(request.POST or None, initial=initial,
                            legal_entity=request.legal_entity)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
        try:
            services.customer_update(customer=found, actor=Actor.web(request.user), **changes)
        except DomainError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{found} saved.")
            return redirect("customer", found.account_number)
    return render(request, "receivables/customer_form.html",
                  {"form": form, "customer": found, "new": False})


def _as_of(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


@page("receivables.view_customertransaction")
def customer_statement(request, account_number: str):
    found = selectors.customer_by_number(scope_of(request), account_number)
    as_of = _as_of(request)
    response = HttpResponse(documents.statement_pdf(found, as_of), content_type="application/pdf")
    response["Content-Disposition"] = (f'inline; filename="statement-{found.account_number}-'
                                       f'{as_of.isoformat()}.pdf"')
    return response


@page("receivables.view_customertransaction")
def customer_open_items_xlsx(request, account_number: str):
    found = selectors.customer_by_number(scope_of(request), account_number)
    as_of = _as_of(request)
    response = HttpResponse(
        documents.open_items_xlsx(found, as_of),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (f'attachment; filename="open-items-{found.account_number}-'
                                       f'{as_of.isoformat()}.xlsx"')
    return response


@page("receivables.view_customertransaction")
def transactions(request):
    today = timezone.localdate()

    def day(name):
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    qs = selectors.transactions_list(
        scope_of(request), state=request.GET.get("state") or None,
        kind=request.GET.get("kind") or None, text=request.GET.get("q") or None, as_of=today,
        due_from=day("due_from"), due_to=day("due_to"))
    page_obj = Paginator(qs, 50).get_page(request.GET.get("page"))
    for item in page_obj:
        item.days_overdue = (today - item.due_date).days if (
            item.is_open and item.amount > 0 and item.due_date < today) else 0
    from .models import TransactionKind

    return render(request, "receivables/transactions.html", {
        "page_obj": page_obj, "filters": request.GET, "kinds": TransactionKind.choices})


# --- invoices -------------------------------------------------------------------------------

@page("receivables.view_invoice")
def invoices(request):
    f = {"status": request.GET.get("status") or None, "kind": request.GET.get("kind") or None,
         "text": request.GET.get("q") or None}
    page_obj = Paginator(selectors.invoices_list(scope_of(request), **f), 50).get_page(
        request.GET.get("page"))
    for invoice_row in page_obj:  # shown positive for credit notes too
        invoice_row.open_amount = (None if invoice_row.open_signed is None
                                   else abs(invoice_row.open_signed))
    return render(request, "receivables/invoices.html", {
        "page_obj": page_obj, "filters": request.GET,
        "statuses": InvoiceStatus.choices, "kinds": InvoiceKind.choices})


def _invoice_form(request, *, invoice=None, customer_obj=None, kind=InvoiceKind.INVOICE):
    entity = request.legal_entity
    initial = ({"invoice_date": invoice.invoice_date, "due_date": invoice.due_date,
                "your_reference": invoice.your_reference, "reason": invoice.reason}
               if invoice else {"invoice_date": timezone.localdate()})
    form = InvoiceHeaderForm(request.POST or None, initial=initial, legal_entity=entity)
    rows = line_rows(request.POST, invoice)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = Actor.web(request.user)
        try:
            plausible_date("invoice_date", data["invoice_date"])
            specs = line_specs(entity, rows)
            with transaction.atomic():  # a post that fails leaves no draft and no edits
                saved = _invoice_save(invoice, customer_obj, kind, data, specs, actor)
                if "post" in request.POST:
                    saved = services.invoice_post(invoice=saved, actor=actor)
            invoice = saved
            messages.success(request, f"Posted {saved.number}." if "post" in request.POST
                             else "Draft saved.")
        except DomainError as exc:
            form_errors(form, exc)
            for loc, msg in exc.errors:
                if len(loc) == 3 and loc[0] == "lines" and isinstance(loc[1], int):
                    filled = [r for r in rows if r["description"] or r["unit_price"]]
                    if loc[1] < len(filled):
                        filled[loc[1]]["error"] = msg
        else:
            return redirect("invoice", invoice.pk)
    target = customer_obj or invoice.customer
    return render(request, "receivables/invoice_form.html", {
        "form": form, "rows": rows, "invoice": invoice, "customer": target,
        "kind": invoice.kind if invoice else kind,
        "accounts": revenue_accounts(entity), "taxes": tax_codes(entity),
        "default_tax": target.tax_code_id or services.parameters_for(entity).default_tax_code_id})


def _invoice_save(invoice, customer_obj, kind, data, specs, actor):
    if invoice is None:
        return services.invoice_create(
            customer=customer_obj, invoice_date=data["invoice_date"], kind=kind,
            due_date=data["due_date"], your_reference=data["your_reference"],
            reason=data["reason"], lines=specs, actor=actor)
    _update_header(invoice, data)
    return services.invoice_lines_replace(invoice=invoice, lines=specs, actor=actor)


def _update_header(invoice, data) -> None:
    # header fields of a draft; the service re-reads and checks them when posting
    invoice.invoice_date = data["invoice_date"]
    invoice.due_date = data["due_date"]
    invoice.your_reference = data["your_reference"]
    invoice.reason = data["reason"]
    if invoice.due_date and invoice.due_date < invoice.invoice_date:
        raise InvalidInput.field("due_date", "cannot be before the invoice date")
    invoice.save(update_fields=["invoice_date", "due_date", "your_reference", "reason"])


@page("receivables.add_invoice")
def invoice_new(request, account_number: str):
    found = selectors.customer_by_number(scope_of(request), account_number)
    kind = request.GET.get("kind", InvoiceKind.INVOICE)
    if found.status == CustomerStatus.BLOCKED and kind == InvoiceKind.INVOICE:
        messages.error(request, f"{found} is blocked; no new invoices.")
        return redirect("customer", found.account_number)
    return _invoice_form(request, customer_obj=found,
                         kind=kind if kind in InvoiceKind.values else InvoiceKind.INVOICE)


@page("receivables.view_invoice")
def invoice(request, invoice_id: int):
    found = selectors.invoice_detail(scope_of(request), invoice_id)
    return render(request, "receivables/invoice.html",
                  {"invoice": found, "item": found.transactions.first(),
                   "today_iso": timezone.localdate().isoformat()})


@page("receivables.change_invoice")
def invoice_edit(request, invoice_id: int):
    found = selectors.invoice_detail(scope_of(request), invoice_id)
    if found.status != InvoiceStatus.DRAFT:
        messages.error(request, f"{found} is posted; credit or correct it instead.")
        return redirect("invoice", found.pk)
    return _invoice_form(request, invoice=found)


@require_POST
@page("receivables.change_invoice")
def invoice_delete(request, invoice_id: int):
    found = selectors.invoice_detail(scope_of(request), invoice_id)
    try:
        services.invoice_draft_delete(invoice=found, actor=Actor.web(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("invoice", found.pk)
    messages.success(request, f"Draft {found.get_kind_display()} discarded.")
    return redirect("customer", found.customer.account_number)


@require_POST
@page("receivables.post_invoice")
def invoice_post(request, invoice_id: int):
    found = selectors.invoice_detail(scope_of(request), invoice_id)
    try:
        posted = services.invoice_post(invoice=found, actor=Actor.web(request.user))
        messages.success(request, f"Posted {posted.number}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("invoice", found.pk)


@require_POST
@page("receivables.add_invoice")
def invoice_credit(request, invoice_id: int):
    """A draft credit note for the whole invoice, to adjust and post."""
    found = selectors.invoice_detail(scope_of(request), invoice_id)
    try:
        draft = services.invoice_create(
            customer=found.customer, invoice_date=timezone.localdate(),
            kind=InvoiceKind.CREDIT_NOTE, original=found,
            reason=request.POST.get("reason", "") or f"Credit for {found.number}",
            lines=[services.LineSpec(line.description, line.unit_price, line.quantity,
                                     line.revenue_account, line.tax_code)
                   for line in found.lines.all()], actor=Actor.web(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("invoice", found.pk)
    return redirect("invoice_edit", draft.pk)


@require_POST
@page("receivables.post_invoice")
def invoice_correct(request, invoice_id: int):
    found = selectors.invoice_detail(scope_of(request), invoice_id)
    try:
        on = date.fromisoformat(request.POST.get("correction_date", ""))
    except ValueError:
        messages.error(request, "Give the correction date as YYYY-MM-DD.")
        return redirect("invoice", found.pk)
    try:
        plausible_date("correction_date", on)
        draft = services.invoice_correction_start(
            invoice=found, correction_date=on, reason=request.POST.get("reason", ""),
            actor=Actor.web(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("invoice", found.pk)
    messages.info(request, "Edit the corrected invoice and post it: the original is then "
                           "cancelled by a credit note settled against it.")
    return redirect("invoice_edit", draft.pk)


# --- payments and settlement ----------------------------------------------------------------

@page("receivables.post_paymentjournal")
def payment_new(request, account_number: str):
    entity = request.legal_entity
    found = selectors.customer_by_number(scope_of(request), account_number)
    today = timezone.localdate()
    form = PaymentForm(request.POST or None, legal_entity=entity,
                       initial={"payment_date": today, "method": "bank_transfer",
                                "bank_account": _default_bank(entity)})
    items = [i for i in selectors.open_items(found)]
    on = today
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["payment_date"]
    elif request.GET.get("on") or request.GET.get("payment_date"):  # htmx sends the field
        try:
            on = date.fromisoformat(request.GET.get("on") or request.GET["payment_date"])
        except ValueError:
            pass
    for item in items:
        item.offer_discount, item.offer_net = selectors.discount_offer(item, on)
    marked = set(request.POST.getlist("mark") or request.GET.getlist("mark"))
    if request.htmx and request.method == "GET":  # the payment date changed: new offers
        return render(request, "receivables/_payment_items.html",
                      {"items": items, "marked": marked, "customer": found})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        marks = [services.MarkSpec(i) for i in items if str(i.pk) in marked]
        try:
            plausible_date("payment_date", data["payment_date"])
            payment = services.payment_register(
                customer=found, payment_date=data["payment_date"],
                amount=Money(data["amount"], found.currency), bank_account=data["bank_account"],
                method=data["method"], reference=data["reference"], marks=marks,
                full_settlement=data["full_settlement"], actor=Actor.web(request.user))
        except DomainError as exc:
            form_errors(form, exc)
        else:
            payment.refresh_from_db()
            left = -payment.open_amount
            note = f" {left:,.2f} {found.currency} of it is not settled yet." if left else ""
            messages.success(request, f"Payment {payment.document_number} registered.{note}")
            return redirect("customer", found.account_number)
    return render(request, "receivables/payment_form.html", {
        "form": form, "customer": found, "items": items, "marked": marked})


def _default_bank(entity):
    from .models import BankAccount

    return BankAccount.objects.filter(legal_entity=entity, is_active=True).order_by("code").first()


@require_POST
@page("receivables.change_settlement")
def settlement_reverse(request, settlement_id: int):
    found = Settlement.objects.filter(scope_of(request).q(), legal_entity=request.legal_entity,
                                      pk=settlement_id).select_related("customer").first()
    if found is None:
        from django.http import Http404

        raise Http404("No such settlement")
    try:
        services.settlement_reverse(settlement=found, on=timezone.localdate(),
                                    reason=request.POST.get("reason", "") or "unsettled",
                                    actor=Actor.web(request.user))
        messages.success(request, "Settlement reversed: the items are open again.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("customer", found.customer.account_number)


@require_POST
@page("receivables.change_settlement")
def settle_auto(request, account_number: str):
    found = selectors.customer_by_number(scope_of(request), account_number)
    try:
        made = services.settle_automatically(customer=found, on=timezone.localdate(),
                                             actor=Actor.web(request.user))
        messages.success(request, f"{len(made)} settlement(s) made, by due date.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("customer", found.account_number)
