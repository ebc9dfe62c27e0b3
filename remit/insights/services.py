"""Payment prediction use cases: the settings, training a model version from the receivables
history, publishing (or reverting to) a version, and scoring every open invoice with the
published one — each prediction stored with its model version and its top factors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.db import transaction_lock
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.receivables.models import (
    CashDiscountDate,
    Customer,
    CustomerTransaction,
    SettlementKind,
    SettlementLine,
    TransactionKind,
)

from . import backtest, explain, labels, learn
from .features import (
    ATTRIBUTE,
    DEFAULT_FEATURES,
    CREDITED,
    DEFINITION,
    DEFINITION_CHANGES,
    FEATURES,
    PAID,
    WRITTEN_OFF,
    CustomerHistory,
    InvoiceRow,
    scoring_rows,
    training_rows,
)
from .models import InsightsSettings, ModelStatus, Prediction, PredictionModel

FOUR = Decimal("0.0001")
HALF = Decimal("0.5")


def settings_for(legal_entity) -> InsightsSettings:
    found, _ = InsightsSettings.objects.get_or_create(legal_entity=legal_entity)
    return found


@transaction.atomic
def settings_save(*, legal_entity, actor: Actor, late_days: int | None = None,
                  very_late_days: int | None = None, features: list[str] | None = None,
                  late_benchmark=None, very_late_benchmark=None,
                  learn_from_group: bool | None = None,
                  very_late_miss_cost: int | None | str = "keep") -> InsightsSettings:
    """Thresholds and fields. Changing the thresholds relabels the history: the models made
    with the old ones stay for comparison, but a new one must be trained and published."""
    actor.require("insights.change_insightssettings")
    found = InsightsSettings.objects.select_for_update().get(pk=settings_for(legal_entity).pk)
    before = {"late_days": found.late_days, "very_late_days": found.very_late_days,
              "features": found.features}
    for name, value in (("late_days", late_days), ("very_late_days", very_late_days)):
        if value is not None:
            if not 0 <= value <= 3650:
                raise InvalidInput.field(name, "days between 0 and 3650")
            setattr(found, name, value)
    if features is not None:
        found.features = chosen_features(legal_entity, features)
    for name, value in (("late_benchmark", late_benchmark),
                        ("very_late_benchmark", very_late_benchmark)):
        if value is not None:
            if not 0 <= value <= 100:
                raise InvalidInput.field(name, "a percentage")
            setattr(found, name, value)
    if learn_from_group is not None:
        found.learn_from_group = bool(learn_from_group)
    if very_late_miss_cost != "keep":  # None clears it: the class said by macro F1 again
        if very_late_miss_cost is not None and not 1 <= very_late_miss_cost <= 100:
            raise InvalidInput.field("very_late_miss_cost", "a whole number from 1 to 100, or "
                                     "empty for the rule chosen for macro F1")
        found.very_late_miss_cost = very_late_miss_cost
    found.save()
    audit_record(actor=actor, action="insights.settings.save", legal_entity=legal_entity,
                 data={"before": before, "late_days": found.late_days,
                       "very_late_days": found.very_late_days, "features": found.features})
    return found


def chosen_features(legal_entity, features: list[str]) -> list[str]:
    """The fields asked for, checked: remit's own by name ('default': all of them), a kept
    invoice column as 'attr:NAME' — one recorded for the legal entity and not found to give
    the outcome away ('attributes': every such column)."""
    from remit.receivables.models import InvoiceAttribute

    kept = {a.name: a.leak for a in InvoiceAttribute.objects.filter(legal_entity=legal_entity)}
    out = []
    for name in features:
        if name == "default":
            out += DEFAULT_FEATURES
        elif name == "attributes":
            out += [f"{ATTRIBUTE}{n}" for n, leak in sorted(kept.items()) if not leak]
        elif name.startswith(ATTRIBUTE):
            column = name[len(ATTRIBUTE):]
            if column not in kept:
                raise InvalidInput.field("features", f"no kept column {column!r} on "
                                         f"{legal_entity.code}'s invoices (there are "
                                         f"{', '.join(sorted(kept)) or 'none'})")
            if kept[column]:
                raise InvalidInput.field("features", f"the column {column!r} gives the "
                                         f"payment outcome away ({kept[column]}); a model "
                                         "cannot learn from it")
            out.append(name)
        elif name in FEATURES:
            out.append(name)
        else:
            raise InvalidInput.field("features", f"no field {name}; choose from "
                                     f"{', '.join(FEATURES)}, or a kept column as "
                                     f"{ATTRIBUTE}NAME")
    if not out:
        raise InvalidInput.field("features", "choose at least one field")
    return list(dict.fromkeys(out))


def histories(legal_entity, settings: InsightsSettings, *, customers=None,
              id_range: tuple[int, int] | None = None) -> dict[int, CustomerHistory]:
    """Every customer's invoices and credit-note dates (or those of ``customers``, or of the
    customers whose ids are in ``id_range``, both ends included), read in two queries."""
    items = CustomerTransaction.objects.filter(legal_entity=legal_entity)
    if customers is not None:
        items = items.filter(customer__in=customers)
    if id_range is not None:
        items = items.filter(customer_id__gte=id_range[0], customer_id__lte=id_range[1])
    acc = legal_entity.accounting_currency
    discounted = set(CashDiscountDate.objects.filter(transaction__in=items)
                     .values_list("transaction_id", flat=True))
    closed_by = closed_by_kind(items)
    undone = undone_closings(items)
    invoices = defaultdict(list)
    for pk, cid, doc, due, amount, closed, currency, attributes in (
            items.filter(kind=TransactionKind.INVOICE)
            .values_list("id", "customer_id", "document_date", "due_date", "amount_acc",
                         "closed_on", "currency", "attributes")
            .order_by("customer_id", "document_date", "id")):
        invoices[cid].append(InvoiceRow(pk, cid, doc, due, amount, closed, currency != acc,
                                        pk in discounted, attributes or {},
                                        closed_by.get(pk, PAID), undone.get(pk, ())))
    notes = defaultdict(list)
    for cid, day in items.filter(kind=TransactionKind.CREDIT_NOTE).values_list(
            "customer_id", "document_date"):
        notes[cid].append(day)
    since = dict(Customer.objects.filter(legal_entity=legal_entity)
                 .values_list("pk", "customer_since"))
    return {cid: CustomerHistory(rows, notes.get(cid, ()), since.get(cid), settings.late_days,
                                 settings.very_late_days)
            for cid, rows in invoices.items()}


def closed_by_kind(items) -> dict[int, str]:
    """How the closed invoices among ``items`` were closed, from every settlement in effect
    that touched them (``_how_closed``). Only the invoices not paid appear."""
    lines = list(SettlementLine.objects.filter(
        item__in=items.filter(kind=TransactionKind.INVOICE, closed_on__isnull=False),
        settlement__reversed_on__isnull=True).values_list("item_id", "settlement_id",
                                                           "settlement__kind"))
    money = _with_money({sid for _, sid, _ in lines})
    settlements = defaultdict(dict)  # invoice → {settlement: kind}
    for pk, sid, kind in lines:
        settlements[pk][sid] = kind
    how = {pk: _how_closed(kinds, money) for pk, kinds in settlements.items()}
    return {pk: found for pk, found in how.items() if found != PAID}


def _with_money(settlements) -> set[int]:
    """Those of ``settlements`` in which a payment took part."""
    return set(SettlementLine.objects.filter(
        settlement_id__in=settlements, item__kind=TransactionKind.PAYMENT)
        .values_list("settlement_id", flat=True))


def _how_closed(kinds: dict[int, str], money: set[int]) -> str:
    """How the settlements ``kinds`` ({settlement: kind}) closed an invoice: *paid* when any
    money settled part of it (a settlement with a payment item, or imported history),
    whatever closed the rest; else *written off* when a write-off took part, else
    *credited* (credit notes or corrections alone — by the credit-note flow, automatic
    settlement or settling by hand)."""
    if any(sid in money or kind == SettlementKind.IMPORT for sid, kind in kinds.items()):
        return PAID
    return WRITTEN_OFF if SettlementKind.WRITE_OFF in kinds.values() else CREDITED


def undone_closings(items) -> dict[int, tuple]:
    """For the invoices among ``items`` that a reversed settlement touched (a payment that
    bounced, a settlement undone): each time they were closed and opened again, as
    (closed on, reopened on, how it was closed), oldest first — replayed day by day from
    every settlement line, the reversed ones with the day they were undone (a settlement
    undone the day it was made never closed anything; a day's reversals are judged before
    its settlements). How it was closed: ``_how_closed`` of the settlements then in effect."""
    touched = set(SettlementLine.objects.filter(
        item__in=items.filter(kind=TransactionKind.INVOICE),
        settlement__reversed_on__isnull=False).values_list("item_id", flat=True))
    if not touched:
        return {}
    amounts = dict(CustomerTransaction.objects.filter(pk__in=touched)
                   .values_list("pk", "amount"))
    lines = list(SettlementLine.objects.filter(item_id__in=touched).values_list(
        "item_id", "amount", "settlement_id", "settlement__settled_on",
        "settlement__reversed_on", "settlement__kind"))
    money = _with_money({sid for _, _, sid, *_ in lines})
    changes = defaultdict(lambda: defaultdict(list))  # invoice → day → [(phase, amount, ...)]
    for pk, amount, sid, settled_on, reversed_on, kind in lines:
        if reversed_on == settled_on:  # undone the day it was made: never in effect
            continue
        changes[pk][settled_on].append((1, amount, sid, kind))
        if reversed_on is not None:
            changes[pk][reversed_on].append((0, -amount, sid, kind))
    out = {}
    for pk, days in changes.items():
        settled, live, closed_since, how, episodes = Decimal(0), {}, None, PAID, []
        for day in sorted(days):
            # a day's reversals, then its settlements, each judged: a bounce and a new
            # payment on the same day end one closing and begin another
            for phase in (0, 1):
                for _, amount, sid, kind in (c for c in days[day] if c[0] == phase):
                    settled += amount
                    if phase == 0:
                        live.pop(sid, None)
                    else:
                        live[sid] = kind
                # back-dated settlements can add up to more than the invoice for a while
                closed = settled >= amounts[pk]
                if closed and closed_since is None:
                    closed_since = day
                    how = _how_closed(live, money)
                elif not closed and closed_since is not None:
                    episodes.append((closed_since, day, how))
                    closed_since = None
        if episodes:
            out[pk] = tuple(episodes)
    return out


OWN_ENTITY = "own_entity"  # 1 for the legal entity's own invoices, 0 for the group's others


def dataset(legal_entity, as_of: date, settings: InsightsSettings) -> learn.Dataset:
    """Every invoice whose outcome was certain before ``as_of`` (past the very-late threshold,
    settled or not), with its features as of its invoice date —
    with ``learn_from_group``, the other legal entities' invoices too (labelled by this
    entity's thresholds, marked as not its own)."""
    # an unpaid invoice is very late only once its threshold has passed in fact: with a date
    # beyond today, invoices that are merely not paid *yet* would be labelled very late
    as_of = min(as_of, timezone.localdate())
    sources = [legal_entity]
    if settings.learn_from_group:
        sources += list(LegalEntity.objects.exclude(pk=legal_entity.pk).order_by("code"))
    rows = []
    for entity in sources:
        own = entity.pk == legal_entity.pk
        for history in histories(entity, settings).values():
            for invoice, features, label, certain_on in training_rows(history, as_of):
                if settings.learn_from_group:
                    features[OWN_ENTITY] = 1 if own else 0
                rows.append((invoice.document_date, invoice.id, features, label,
                             invoice.customer_id, certain_on, own))
    rows.sort(key=lambda r: (r[0], r[1]))
    return learn.Dataset([r[0] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
                         [r[4] for r in rows],
                         labels.classes(settings.late_days, settings.very_late_days),
                         closed=[r[5] for r in rows], own=[r[6] for r in rows])


@transaction.atomic
def model_train(*, legal_entity, as_of: date, actor: Actor,
                test_from: date | None = None) -> PredictionModel:
    """A new model version from the invoices whose outcome was certain before ``as_of`` (never
    later than today): trained on the earlier period, tested on the later one (the last 20 %,
    or the invoices dated from ``test_from`` on), beside both baselines. Not used until
    published."""
    actor.require("insights.add_predictionmodel")
    if test_from is not None and test_from >= min(as_of, timezone.localdate()):
        raise InvalidInput.field("test_from", f"must be before the history's end ({as_of})")
    settings = settings_for(legal_entity)
    data = dataset(legal_entity, as_of, settings)
    chosen = settings.features + ([OWN_ENTITY] if settings.learn_from_group else [])
    try:
        trained = learn.train(data, chosen, test_from=test_from,
                              miss_cost=settings.very_late_miss_cost)
    except learn.NotEnoughData as exc:
        raise RuleViolation(f"{legal_entity.code}: not enough history to train — {exc}",
                            code="not_enough_history") from None
    version = (PredictionModel.objects.select_for_update().filter(legal_entity=legal_entity)
               .order_by("-version").values_list("version", flat=True).first() or 0) + 1
    model = PredictionModel.objects.create(
        legal_entity=legal_entity, version=version, late_days=settings.late_days,
        very_late_days=settings.very_late_days, classes=trained.classes,
        features=trained.matrix.names, categories=trained.matrix.categories,
        train_from=trained.train_from, test_from=trained.test_from, test_to=trained.test_to,
        n_train=trained.n_train, n_test=trained.n_test, metrics=trained.metrics,
        booster=trained.booster_text, calibration=trained.calibration, created_by=actor.user,
        test_rows=trained.test_rows,
        feature_definition=DEFINITION,
        algorithm=("LightGBM from the customer's history + temperature scaling"
                   if trained.anchor is not None else
                   "LightGBM multiclass + temperature scaling"))
    audit_record(actor=actor, action="insights.model.train", obj=model,
                 data={"version": version, "n_train": model.n_train, "n_test": model.n_test,
                       "macro_f1": trained.metrics["model"]["macro_f1"]})
    return model


def backtest_run(*, legal_entity, as_of: date, actor: Actor,
                 months: int = backtest.MONTHS) -> dict:
    """The rolling-origin backtest of the legal entity's settings as they are (nothing is
    stored: each month's version is made, judged and dropped)."""
    actor.require("insights.view_predictionmodel")
    if not 1 <= months <= 24:
        raise InvalidInput.field("months", "between 1 and 24")
    settings = settings_for(legal_entity)
    data = dataset(legal_entity, as_of, settings)
    chosen = settings.features + ([OWN_ENTITY] if settings.learn_from_group else [])
    return backtest.backtest(data, chosen, months)


_TRAINED: dict[int, learn.Trained] = {}


def trained_from(model: PredictionModel) -> learn.Trained:
    """The model ready to predict. A version never changes once stored, so the parsed booster
    is kept per process (parsing LightGBM's text costs more than one prediction)."""
    found = _TRAINED.get(model.pk)
    if found is None:
        found = learn.Trained(model.classes, learn.Matrix(model.features, model.categories),
                              model.booster, model.calibration)
        if model.pk is not None:
            if len(_TRAINED) > 8:
                _TRAINED.clear()
            _TRAINED[model.pk] = found
    return found


@transaction.atomic
def model_publish(*, model: PredictionModel, actor: Actor) -> PredictionModel:
    """Put this version in use (also how to revert to an older one), and have the open
    invoices scored with it in the background. Its thresholds must be the current settings: a
    model trained on other labels is not published."""
    actor.require("insights.publish_predictionmodel")
    locked = PredictionModel.objects.select_for_update().get(pk=model.pk)
    settings = settings_for(locked.legal_entity)
    if (locked.late_days, locked.very_late_days) != (settings.late_days,
                                                     settings.very_late_days):
        raise RuleViolation(f"v{locked.version} was trained with thresholds "
                            f"{locked.late_days}/{locked.very_late_days} days; the settings "
                            f"say {settings.late_days}/{settings.very_late_days}. Train a new "
                            "model", code="thresholds_changed")
    outdated = definition_outdated(locked)
    if outdated:
        raise RuleViolation(f"v{locked.version} {outdated}", code="features_changed")
    PredictionModel.objects.filter(legal_entity=locked.legal_entity,
                                   status=ModelStatus.PUBLISHED).exclude(pk=locked.pk).update(
        status=ModelStatus.RETIRED)
    locked.status, locked.published_at = ModelStatus.PUBLISHED, timezone.now()
    locked.save(update_fields=["status", "published_at"])
    from .tasks import predictions_for_entity  # the open invoices, with this version, soon

    entity_id = locked.legal_entity_id
    transaction.on_commit(lambda: predictions_for_entity.enqueue(legal_entity_id=entity_id))
    audit_record(actor=actor, action="insights.model.publish", obj=locked,
                 data={"version": locked.version})
    return locked


def definition_outdated(model: PredictionModel) -> str | None:
    """Why a version's columns no longer mean what they did when it was trained, or None: it
    still scores (nightly runs go on after an upgrade) but is not published again."""
    if model.feature_definition >= DEFINITION:
        return None
    changes = "; ".join(DEFINITION_CHANGES[n] for n in sorted(DEFINITION_CHANGES)
                        if n > model.feature_definition)
    return (f"was trained before the features changed meaning ({changes}): train a new "
            "version and compare the two")


def behind_history(model: PredictionModel) -> str | None:
    """Where a version was not better than the customer's own history on its test invoices
    (macro F1 and log loss, the measures the model is judged by), in words; None when it
    was better on both."""
    mine = model.metrics.get("model", {})
    history = model.metrics.get("baselines", {}).get("customer_history", {})
    if not mine or not history:
        return None
    behind = []
    if mine["macro_f1"] <= history["macro_f1"]:
        behind.append(f"macro F1 {mine['macro_f1']:.3f} against {history['macro_f1']:.3f}")
    if mine["log_loss"] >= history["log_loss"]:
        behind.append(f"log loss {mine['log_loss']:.3f} against {history['log_loss']:.3f}")
    return " and ".join(behind) or None


def published(legal_entity) -> PredictionModel | None:
    return PredictionModel.objects.filter(legal_entity=legal_entity,
                                          status=ModelStatus.PUBLISHED).defer("test_rows").first()


def _probability(value) -> Decimal:
    return Decimal(str(value)).quantize(FOUR, ROUND_HALF_UP)


def _three(proba: np.ndarray, classes: list[int]) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(on time, late, very late) per row, four decimals, summing to exactly 1."""
    out = []
    for row in proba:
        values = dict(zip(classes, row))
        on_time = _probability(values.get(labels.ON_TIME, 0))
        very_late = min(_probability(values.get(labels.VERY_LATE, 0)), Decimal(1) - on_time)
        out.append((on_time, Decimal(1) - on_time - very_late, very_late))
    return out


SCORE_BATCH = 2000  # customers read, scored and stored at a time (memory stays flat)


@transaction.atomic
def predictions_score(*, legal_entity, as_of: date, actor: Actor,
                      model: PredictionModel | None = None, customers=None,
                      progress: Callable[[int, int], None] | None = None) -> int:
    """Score the open invoices (of some customers, or all) with the published model as of
    ``as_of``: their current predictions are replaced, each with the model version and its
    top factors. All customers are scored in batches of consecutive ids; ``progress`` hears
    (customers done, customers in all) after each batch."""
    actor.require("insights.add_prediction")
    # the nightly run and a customer's run after a posting replace the same rows: one at a
    # time, and the one that waited uses the model published when it goes on
    transaction_lock("insights.scoring", legal_entity.pk)
    model = model or published(legal_entity)
    if model is None:
        raise RuleViolation(f"{legal_entity.code} has no published prediction model yet: "
                            "train one and publish it", code="no_model")
    settings = InsightsSettings(late_days=model.late_days, very_late_days=model.very_late_days)
    open_items = CustomerTransaction.objects.filter(
        legal_entity=legal_entity, kind=TransactionKind.INVOICE, is_open=True)
    scope = Prediction.objects.filter(legal_entity=legal_entity)
    if customers is not None:
        scope = scope.filter(customer__in=customers)
        open_items = open_items.filter(customer__in=customers)
    scope.delete()
    trained = trained_from(model)
    if customers is not None:
        made = _score_batch(legal_entity, model, trained, settings, as_of,
                            histories(legal_entity, settings, customers=customers),
                            set(open_items.values_list("pk", flat=True)))
    else:
        ids = sorted(set(open_items.values_list("customer_id", flat=True)))
        made = 0
        if progress:
            progress(0, len(ids))
        for start in range(0, len(ids), SCORE_BATCH):
            lo, hi = ids[start], ids[min(start + SCORE_BATCH, len(ids)) - 1]
            made += _score_batch(
                legal_entity, model, trained, settings, as_of,
                histories(legal_entity, settings, id_range=(lo, hi)),
                set(open_items.filter(customer_id__gte=lo, customer_id__lte=hi)
                    .values_list("pk", flat=True)))
            if progress:
                progress(min(start + SCORE_BATCH, len(ids)), len(ids))
    audit_record(actor=actor, action="insights.predictions.score", legal_entity=legal_entity,
                 data={"model": model.version, "as_of": as_of.isoformat(), "invoices": made})
    return made


def _score_batch(legal_entity, model: PredictionModel, trained: learn.Trained,
                 settings: InsightsSettings, as_of: date, found: dict, open_ids: set) -> int:
    rows = [(invoice, features) for history in found.values()
            for invoice, features in scoring_rows(history, as_of) if invoice.id in open_ids]
    if not rows:
        return 0
    if OWN_ENTITY in trained.matrix.names:
        for _, features in rows:
            features[OWN_ENTITY] = 1
    feature_rows = [f for _, f in rows]
    x = trained.matrix.encode(feature_rows)
    ages = np.array([(as_of - invoice.due_date).days for invoice, _ in rows])
    proba = learn.condition_on_age(trained.predict(x, feature_rows), model.classes, ages,
                                   model.late_days, model.very_late_days)
    three = _three(proba, model.classes)
    said = [model.classes[k] for k in trained.decide(proba)]
    # explanations cost far more than predictions (tree SHAP): made now for the invoices an
    # agent will look at first (said to be late: the red marker), for the rest when first shown
    red = [i for i, s in enumerate(said) if s != labels.ON_TIME]
    contributions = dict(zip(red, trained.contributions(
        x[red], [feature_rows[i] for i in red]))) if red else {}
    made = []
    for i, ((invoice, features), p) in enumerate(zip(rows, three)):
        made.append(Prediction(
            legal_entity=legal_entity, item_id=invoice.id, customer_id=invoice.customer_id,
            model=model, as_of=as_of, on_time=p[0], late=p[1], very_late=p[2], said=said[i],
            features=_storable(features), explained=i in contributions,
            factors=_factors(trained, contributions[i], features, int(ages[i]), model)
            if i in contributions else []))
    Prediction.objects.bulk_create(made, batch_size=2000)
    return len(made)


def _storable(features: dict) -> dict:
    """JSON for the database: NaN (unknown) becomes null, which encoding reads back as NaN."""
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in features.items()}


def _factors(trained: learn.Trained, contributions, features: dict, age: int,
             model: PredictionModel) -> list[dict]:
    factors = explain.top_factors(trained.explained_names, contributions, features)
    if age > model.late_days:
        factors.insert(0, {"feature": "days_past_due", "effect": "late", "weight": None,
                           "text": f"already {age} days past the due date"})
    return factors


def prediction_explain(prediction: Prediction) -> Prediction:
    """The prediction's top factors, computed from its stored feature row and model the first
    time they are asked for (the same numbers as if they had been computed when scored)."""
    if prediction.explained:
        return prediction
    model = prediction.model
    trained = trained_from(model)
    x = trained.matrix.encode([prediction.features])
    age = (prediction.as_of - prediction.item.due_date).days
    prediction.factors = _factors(trained, trained.contributions(x, [prediction.features])[0],
                                  prediction.features, age, model)
    prediction.explained = True
    Prediction.objects.filter(pk=prediction.pk).update(factors=prediction.factors,
                                                       explained=True)
    return prediction


def expected_payments(predictions) -> dict[str, Decimal]:
    """Σ open balance × probability, per class (spec §1.2): the customer-level view."""
    totals = {"balance": Decimal(0), "on_time": Decimal(0), "late": Decimal(0),
              "very_late": Decimal(0)}
    for p in predictions:
        balance = p.item.amount_acc - p.item.settled_acc
        totals["balance"] += balance
        for name in ("on_time", "late", "very_late"):
            totals[name] += balance * getattr(p, name)
    return {k: v.quantize(Decimal("0.01"), ROUND_HALF_UP) for k, v in totals.items()}
