"""The class an invoice is said to be, decided apart from its probabilities.

Why: the probabilities are calibrated — they are what expected payments and cash are built
from — but the most probable class is a poor answer to "which invoices will be very late?"
when very late invoices are few: a calibrated model rarely gives any class but *on time* the
largest share, so it almost never says "very late", and a cruder rule that does (the
customer's own history) wins on macro F1 although it is less right about the odds. The
decision rule adds an offset to each class's log probability and says the largest; the
offsets are chosen, for the best macro F1, on predictions made out of sample inside the
training period (the rolling folds), never on the test period, and kept with the version.
Offsets of zero are the most probable class. An offset cannot revive a class the invoice's
age has ruled out (probability 0).
"""

from __future__ import annotations

import numpy as np

from .metrics import macro_f1

GRID = np.round(np.arange(-1.0, 3.01, 0.1), 2)  # offsets tried for each class but on time
MIN_ROWS = 30  # fewer out-of-sample rows than this: the most probable class
# Offsets whose (smoothed) macro F1 is within this of the best count as good as the best, and
# the smallest of them is taken: on eight generated histories (docs/benchmarks.md) the test
# period's macro F1 averaged 0.563 this way, 0.551 taking the best point, 0.524 with none.
TOLERANCE = 0.01
RULE = "macro_f1"


def cost_rule(miss_cost: int, k: int) -> dict:
    """The rule of a user who prices mistakes: saying *on time* of an invoice paid very late
    costs ``miss_cost`` false alarms, of one paid late half of it (at least 1); calling an
    on-time invoice late or very late costs 1, and getting the lateness wrong by one class
    costs 1/2. The class said is the one of least expected cost under the calibrated
    probabilities — no fitting, so nothing to overfit."""
    c = float(miss_cost)
    if k == 2:
        costs = [[0.0, 1.0], [c, 0.0]]
    else:
        costs = [[0.0, 1.0, 1.0], [max(1.0, c / 2), 0.0, 0.5], [c, c / 2, 0.0]]
    return {"rule": "cost", "miss_cost": int(miss_cost), "costs": costs}


def said_by(proba: np.ndarray, decision: dict | None) -> np.ndarray:
    """Index of the class said for each row under a stored rule (None: the most probable)."""
    if decision and decision.get("costs"):
        expected = proba @ np.asarray(decision["costs"])
        expected[proba <= 0] = np.inf  # ruled out by the invoice's age stays ruled out
        return expected.argmin(axis=1)
    return decide(proba, (decision or {}).get("offsets"))


def decide(proba: np.ndarray, offsets) -> np.ndarray:
    """Index of the class said for each row."""
    logp = np.log(np.clip(proba, 1e-12, 1.0))
    if offsets is not None:
        logp = logp + np.asarray(offsets)
        logp[proba <= 0] = -np.inf  # ruled out stays ruled out
    return logp.argmax(axis=1)


def choose(proba: np.ndarray, truth: np.ndarray) -> dict:
    """Offsets for the best macro F1 on these out-of-sample rows (``truth`` as class indexes):
    the grid's scores averaged with their neighbours, so that a lucky single point of a few
    hundred rows is not taken, then the smallest offsets within ``TOLERANCE`` of the best —
    the folds come from earlier months than the invoices the rule will judge, and a smaller
    correction carries over better."""
    k = proba.shape[1]
    base = macro_f1(truth, proba.argmax(axis=1), k)
    if len(truth) < MIN_ROWS or k < 2:
        return {"rule": RULE, "offsets": [0.0] * k, "rows": int(len(truth)),
                "macro_f1": round(base, 4), "macro_f1_most_probable": round(base, 4)}
    logp = np.log(np.clip(proba, 1e-12, 1.0))
    axes = [GRID] * (k - 1)
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, k - 1)
    scores = np.array([macro_f1(truth, (logp + np.r_[0.0, o]).argmax(axis=1), k)
                       for o in mesh]).reshape([len(GRID)] * (k - 1))
    smooth = _neighbourhood_mean(scores).ravel()
    size = np.abs(mesh).sum(axis=1)
    near = np.flatnonzero(smooth >= smooth.max() - TOLERANCE)
    best = near[np.argmin(size[near])]  # the smallest offsets about as good as the best
    offsets = [0.0, *[round(float(v), 2) + 0.0 for v in mesh[best]]]  # no -0.0
    chosen = float(scores.ravel()[best])
    if chosen <= base:  # no better than the most probable class: keep it
        offsets, chosen = [0.0] * k, base
    return {"rule": RULE, "offsets": offsets, "rows": int(len(truth)),
            "macro_f1": round(chosen, 4), "macro_f1_most_probable": round(base, 4)}


def _neighbourhood_mean(scores: np.ndarray) -> np.ndarray:
    """Each point's mean with its neighbours one step away on every axis (edges repeated)."""
    padded = np.pad(scores, 1, mode="edge")
    total = np.zeros_like(scores)
    shifts = np.stack(np.meshgrid(*[[0, 1, 2]] * scores.ndim, indexing="ij"),
                      axis=-1).reshape(-1, scores.ndim)
    for shift in shifts:
        total += padded[tuple(slice(s, s + n) for s, n in zip(shift, scores.shape))]
    return total / len(shifts)
