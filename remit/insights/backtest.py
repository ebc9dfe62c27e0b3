"""A rolling-origin backtest: the whole training recipe run again before each of the last few
months, each version tested on its month only, all those months pooled.

Why: a single split judges a version on a few hundred invoices, and one invoice moves macro F1
by several tenths of a point; several months' worth of invoices, each judged by a version
that knew only what came before its month, say more — and say whether a result holds over
time or came from one period. Every month's version is made exactly as a published one is
(``learn.train``: recipe, decision rule and temperature chosen before its test month), so the
backtest judges the method, not one version. The baselines are scored on the same invoices,
each month knowing only what came before it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from . import learn, metrics

MONTHS = 6


def month_starts(dates: list[date], months: int) -> list[date]:
    """The first days of the last ``months`` calendar months that have rows."""
    found = sorted({d.replace(day=1) for d in dates})
    return found[-months:]


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _before(data: learn.Dataset, end: date) -> learn.Dataset:
    """The rows dated before ``end`` (of every legal entity): nothing later exists for the
    version made for the month that ends there."""
    keep = [i for i, d in enumerate(data.dates) if d < end]

    def pick(values):
        return None if values is None else [values[i] for i in keep]

    return replace(data, dates=pick(data.dates), features=pick(data.features),
                   labels=pick(data.labels), customers=pick(data.customers),
                   closed=pick(data.closed), own=pick(data.own))


def backtest(data: learn.Dataset, chosen: list[str], months: int = MONTHS) -> dict:
    """Each of the last ``months`` months of the legal entity's own rows judged by a version
    trained on what was known before it; the months pooled, beside both baselines, with a
    paired bootstrap. A month with too little before it is listed as skipped, with why."""
    own_dates = [d for i, d in enumerate(data.dates) if data.own is None or data.own[i]]
    labels, model, said, history, majority = [], [], [], [], []
    per_month, skipped = [], []
    for start in month_starts(own_dates, months):
        end = _next_month(start)
        try:
            trained = learn.train(_before(data, end), chosen, test_from=start)
        except learn.NotEnoughData as exc:
            skipped.append({"month": start.isoformat()[:7], "reason": str(exc)})
            continue
        rows = trained.test_rows
        labels += rows["labels"]
        model += rows["model"]
        said += rows["model_said"]
        history += rows["customer_history"]
        majority += [rows["majority"]] * len(rows["labels"])
        per_month.append({"month": start.isoformat()[:7], "n_test": len(rows["labels"]),
                          "macro_f1": trained.metrics["model"]["macro_f1"],
                          "history_macro_f1":
                              trained.metrics["baselines"]["customer_history"]["macro_f1"],
                          "log_loss": trained.metrics["model"]["log_loss"],
                          "history_log_loss":
                              trained.metrics["baselines"]["customer_history"]["log_loss"],
                          "offsets": (trained.decision or {}).get("offsets")})
    result = {"months": per_month, "skipped": skipped, "pooled": None}
    if not labels:
        return result
    y, model, history = np.array(labels), np.array(model), np.array(history)
    said = np.array(said)
    classes = data.classes
    result["pooled"] = {
        "n_test": len(labels),
        "model": metrics.evaluate(y, model, classes, said),
        "model_most_probable": metrics.evaluate(y, model, classes),
        "baselines": {"majority": metrics.evaluate(y, np.array(majority), classes),
                      "customer_history": metrics.evaluate(y, history, classes)},
        "better_than_customer_history": metrics.paired_bootstrap(
            y, model, history, classes, model_decided=said),
    }
    return result
