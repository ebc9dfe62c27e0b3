"""Read side of the predictions: per-customer expected payments (Σ open balance ×
probability), the at-risk worklist, the workspace counts, and a customer's payment history by
class."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Case, F, Q, Value, When

from remit.receivables.models import Customer, CustomerTransaction, TransactionKind

from .labels import LATE, ON_TIME, VERY_LATE
from .models import RED, Prediction

CENT = Decimal("0.01")


def _rows(legal_entity, customer=None, scope: Q = Q()):
    qs = Prediction.objects.filter(scope, legal_entity=legal_entity, item__is_open=True)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.annotate(red=Case(When(RED, then=Value(True)), default=Value(False),
                                output_field=BooleanField())).values_list(
        "customer_id", "on_time", "late", "very_late", F("item__amount_acc"),
        F("item__settled_acc"), "red")


def expected_by_customer(legal_entity, customer=None, scope: Q = Q()) -> dict[int, dict]:
    """Per customer (of ``scope``, a filter on the predictions such as a customer pool): open
    balance and the expected amounts paid on time, late and very late (exact Decimals; the
    products are summed in Python, where they stay exact)."""
    totals: dict[int, dict] = defaultdict(lambda: {"balance": Decimal(0), "on_time": Decimal(0),
                                                   "late": Decimal(0), "very_late": Decimal(0),
                                                   "invoices": 0, "red": 0})
    for cid, on_time, late, very_late, amount, settled, red in _rows(legal_entity, customer,
                                                                     scope):
        balance = amount - settled
        t = totals[cid]
        t["balance"] += balance
        t["on_time"] += balance * on_time
        t["late"] += balance * late
        t["very_late"] += balance * very_late
        t["invoices"] += 1
        t["red"] += red
    for t in totals.values():
        for key in ("balance", "on_time", "late", "very_late"):
            t[key] = t[key].quantize(CENT, ROUND_HALF_UP)
        t["at_risk"] = t["late"] + t["very_late"]
        t["late_share"] = (t["at_risk"] / t["balance"] if t["balance"] > 0 else Decimal(0))
    return dict(totals)


def workspace_counts(legal_entity, scope: Q = Q()) -> dict:
    """The two tiles: open invoices said to be late or very late (the red marker); customers
    with more than half of their balance predicted late or very late."""
    expected = expected_by_customer(legal_entity, scope=scope)
    return {"red_invoices": Prediction.objects.filter(scope, legal_entity=legal_entity,
                                                      item__is_open=True).filter(RED).count(),
            "late_customers": sum(1 for t in expected.values()
                                  if t["balance"] > 0 and t["late_share"] > Decimal("0.5"))}


def customer_history(customer: Customer, late_days: int, very_late_days: int) -> dict:
    """The customer's invoices with an outcome, by class, and some payment statistics — by
    the rules of the model's own record: unpaid past the very-late threshold is very late,
    credited in full before that is no outcome (counted apart), written off is very late, and
    only payments count in the days figure."""
    from datetime import date as day

    from django.utils import timezone

    from .features import PAID, InvoiceRow, decided, no_outcome
    from .services import closed_by_kind

    today = timezone.localdate()
    counts = {ON_TIME: 0, LATE: 0, VERY_LATE: 0}
    days, credited, still_open = [], 0, 0
    items = CustomerTransaction.objects.filter(customer=customer)
    how = closed_by_kind(items)
    for pk, doc, due, closed, is_open in items.filter(kind=TransactionKind.INVOICE).values_list(
            "pk", "document_date", "due_date", "closed_on", "is_open"):
        if is_open:
            still_open += 1
            closed = None
        row = InvoiceRow(pk, customer.pk, doc, due, Decimal(0), closed,
                         closed_by=how.get(pk, PAID))
        if no_outcome(row, late_days, very_late_days):
            credited += 1
            continue
        found = decided(row, day.max if closed else today + timedelta(days=1), late_days,
                        very_late_days)
        if found is None:  # open and not yet past its threshold
            continue
        counts[found[0]] += 1
        if closed and row.closed_by == PAID:
            days.append((closed - due).days)
    n = sum(counts.values())
    return {"on_time": counts[ON_TIME], "late": counts[LATE], "very_late": counts[VERY_LATE],
            "settled": n, "credited": credited,
            "average_days": round(sum(days) / len(days), 1) if days else None,
            "open": still_open}


def expected_payment_date(due, as_of, cls: int, late_days: int, very_late_days: int):
    """When a class's payment is expected: on time by the due date, late in the middle of the
    late window, very late 30 days into the very-late one — never before the scoring date."""
    from datetime import timedelta

    if cls == ON_TIME:
        day = due + timedelta(days=late_days)
    elif cls == LATE:
        top = very_late_days if very_late_days > late_days else late_days + 30
        day = due + timedelta(days=(late_days + top) // 2 + 1)
    else:
        day = due + timedelta(days=very_late_days + 30)
    return max(day, as_of)


def expected_cash(legal_entity, as_of, weeks: int = 13, scope: Q = Q()) -> dict:
    """The open balance spread over the next ``weeks`` weeks (Monday-based) by each invoice's
    class probabilities and the expected date of each class; what falls later is 'later'."""
    from datetime import timedelta

    from .services import published, settings_for

    model = published(legal_entity)
    late_days, very_late_days = ((model.late_days, model.very_late_days) if model else
                                 (settings_for(legal_entity).late_days,
                                  settings_for(legal_entity).very_late_days))
    start = as_of - timedelta(days=as_of.weekday())
    buckets = [{"week": (start + timedelta(weeks=k)).isoformat(), "on_time": Decimal(0),
                "late": Decimal(0), "very_late": Decimal(0)} for k in range(weeks)]
    later = Decimal(0)
    names = {ON_TIME: "on_time", LATE: "late", VERY_LATE: "very_late"}
    for due, on_time, late, very_late, amount, settled in (
            Prediction.objects.filter(scope, legal_entity=legal_entity,
                                      item__is_open=True).values_list(
                "item__due_date", "on_time", "late", "very_late", "item__amount_acc",
                "item__settled_acc")):
        balance = amount - settled
        for cls, p in ((ON_TIME, on_time), (LATE, late), (VERY_LATE, very_late)):
            if not p:
                continue
            day = expected_payment_date(due, as_of, cls, late_days, very_late_days)
            k = (day - start).days // 7
            if k < weeks:
                buckets[k][names[cls]] += balance * p
            else:
                later += balance * p
    for b in buckets:
        for key in ("on_time", "late", "very_late"):
            b[key] = b[key].quantize(CENT, ROUND_HALF_UP)
        b["total"] = b["on_time"] + b["late"] + b["very_late"]
    later = later.quantize(CENT, ROUND_HALF_UP)
    return {"as_of": as_of.isoformat(), "weeks": buckets, "later": later,
            "total": sum((b["total"] for b in buckets), later)}


def worklist(legal_entity):
    """Open invoices by amount at risk — open balance × (late + very late) — largest first."""
    from django.db.models import DecimalField, ExpressionWrapper

    at_risk = ExpressionWrapper((F("item__amount_acc") - F("item__settled_acc"))
                                * (F("late") + F("very_late")),
                                output_field=DecimalField(max_digits=30, decimal_places=8))
    return (Prediction.objects.filter(legal_entity=legal_entity, item__is_open=True)
            .select_related("item", "customer", "model")
            .annotate(at_risk=at_risk).order_by("-at_risk", "pk"))
