"""Top factors of a prediction in words a collections agent understands: each feature's
contribution (exact tree SHAP values from LightGBM), the strongest few, said with the
customer's own numbers ("customer paid 7 of its last 10 invoices late")."""

from __future__ import annotations

import calendar
import math

from .features import FEATURES

TOP = 4
HISTORY = {"last10_late", "recent_late_weighted", "recent_very_late_weighted", "late_trend",
           "recent_days_late", "days_late_trend"}
# unknown while nothing has been paid, even when earlier invoices are known to be very late
PAID = {"hist_avg_days_late", "hist_max_days_late", "recent_days_late", "days_since_last_payment"}
TRENDS = {"late_trend", "days_late_trend"}  # unknown with fewer than six earlier invoices


def _pct(v) -> str:
    return f"{round(v * 100)} %"


def phrase(name: str, value, row: dict) -> str:
    """The feature and its value as a sentence fragment."""
    if name == "customer_record":  # where the model starts: the customer's own record
        return _record(row)
    n = int(row.get("hist_n") or 0)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if n and name in PAID:  # earlier invoices decided, none of them paid: very late, unpaid
            return f"none of its {n} earlier invoice{'' if n == 1 else 's'} paid yet"
        if n and name in TRENDS:
            return "too little history for a trend"
        if name.startswith("hist_") or name in HISTORY or name == "days_since_last_payment":
            return "no payment history yet"
        return f"{FEATURES.get(name, name.replace('_', ' '))}: not known"
    if name == "last10_late":
        return f"customer paid {int(value)} of its last {min(int(n), 10)} invoices late"
    if name == "hist_on_time_share":
        return f"{_pct(value)} of the customer's {int(n)} earlier invoices were paid on time"
    if name == "hist_late_share":
        return f"{_pct(value)} of the customer's earlier invoices were paid late (not very late)"
    if name == "hist_very_late_share":
        return f"{_pct(value)} of the customer's earlier invoices were paid very late"
    if name == "hist_avg_days_late":
        return "on average the customer pays " + _days(value)
    if name == "hist_max_days_late":
        return (f"the customer once paid {int(value)} days after the due date" if value > 0
                else "the customer has never paid after the due date")
    if name == "recent_late_weighted":
        return f"lately about {_pct(value)} of its invoices were paid late"
    if name == "recent_very_late_weighted":
        return f"lately about {_pct(value)} of its invoices were paid very late"
    if name == "recent_days_late":
        return "its latest invoices were paid " + _days(value)
    if name == "days_late_trend":
        days = round(value)
        return (f"paying {days} days later than before" if days > 0
                else f"paying {-days} days earlier than before" if days < 0
                else "paying as before")
    if name == "oldest_overdue_days":
        return ("no other invoice overdue" if value <= 0 else
                f"another invoice already {int(value)} days past its due date")
    if name == "late_trend":
        return ("paying later than before" if value > 0 else "paying earlier than before"
                if value < 0 else "paying as before")
    if name == "open_count":
        return _count(value, "other invoice", "open")
    if name == "overdue_count":
        return _count(value, "other invoice", "already overdue")
    if name in ("open_amount_log", "overdue_amount_log", "amount_log"):
        amount = 10 ** value - 1
        what = {"open_amount_log": "other open balance", "overdue_amount_log":
                "other overdue balance", "amount_log": "invoice amount"}[name]
        return f"{what} about {amount:,.0f}"
    if name == "terms_days":
        return f"{int(value)}-day payment terms"
    if name == "days_since_last_payment":
        return f"last invoice settled {int(value)} days before"
    if name == "tenure_days":
        years = value / 365
        return (f"customer for {years:.1f} years" if years >= 1
                else f"new customer ({int(value)} days)")
    if name == "hist_n":
        return "no payment history yet" if not value else _count(
            value, "earlier invoice", "with a known outcome")
    if name == "invoices_90d":
        return _count(value, "invoice", "in the 90 days before")
    if name == "credit_notes_180d":
        return _count(value, "credit note", "(disputes) in the 180 days before")
    if name == "month":
        return f"invoiced in {calendar.month_name[int(value)]}"
    if name == "foreign_currency":
        return "invoice in a foreign currency" if value else "invoice in the home currency"
    if name == "has_discount":
        return "cash discount offered" if value else "no cash discount"
    if name.startswith("attr_"):
        return f"{name[5:]}: {value}"
    return f"{name.replace('_', ' ')}: {value}"


def _days(value) -> str:
    days = round(value)
    return (f"{days} days after the due date" if days > 0
            else f"{-days} days before the due date" if days < 0 else "on the due date")


def _record(row: dict) -> str:
    """The customer's earlier invoices by outcome: "of its 12 earlier invoices: 2 on time, 7
    late, 3 very late" (not "paid": very late includes those still unpaid past the
    threshold)."""
    n = int(row.get("hist_n") or 0)
    if not n:
        return "no payment history yet"
    parts = []
    for key, label in (("hist_on_time_share", "on time"), ("hist_late_share", "late"),
                       ("hist_very_late_share", "very late")):
        share = row.get(key)
        if share is not None and not (isinstance(share, float) and math.isnan(share)):
            parts.append(f"{round(share * n)} {label}")
    return f"of its {n} earlier invoice{'' if n == 1 else 's'}: {', '.join(parts)}"


def _count(value, noun: str, rest: str) -> str:
    n = int(value)
    return f"{n} {noun}{'' if n == 1 else 's'} {rest}"


def top_factors(names: list[str], contributions, row: dict, top: int = TOP) -> list[dict]:
    """The ``top`` features that moved this prediction most, strongest first; one line per
    thing said (the history features of a customer without history say it once)."""
    order = sorted(range(len(names)), key=lambda j: -abs(contributions[j]))
    factors, said = [], set()
    for j in order:
        if names[j] == "own_entity":
            continue  # which legal entity a training row came from: nothing to tell an agent
        weight = contributions[j]
        if abs(weight) < 1e-6 or len(factors) == top:
            break
        text = phrase(names[j], row.get(names[j]), row)
        if text in said:
            continue
        said.add(text)
        factors.append({"feature": names[j], "effect": "late" if weight > 0 else "on_time",
                        "weight": round(weight, 3), "text": text})
    return factors
