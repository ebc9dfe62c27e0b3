"""Ledger pages: the journal entries browser, one entry, reversal, a general-journal entry
form, the chart of accounts with balances, and the ledger check."""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError, InvalidInput

from . import selectors, services
from .inputs import posting_lines
from .models import EntryStatus, Journal, JournalType, LedgerCheckRun


def _date(value: str | None, field: str | None = None) -> date | None:
    """A date typed in a form or query. Empty → None. Invalid → None for filters, or a clear
    error naming the field when ``field`` is given."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        if field is None:
            return None
        raise InvalidInput.field(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


@page("ledger.view_journalentry")
def entries(request):
    entity = request.legal_entity
    f = {
        "journal": request.GET.get("journal") or None,
        "status": request.GET.get("status") or None,
        "date_from": _date(request.GET.get("date_from")),
        "date_to": _date(request.GET.get("date_to")),
        "account": request.GET.get("account") or None,
        "text": request.GET.get("q") or None,
    }
    page_obj = Paginator(selectors.entries_list(entity, **f), 50).get_page(request.GET.get("page"))
    context = {"page_obj": page_obj, "filters": request.GET,
               "journals": Journal.objects.filter(legal_entity=entity),
               "statuses": EntryStatus.choices}
    template = "ledger/_entries_table.html" if request.htmx else "ledger/entries.html"
    return render(request, template, context)


@page("ledger.view_journalentry")
def entry(request, entry_id: int):
    found = selectors.entry_detail(request.legal_entity, entry_id)
    return render(request, "ledger/entry.html",
                  {"entry": found, "today_iso": timezone.localdate().isoformat()})


@require_POST
@page("ledger.reverse_journalentry")
def entry_reverse(request, entry_id: int):
    found = selectors.entry_detail(request.legal_entity, entry_id)
    today = timezone.localdate()
    try:
        reversal = services.journal_entry_reverse(
            entry=found, reversal_date=_date(request.POST.get("reversal_date"), "reversal_date"),
            reason=request.POST.get("reason", ""), actor=Actor.web(request.user), as_of=today)
    except DomainError as exc:
        context = {"entry": found, "error": exc.message, "today_iso": today.isoformat(),
                   "values": request.POST}
        template = "ledger/_reverse_form.html" if request.htmx else "ledger/entry.html"
        return render(request, template, context)
    messages.success(request, f"{found.number} reversed by {reversal.number}.")
    return _redirect(request, "entry", reversal.pk)


def _redirect(request, name: str, pk: int):
    from django.http import HttpResponse
    from django.urls import reverse

    url = reverse(name, args=[pk])
    if request.htmx:
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


LINE_ROWS = 6


@page("ledger.post_journalentry")
def entry_new(request):
    entity = request.legal_entity
    journals = Journal.objects.filter(legal_entity=entity, journal_type=JournalType.DAILY,
                                      is_active=True)
    error, field_errors, values = None, {}, request.POST
    rows = [{"i": i, "n": i + 1,
             "account": values.get(f"account_{i}", ""), "text": values.get(f"text_{i}", ""),
             "debit": values.get(f"debit_{i}", ""), "credit": values.get(f"credit_{i}", "")}
            for i in range(LINE_ROWS)]
    if request.method == "POST":
        filled = [r for r in rows if r["account"] or r["debit"] or r["credit"]]
        try:
            posted = services.manual_entry_post(
                legal_entity=entity,
                journal=selectors.journal_by_code(entity, values.get("journal", "GJ")),
                entry_date=_date(values.get("entry_date"), "entry_date"),
                description=values.get("description", ""),
                lines=posting_lines(entity, [
                    {"account": r["account"], "debit": r["debit"], "credit": r["credit"],
                     "description": r["text"]} for r in filled]),
                actor=Actor.web(request.user), as_of=timezone.localdate())
        except DomainError as exc:
            error = exc.message
            for loc, msg in exc.errors:
                if len(loc) == 3 and loc[0] == "lines" and isinstance(loc[1], int):
                    row = filled[loc[1]] if loc[1] < len(filled) else rows[0]
                    row[f"error_{loc[2]}"] = msg
                elif loc:
                    field_errors[str(loc[0])] = msg
        else:
            messages.success(request, f"Posted {posted.number}.")
            return redirect("entry", posted.pk)
    return render(request, "ledger/entry_new.html", {
        "journals": journals, "accounts": selectors.postable_accounts(entity), "rows": rows,
        "error": error, "field_errors": field_errors, "values": values,
        "entry_date": values.get("entry_date") or timezone.localdate().isoformat()})


@page("ledger.view_account")
def accounts(request):
    as_of = _date(request.GET.get("as_of")) or timezone.localdate()
    rows = selectors.account_balances(request.legal_entity, as_of)
    totals = {"debit": sum(a.debit_acc for a in rows), "credit": sum(a.credit_acc for a in rows)}
    return render(request, "ledger/accounts.html",
                  {"accounts": rows, "as_of": as_of, "totals": totals})


@page("ledger.check_ledger")
def check(request):
    if request.method == "POST":
        run = services.ledger_check_run(legal_entities=[request.legal_entity],
                                        actor=Actor.web(request.user))
        if run.ok:
            messages.success(request, f"The books of {request.legal_entity.code} are in order: "
                                      f"{run.entries_checked} entries checked.")
        else:
            messages.error(request, f"{len(run.violations)} violation(s) found.")
        return redirect("ledger_check")
    runs = LedgerCheckRun.objects.filter(legal_entity=request.legal_entity)[:20]
    return render(request, "ledger/check.html", {"runs": runs})
