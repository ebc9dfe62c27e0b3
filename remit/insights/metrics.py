"""Evaluation numbers, always for a model and its baselines on the same rows: accuracy, macro
F1, per-class precision and recall, late-vs-on-time AUC, log loss, multi-class Brier score and
the confusion matrix. Computed with scikit-learn's metrics (the library made for it)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_recall_fscore_support,
    roc_auc_score,
)

from .labels import NAMES, ON_TIME

EPS = 1e-6


def evaluate(y: np.ndarray, proba: np.ndarray, classes: list[int],
             decided: np.ndarray | None = None) -> dict:
    """``proba[:, k]`` is the probability of ``classes[k]``; rows sum to 1. ``decided``: the
    class each row is said to be (indexes into ``classes``) when a decision rule chose it;
    the most probable class otherwise. The probability measures never depend on it."""
    proba = np.clip(proba, EPS, 1.0)
    proba = proba / proba.sum(axis=1, keepdims=True)
    predicted = np.asarray(classes)[proba.argmax(axis=1) if decided is None
                                    else np.asarray(decided, dtype=int)]
    precision, recall, _, support = precision_recall_fscore_support(
        y, predicted, labels=classes, zero_division=0)
    late = (y != ON_TIME).astype(int)
    p_late = 1.0 - proba[:, classes.index(ON_TIME)]
    onehot = np.zeros_like(proba)
    for k, c in enumerate(classes):
        onehot[:, k] = (y == c)
    return {
        "accuracy": round(float(accuracy_score(y, predicted)), 4),
        "macro_f1": round(float(f1_score(y, predicted, labels=classes, average="macro",
                                         zero_division=0)), 4),
        "auc_late": (round(float(roc_auc_score(late, p_late)), 4)
                     if 0 < late.sum() < len(late) else None),
        "log_loss": round(float(log_loss(y, proba, labels=classes)), 4),
        "brier": round(float(np.mean(np.sum((proba - onehot) ** 2, axis=1))), 4),
        "per_class": {NAMES[c]: {"precision": round(float(precision[k]), 4),
                                 "recall": round(float(recall[k]), 4),
                                 "support": int(support[k])}
                      for k, c in enumerate(classes)},
        "confusion": confusion_matrix(y, predicted, labels=classes).tolist(),
    }


def macro_f1(truth: np.ndarray, predicted: np.ndarray, k: int) -> float:
    """Macro F1 over ``k`` classes given as indexes 0..k-1, a class with no rows and no
    predictions counting as 0 — scikit-learn's ``f1_score(average="macro",
    zero_division=0)`` with every class named, without its input checks, which cost more
    than the arithmetic in a bootstrap of a few hundred resamples."""
    tp = np.bincount(truth[truth == predicted], minlength=k).astype(float)
    fp = np.bincount(predicted, minlength=k) - tp
    fn = np.bincount(truth, minlength=k) - tp
    denominator = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denominator, out=np.zeros(k), where=denominator > 0)
    return float(np.mean(f1))


def paired_bootstrap(y: np.ndarray, model: np.ndarray, baseline: np.ndarray,
                     classes: list[int], resamples: int = 200, seed: int = 7,
                     model_decided: np.ndarray | None = None,
                     baseline_decided: np.ndarray | None = None) -> dict:
    """How sure the comparison with a baseline is: the share of resamples of the test rows
    (drawn with replacement, the same rows for both) in which the model scores better. On a
    test period of a hundred invoices one invoice moves macro F1 by a point; this says
    whether a difference is more than that."""
    rng = np.random.default_rng(seed)
    model = np.clip(model, EPS, 1.0)
    baseline = np.clip(baseline, EPS, 1.0)
    index = np.array([classes.index(v) for v in y])
    said = [model.argmax(axis=1) if model_decided is None else np.asarray(model_decided),
            baseline.argmax(axis=1) if baseline_decided is None
            else np.asarray(baseline_decided)]
    better = {"log_loss": 0, "macro_f1": 0}
    for _ in range(resamples):
        rows = rng.integers(0, len(y), len(y))
        truth = index[rows]
        losses = [-np.mean(np.log(p[rows, truth])) for p in (model, baseline)]
        f1s = [macro_f1(truth, s[rows], len(classes)) for s in said]
        better["log_loss"] += losses[0] < losses[1]
        better["macro_f1"] += f1s[0] > f1s[1]
    return {name: round(count / resamples, 3) for name, count in better.items()}
