"""The demo's payment predictions: a model trained on each legal entity's history, published,
and every open invoice scored — so the predictions pages have something to show at once.
A legal entity with too little history keeps none (the models page says why)."""

from __future__ import annotations

from datetime import date

from remit.core.actor import Actor
from remit.core.exceptions import RuleViolation
from remit.insights.services import model_publish, model_train, predictions_score


def demo_insights(entity, as_of: date, actor: Actor) -> int:
    from remit.insights.features import DEFAULT_FEATURES
    from remit.insights.services import settings_save
    from remit.receivables.services.attributes import attributes_scan

    # the channel and dispute flag the history keeps, tested for leaks and chosen by name
    kept = [a.name for a in attributes_scan(entity) if not a.leak]
    settings_save(legal_entity=entity, features=[*DEFAULT_FEATURES,
                                                 *(f"attr:{n}" for n in kept)], actor=actor)
    try:
        model = model_train(legal_entity=entity, as_of=as_of, actor=actor)
    except RuleViolation:
        return 0
    model_publish(model=model, actor=actor)
    return predictions_score(legal_entity=entity, as_of=as_of, actor=actor)
