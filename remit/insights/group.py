"""The legal entities of a group judged together: each entity's model on its own test
invoices, pooled, beside both baselines on the same invoices.

A group's credit manager asks whether prediction works for the company, not only for each
subsidiary; a small legal entity's hundred test invoices say little on their own (one
invoice moves its macro F1 by a point). Each legal entity keeps its own model and its own
figures; here their test invoices are put together as they were scored, each by its own
model and its own baselines (the majority class of *its* training period, *its* customers'
history). Versions whose thresholds differ predict classes that mean different things, and
are refused rather than pooled."""

from __future__ import annotations

import numpy as np

from remit.core.exceptions import RuleViolation

from . import metrics
from .models import ModelStatus, PredictionModel
from .services import definition_outdated


def _version(legal_entity, latest: bool) -> PredictionModel | None:
    versions = PredictionModel.objects.filter(legal_entity=legal_entity).defer("booster")
    if not latest:
        versions = versions.filter(status=ModelStatus.PUBLISHED)
    return versions.order_by("-version").first()


def _meaning(model: PredictionModel) -> tuple:
    """What the classes mean: with two classes only the late threshold counts."""
    if len(model.classes) == 2:
        return tuple(model.classes), model.late_days
    return tuple(model.classes), model.late_days, model.very_late_days


def _figures(block: dict) -> dict:
    return {k: block.get(k) for k in ("accuracy", "macro_f1", "auc_late", "log_loss", "brier")}


def group_evaluation(legal_entities, *, latest: bool = False) -> dict:
    """Every legal entity's version in use (or its latest, with ``latest``), its own stored
    test figures, and all their test invoices together. A legal entity without a version,
    or whose version was stored before test invoices were kept, is listed as left out with
    the reason."""
    entities, left_out = [], []
    labels, model, history, majority, said = [], [], [], [], []
    thresholds, meanings, classes = {}, set(), None
    for entity in sorted(legal_entities, key=lambda e: e.code):
        found = _version(entity, latest)
        if found is None:
            left_out.append({"entity": entity.code, "reason": "no model in use" if not latest
                             else "no model trained"})
            continue
        rows = found.test_rows or {}
        if not rows.get("labels"):
            left_out.append({"entity": entity.code, "model_version": found.version,
                             "reason": "stored before test invoices were kept with a version: "
                                       "train a new version"})
            continue
        thresholds[entity.code] = (found.late_days, found.very_late_days)
        meanings.add(_meaning(found))
        classes = classes or found.classes
        entities.append({
            "entity": entity.code, "model_version": found.version, "status": found.status,
            "outdated": definition_outdated(found), "n_test": len(rows["labels"]),
            "test_period": {"from": found.test_from.isoformat() if found.test_from else None,
                            "to": found.test_to.isoformat() if found.test_to else None},
            "model": _figures(found.metrics["model"]),
            "baselines": {name: _figures(block)
                          for name, block in found.metrics["baselines"].items()},
            "better_than_customer_history": found.metrics.get("better_than_customer_history")})
        labels += rows["labels"]
        model += rows["model"]
        # what its own decision rule said (stored since versions have one; before, the most
        # probable class)
        said += rows.get("model_said") or [int(np.argmax(p)) for p in rows["model"]]
        history += rows["customer_history"]
        majority += [rows["majority"]] * len(rows["labels"])
    if len(meanings) > 1:
        raise RuleViolation(
            "the legal entities' models use different thresholds ("
            + ", ".join(f"{code}: {late}/{very} days"
                        for code, (late, very) in thresholds.items())
            + "), so their classes mean different things and cannot be judged together",
            code="thresholds_differ")
    result = {"entities": entities, "left_out": left_out, "together": None}
    if not labels:
        return result
    y = np.array(labels)
    model, history = np.array(model), np.array(history)
    late, very = next(iter(thresholds.values()))
    result["together"] = {
        "n_test": len(labels), "thresholds": {"late_days": late, "very_late_days": very},
        "model": _figures(metrics.evaluate(y, model, classes, np.array(said))),
        "baselines": {
            "majority": _figures(metrics.evaluate(y, np.array(majority), classes)),
            "customer_history": _figures(metrics.evaluate(y, history, classes))},
        "better_than_customer_history": metrics.paired_bootstrap(
            y, model, history, classes, model_decided=np.array(said)),
    }
    return result
