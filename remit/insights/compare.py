"""Model versions judged on the same invoices, so that a new version can be set beside the one
in use before it is published.

Each version is tested on its own later period when it is trained, so the figures stored with
two versions come from different invoices and cannot be compared. Here they are judged on the
invoices none of them learnt from: those dated from the latest of their test periods on, whose
outcome was certain by ``as_of`` (the rows of training, see ``features.training_rows``). The
customer's history is scored on the same invoices, and, for two versions, a paired bootstrap
says how often the newer one was the better."""

from __future__ import annotations

from datetime import date

import numpy as np
from django.utils import timezone

from remit.core.exceptions import InvalidInput, RuleViolation

from . import learn, metrics
from .models import InsightsSettings, PredictionModel
from .services import OWN_ENTITY, dataset, definition_outdated, trained_from

MIN_COMMON = 30  # fewer invoices than this say nothing about which version is better
MAX_VERSIONS = 5  # each is a full prediction over the common invoices, done while one waits


def versions_numbered(legal_entity, numbers: list[int]) -> list[PredictionModel]:
    """The legal entity's model versions by number; an unknown number is a named error."""
    found = {m.version: m for m in PredictionModel.objects.filter(
        legal_entity=legal_entity, version__in=numbers).defer("test_rows")}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise InvalidInput.field("versions", f"no model v{missing[0]}")
    return list(found.values())


def models_compare(*, legal_entity, versions: list[PredictionModel], as_of: date) -> dict:
    """The versions' metrics on their common unseen invoices, beside the customer's history."""
    versions = sorted({m.pk: m for m in versions}.values(), key=lambda m: m.version)
    if not 2 <= len(versions) <= MAX_VERSIONS:
        raise InvalidInput.field("versions", f"choose two to {MAX_VERSIONS} model versions")
    if any(m.legal_entity_id != legal_entity.pk for m in versions):
        raise InvalidInput.field("versions", "choose versions of this legal entity")
    thresholds = {(m.late_days, m.very_late_days) for m in versions}
    if len(thresholds) > 1:
        raise RuleViolation("the versions were trained with different thresholds ("
                            + ", ".join(f"v{m.version}: {m.late_days}/{m.very_late_days} days"
                                        for m in versions)
                            + "), so they predict different classes", code="thresholds_differ")
    untested = [f"v{m.version}" for m in versions if m.test_from is None]
    if untested:
        raise InvalidInput.field("versions", f"{', '.join(untested)} has no test period to "
                                 "tell which invoices it learnt from")
    late_days, very_late_days = thresholds.pop()
    data = dataset(legal_entity, as_of, InsightsSettings(
        late_days=late_days, very_late_days=very_late_days, learn_from_group=False))
    latest = max(versions, key=lambda m: (m.test_from, m.version))
    since = latest.test_from
    common = [i for i, day in enumerate(data.dates) if day >= since]
    if len(common) < MIN_COMMON:
        raise RuleViolation(
            f"only {len(common)} invoices dated from {since} (where v{latest.version}'s test "
            f"period begins) had a certain outcome by {min(as_of, timezone.localdate())}; at "
            f"least {MIN_COMMON} are needed — compare on a later date", code="too_few_common")
    y = np.array([data.labels[i] for i in common])
    rows = [data.features[i] for i in common]
    earlier = np.array([data.labels[i] for i, day in enumerate(data.dates) if day < since])
    prior = (learn.shares(earlier, data.classes) if len(earlier)
             else np.full(len(data.classes), 1 / len(data.classes)))
    predicted, said = {}, {}
    for model in versions:
        trained = trained_from(model)
        own = [dict(r, **{OWN_ENTITY: 1}) for r in rows] \
            if OWN_ENTITY in trained.matrix.names else rows
        predicted[model.version] = trained.predict(trained.matrix.encode(own), own)
        said[model.version] = trained.decide(predicted[model.version])  # each its own rule
    history = learn.history_shares(rows, prior, data.classes)
    result = {
        "as_of": as_of.isoformat(), "from": since.isoformat(),
        "to": max(data.dates[i] for i in common).isoformat(), "n": len(common),
        "thresholds": {"late_days": late_days, "very_late_days": very_late_days},
        "versions": [{"version": m.version, "status": m.status,
                      # trained before the columns changed meaning: its figures here read
                      # today's columns with the old meaning
                      "outdated": definition_outdated(m),
                      **metrics.evaluate(y, predicted[m.version], data.classes,
                                         said[m.version])}
                     for m in versions],
        "customer_history": metrics.evaluate(y, history, data.classes),
    }
    if len(versions) == 2:
        older, newer = versions
        result["newer_better"] = metrics.paired_bootstrap(
            y, predicted[newer.version], predicted[older.version], data.classes,
            model_decided=said[newer.version], baseline_decided=said[older.version])
    return result
