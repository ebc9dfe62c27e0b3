"""Training and evaluation, free of the database: a time split (train on the earlier period,
calibrate on its last slice, test on the later period — never shuffled across time), LightGBM
for the classes, temperature scaling fitted on the calibration slice, and the two baselines on
the same test rows (the training majority class; the customer's own history of on-time / late
/ very late as of each invoice's date).

The trees start from the customer-history baseline (its log shares are LightGBM's initial
score) and learn what moves an invoice away from it: with a few hundred invoices the model is
the customer's record, slightly corrected, rather than trees fitted to noise; with many it
learns more. Whether to start from it, how strongly to regularise and how many rounds to grow
are chosen by rolling-origin validation inside the training period (each fold trains on the
earlier rows and is judged on the next slice), never by looking at the test period.

A trained model is plain data: LightGBM's model text, the calibration (a temperature and the
anchor's prior), the category codes and the feature list — stored in the database, never
pickled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import lightgbm as lgb
import numpy as np

from . import decide, metrics
from .features import ATTRIBUTE
from .labels import LATE, NAMES, ON_TIME, VERY_LATE

PARAMS = {"objective": "multiclass", "learning_rate": 0.05, "num_leaves": 15,
          "min_data_in_leaf": 20, "feature_fraction": 0.9, "bagging_fraction": 0.9,
          "bagging_freq": 1, "lambda_l2": 1.0, "verbose": -1, "seed": 7,
          "deterministic": True, "force_row_wise": True, "num_threads": 2}
RECIPES = {  # the parameter sets the validation chooses between
    "standard": {},
    "regularised": {"num_leaves": 7, "min_data_in_leaf": 40, "lambda_l2": 5.0},
}
MAX_ROUNDS = 200  # more overfits the small companies and doubles the cost of explanations
ROUND_STEP = 10
DEFAULT_RECIPE = ("standard", True, 100)  # when the period is too short to validate in
FOLDS = ((0.55, 0.70), (0.70, 0.85), (0.85, 1.0))  # validation slices of the fitting period
MIN_FOLD_ROWS = 30
MIN_ROWS = 100
MIN_PER_CLASS = 10


class NotEnoughData(Exception):
    """Too little closed history to train, saying what is there and what is needed."""


@dataclass
class Dataset:
    """Rows in time order of their invoice dates."""
    dates: list[date]
    features: list[dict]
    labels: list[int]
    customers: list[int]
    classes: list[int]
    closed: list[date] | None = None   # when each row's outcome became known
    own: list[bool] | None = None      # False: a row of another legal entity of the group,
    #                                    learnt from, never tested on


@dataclass
class Matrix:
    names: list[str]
    categories: dict[str, list[str]]   # categorical column → its values, in code order

    def encode(self, rows: list[dict]) -> np.ndarray:
        out = np.full((len(rows), len(self.names)), np.nan)
        for i, row in enumerate(rows):
            for j, name in enumerate(self.names):
                value = row.get(name)
                if name in self.categories:
                    codes = self.categories[name]
                    out[i, j] = codes.index(value) if value in codes else np.nan
                elif value is not None:
                    out[i, j] = value
        return out


def matrix_for(rows: list[dict], chosen: list[str]) -> Matrix:
    """The columns: the chosen features, and the chosen kept columns of the invoices
    ('attr:channel', ...) as categories."""
    names = [n for n in chosen if not n.startswith(ATTRIBUTE)]
    wanted = {f"attr_{n[len(ATTRIBUTE):]}" for n in chosen if n.startswith(ATTRIBUTE)}
    attrs = sorted({k for row in rows for k in row if k in wanted})
    categories = {name: sorted({str(row[name]) for row in rows if name in row})
                  for name in attrs}
    return Matrix(names + attrs, categories)


def readiness(labels: list[int], classes: list[int]) -> str | None:
    """None when there is enough closed history; otherwise what is there and what is needed."""
    counts = {NAMES[c]: labels.count(c) for c in classes}
    have = ", ".join(f"{n} {k}" for k, n in counts.items())
    if len(labels) < MIN_ROWS:
        return (f"{len(labels)} invoices with a certain outcome ({have}); at least {MIN_ROWS} "
                "are needed to train a model")
    thin = [k for k, n in counts.items() if n < MIN_PER_CLASS]
    if thin:
        return (f"too few invoices {' and '.join(thin)} ({have}); each class needs "
                f"at least {MIN_PER_CLASS}. Change the late or very-late threshold (0 and 0 "
                "makes two classes), or import more history")
    return None


@dataclass
class Split:
    train: np.ndarray      # row indexes
    calibrate: np.ndarray
    test: np.ndarray
    test_from: date
    test_to: date


def time_split(dates: list[date], test_share: float = 0.2, calibrate_share: float = 0.15,
               closed: list[date] | None = None, test_from: date | None = None) -> Split:
    """By invoice date: the last ``test_share`` of the rows is the test period (or the rows
    from ``test_from`` on, a date the user chose); the last ``calibrate_share`` of the rest
    calibrates. Rows of one day stay together (a company that invoices everyone on one day
    gets whole days). With ``closed`` (when each outcome became known), earlier rows whose
    outcome was only known inside a later period are left out: the model never learns from
    what happened in the period it is judged on."""
    order = np.argsort(np.array([d.toordinal() for d in dates]), kind="stable")
    n = len(order)
    if test_from is not None:
        cut_test = sum(1 for d in dates if d < test_from)
        if cut_test == n:
            raise NotEnoughData(f"no invoice dated {test_from} or later had a certain outcome "
                                "to test on; choose an earlier test date")
        if cut_test < MIN_ROWS:
            raise NotEnoughData(f"only {cut_test} invoices with a certain outcome are dated "
                                f"before {test_from}; at least {MIN_ROWS} are needed to learn "
                                "from: choose a later test date")
    else:
        cut_test = _day_boundary(dates, order, int(n * (1 - test_share)))
    cut_cal = _day_boundary(dates, order, int(cut_test * (1 - calibrate_share)), cut_test)
    train, calibrate, test = order[:cut_cal], order[cut_cal:cut_test], order[cut_test:]
    if len(test) == 0 or len(train) < MIN_PER_CLASS:
        raise NotEnoughData(f"the invoices fall on too few days ({len(set(dates))}) to keep "
                            "an earlier period to learn from and a later one to test on")
    test_from = dates[test[0]]
    if closed is not None:
        cal_from = dates[calibrate[0]] if len(calibrate) else test_from
        train = np.array([i for i in train if closed[i] < cal_from], dtype=int)
        calibrate = np.array([i for i in calibrate if closed[i] < test_from], dtype=int)
    return Split(train, calibrate, test, test_from, dates[test[-1]])


def _day_boundary(dates, order, i: int, limit: int | None = None) -> int:
    """The nearest day boundary at or after row ``i`` — or before it, when going forward
    would leave nothing after it (or pass ``limit``)."""
    end = len(order) if limit is None else limit
    j = i
    while 0 < j < end and dates[order[j]] == dates[order[j - 1]]:
        j += 1
    if j < end:
        return j
    while 0 < i and dates[order[i - 1]] == dates[order[min(i, len(order) - 1)]]:
        i -= 1
    return i


@dataclass
class Trained:
    classes: list[int]
    matrix: Matrix
    booster_text: str
    calibration: list[dict]  # [{"temperature": T, "anchor": training shares or None}]
    metrics: dict = field(default_factory=dict)
    n_train: int = 0
    n_test: int = 0
    test_from: date | None = None
    test_to: date | None = None
    train_from: date | None = None
    test_rows: dict = field(default_factory=dict)  # see ``test_record``

    def booster(self) -> lgb.Booster:
        if not hasattr(self, "_booster"):
            self._booster = lgb.Booster(model_str=self.booster_text)
        return self._booster

    @property
    def anchor(self) -> np.ndarray | None:
        """The training period's class shares when the trees start from the customer's
        history (the baseline the model corrects); None for a model that starts from zero."""
        prior = self.calibration[0].get("anchor") if self.calibration else None
        return None if prior is None else np.array(prior)

    @property
    def decision(self) -> dict | None:
        """The decision rule kept with the version (``decide.choose``); None for a version
        stored before it, which says the most probable class."""
        return self.calibration[0].get("decision") if self.calibration else None

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """The class said for each row of calibrated ``proba`` (indexes into classes)."""
        return decide.said_by(proba, self.decision)

    @property
    def explained_names(self) -> list[str]:
        """The columns of ``contributions``: the features, and the customer's record when
        the model starts from it."""
        return self.matrix.names + (["customer_record"] if self.anchor is not None else [])

    def _start(self, rows: list[dict] | None, n: int) -> np.ndarray:
        if self.anchor is None:
            return np.zeros((n, len(self.classes)))
        if rows is None:
            raise ValueError("this model starts from the customer's history: pass the rows")
        return np.log(history_shares(rows, self.anchor, self.classes))

    def predict(self, x: np.ndarray, rows: list[dict] | None = None) -> np.ndarray:
        """Calibrated probabilities; ``rows`` (the feature dicts of ``x``) are needed when
        the model starts from the customer's history."""
        raw = self.booster().predict(x, raw_score=True) + self._start(rows, len(x))
        return calibrate(softmax(raw), self.calibration)

    def contributions(self, x: np.ndarray, rows: list[dict] | None = None) -> np.ndarray:
        """Per row and column of ``explained_names``, how much it pushed the prediction away
        from *on time* (positive: towards late). In a softmax model every class has its own
        trees, so a feature's effect on log P(on time) is its on-time contribution less the
        probability-weighted contributions to every class: −(φ₀ − Σₖ pₖ φₖ), with φ the exact
        tree SHAP values (LightGBM's ``pred_contrib``). The customer's record (the starting
        point) counts the same way, as its log shares against the training shares."""
        k = len(self.classes)
        contrib = self.booster().predict(x, pred_contrib=True).reshape(len(x), k, -1)
        start = self._start(rows, len(x))
        p = softmax(contrib.sum(axis=2) + start)
        phi = contrib[:, :, :-1]
        effects = -(phi[:, 0, :] - np.einsum("nk,nkf->nf", p, phi))
        if self.anchor is None:
            return effects
        record = start - np.log(self.anchor)
        own = -(record[:, 0] - np.einsum("nk,nk->n", p, record))
        return np.column_stack([effects, own])


def softmax(raw: np.ndarray) -> np.ndarray:
    out = np.exp(raw - raw.max(axis=1, keepdims=True))
    return out / out.sum(axis=1, keepdims=True)


def calibrate(raw: np.ndarray, curves: list[dict]) -> np.ndarray:
    """Temperature scaling (``[{"temperature": T}]``: p^(1/T), renormalised); per-class
    isotonic curves in models stored before it."""
    if not curves:
        return raw
    if "temperature" in curves[0]:
        return _temper(raw, curves[0]["temperature"])
    out = np.column_stack([np.interp(raw[:, k], c["x"], c["y"]) for k, c in enumerate(curves)])
    out = np.clip(out, 1e-4, 1.0)
    return out / out.sum(axis=1, keepdims=True)


def _temper(raw: np.ndarray, temperature: float) -> np.ndarray:
    logits = np.log(np.clip(raw, 1e-9, 1.0)) / temperature
    out = np.exp(logits - logits.max(axis=1, keepdims=True))
    return out / out.sum(axis=1, keepdims=True)


def fit_temperature(raw: np.ndarray, y: np.ndarray, classes: list[int]) -> float:
    """The one number that best calibrates the calibration slice (log loss over a grid that
    includes 1, 'leave as is'): it cannot bend the model's ranking, and a small slice cannot
    overfit it the way per-class curves do."""
    index = np.array([classes.index(v) for v in y])
    best, best_loss = 1.0, None
    for t in sorted({1.0, *np.round(np.linspace(0.5, 3.0, 26), 2)}):
        p = _temper(raw, t)
        loss = _log_loss(index, p)
        if best_loss is None or loss < best_loss - 1e-9:
            best, best_loss = float(t), loss
    return best


def _log_loss(index: np.ndarray, p: np.ndarray) -> float:
    return float(-np.mean(np.log(np.clip(p[np.arange(len(index)), index], 1e-12, 1.0))))


@dataclass(frozen=True)
class Recipe:
    params: str      # a key of RECIPES
    anchored: bool   # the trees start from the customer's history
    rounds: int


class _Fitter:
    """Fits boosters on subsets of the rows, each with the prior of its own training rows."""

    def __init__(self, data: Dataset, x: np.ndarray, y: np.ndarray, matrix: Matrix):
        self.data, self.x, self.y, self.matrix = data, x, y, matrix
        self.index = np.array([data.classes.index(v) for v in y])

    def prior(self, rows: np.ndarray) -> np.ndarray:
        return shares(self.y[rows], self.data.classes)

    def start(self, rows: np.ndarray, prior: np.ndarray) -> np.ndarray:
        return np.log(history_shares([self.data.features[i] for i in rows], prior,
                                     self.data.classes))

    def fit(self, rows: np.ndarray, params: str, anchored: bool, rounds: int) -> lgb.Booster:
        classes = self.data.classes
        categorical = [j for j, name in enumerate(self.matrix.names)
                       if name in self.matrix.categories]
        init = self.start(rows, self.prior(rows)).ravel(order="F") if anchored else None
        data = lgb.Dataset(self.x[rows], label=self.index[rows], init_score=init,
                           feature_name=self.matrix.names,
                           categorical_feature=categorical or "auto", free_raw_data=False)
        return lgb.train(dict(PARAMS, num_class=len(classes), **RECIPES[params]), data,
                         num_boost_round=rounds)

    def probabilities(self, booster, rows, fitted_on, anchored: bool, rounds=None):
        raw = booster.predict(self.x[rows], raw_score=True, num_iteration=rounds)
        if anchored:
            raw = raw + self.start(rows, self.prior(fitted_on))
        return softmax(raw)


def _known_before(data: Dataset, rows, since: date) -> list[int]:
    return [i for i in rows if data.dates[i] < since
            and (data.closed is None or data.closed[i] < since)]


def _folds(data: Dataset, rows: np.ndarray,
           extra: np.ndarray = np.array([], dtype=int)) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rolling origins over the fitting period: each fold learns from the rows before its
    slice whose outcome was known before the slice starts (and from the other legal
    entities' rows known by then), and is judged on the slice."""
    folds = []
    n = len(rows)
    for low, high in FOLDS:
        judged = rows[int(n * low):int(n * high)]
        if len(judged) == 0:
            continue
        since = data.dates[judged[0]]
        learned = np.array(sorted(_known_before(data, rows[:int(n * low)], since)
                                  + _known_before(data, extra, since)), dtype=int)
        if len(learned) >= MIN_FOLD_ROWS and len(judged) >= MIN_FOLD_ROWS // 3:
            folds.append((learned, judged))
    return folds


def choose_recipe(fitter: _Fitter, rows: np.ndarray,
                  extra: np.ndarray = np.array([], dtype=int)) -> tuple[Recipe, dict]:
    """The recipe with the lowest mean log loss over the rolling folds (rounds in steps of
    ten), with every candidate's score, and the customer-history baseline's on the same
    folds, for the record."""
    folds = _folds(fitter.data, rows, extra)
    if not folds:
        return Recipe(*DEFAULT_RECIPE), {"folds": 0, "out_of_sample": None}
    steps = list(range(ROUND_STEP, MAX_ROUNDS + 1, ROUND_STEP))
    scores = {}
    for params in RECIPES:
        for anchored in (True, False):
            curve = np.zeros(len(steps))
            for learned, judged in folds:
                booster = fitter.fit(learned, params, anchored, MAX_ROUNDS)
                curve += [_log_loss(fitter.index[judged], fitter.probabilities(
                    booster, judged, learned, anchored, r)) for r in steps]
            curve /= len(folds)
            best = int(np.argmin(curve))
            scores[(params, anchored, steps[best])] = float(curve[best])
    chosen = min(scores, key=lambda key: (scores[key], key[2]))
    history = np.mean([_log_loss(fitter.index[judged], np.exp(fitter.start(
        judged, fitter.prior(learned)))) for learned, judged in folds])
    record = {"folds": len(folds), "customer_history_log_loss": round(float(history), 4),
              "candidates": [{"params": p, "anchored": a, "rounds": r, "log_loss": round(v, 4)}
                             for (p, a, r), v in sorted(scores.items(), key=lambda kv: kv[1])],
              "out_of_sample": _out_of_sample(fitter, folds, Recipe(*chosen))}
    return Recipe(*chosen), record


def _out_of_sample(fitter: _Fitter, folds, recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
    """The chosen recipe's predictions on every fold's slice, each by a booster that learnt
    only what came before the slice (uncalibrated): the rows a decision rule is chosen on."""
    judged_all, proba_all = [], []
    for learned, judged in folds:
        booster = fitter.fit(learned, recipe.params, recipe.anchored, recipe.rounds)
        judged_all.append(judged)
        proba_all.append(fitter.probabilities(booster, judged, learned, recipe.anchored))
    return np.concatenate(judged_all), np.vstack(proba_all)


def pooled_split(data: Dataset, test_from: date | None = None) -> tuple[Split, np.ndarray]:
    """The time split of the legal entity's own rows (indexes into all rows), and the other
    legal entities' rows the model may learn from: those whose outcome was known before the
    own calibration period began. Nothing of another entity is calibrated or tested on."""
    own = np.array([i for i in range(len(data.labels)) if data.own is None or data.own[i]],
                   dtype=int)
    split = time_split([data.dates[i] for i in own],
                       closed=None if data.closed is None else [data.closed[i] for i in own],
                       test_from=test_from)
    split = Split(own[split.train], own[split.calibrate], own[split.test], split.test_from,
                  split.test_to)
    cal_from = data.dates[split.calibrate[0]] if len(split.calibrate) else split.test_from
    others = [i for i in range(len(data.labels)) if data.own is not None and not data.own[i]]
    return split, np.array(_known_before(data, others, cal_from), dtype=int)


def train(data: Dataset, chosen: list[str], test_from: date | None = None,
          miss_cost: int | None = None) -> Trained:
    """A version: recipe, decision rule and calibration chosen before the test period, which
    is the last 20 % of the legal entity's rows, or its rows from ``test_from`` on."""
    own_labels = [v for i, v in enumerate(data.labels) if data.own is None or data.own[i]]
    problem = readiness(own_labels, data.classes)
    if problem:
        raise NotEnoughData(problem)
    split, extra = pooled_split(data, test_from)
    own_train = split.train
    split.train = np.array(sorted([*own_train.tolist(), *extra.tolist()]), dtype=int)
    if len(split.train) < MIN_PER_CLASS * len(data.classes):
        since = data.dates[split.calibrate[0]] if len(split.calibrate) else split.test_from
        raise NotEnoughData(
            f"only {len(split.train)} invoices had a certain outcome before {since}, where "
            "the calibration period begins (an outcome is certain once the invoice is past "
            "the very-late threshold); import a longer history, or lower the very-late "
            "threshold")
    matrix = matrix_for([data.features[i] for i in split.train], chosen)
    x = matrix.encode(data.features)
    y = np.array(data.labels)
    fitter = _Fitter(data, x, y, matrix)
    order = np.argsort(np.array([d.toordinal() for d in data.dates]), kind="stable")
    kept = set(own_train.tolist()) | set(split.calibrate.tolist())
    fitting = np.array([i for i in order if i in kept], dtype=int)
    recipe, search = choose_recipe(fitter, fitting, extra)
    out_of_sample = search.pop("out_of_sample")
    booster = fitter.fit(split.train, recipe.params, recipe.anchored, recipe.rounds)
    anchor = fitter.prior(split.train).tolist() if recipe.anchored else None
    temperature = 1.0
    calibrated = None
    if len(split.calibrate) >= 30:
        calibrating = fitter.probabilities(booster, split.calibrate, split.train,
                                           recipe.anchored)
        temperature = fit_temperature(calibrating, y[split.calibrate], data.classes)
        calibrated = (split.calibrate, _temper(calibrating, temperature))
    if out_of_sample is not None:  # the folds' slices, calibrated as the model will be
        out_of_sample = (out_of_sample[0], _temper(out_of_sample[1], temperature))
    judged, proba = out_of_sample or calibrated or (np.array([], dtype=int),
                                                    np.zeros((0, len(data.classes))))
    decision = decide.choose(proba, fitter.index[judged])
    if miss_cost:  # the user priced the mistakes: least expected cost, nothing fitted
        priced = decide.cost_rule(miss_cost, len(data.classes))
        said_there = decide.said_by(proba, priced)
        decision = {**priced, "rows": decision["rows"],
                    "macro_f1": round(metrics.macro_f1(fitter.index[judged], said_there,
                                                       len(data.classes)), 4),
                    "macro_f1_most_probable": decision["macro_f1_most_probable"]}
    model = Trained(data.classes, matrix, booster.model_to_string(),
                    [{"temperature": temperature, "anchor": anchor, "decision": decision}],
                    n_train=len(split.train) + len(split.calibrate), n_test=len(split.test),
                    test_from=split.test_from, test_to=split.test_to,
                    train_from=data.dates[split.train[0]] if len(split.train) else None)
    test_y = y[split.test]
    test_features = [data.features[i] for i in split.test]
    prior = fitter.prior(own_train)  # the baselines know only the legal entity's own history
    predicted = model.predict(x[split.test], test_features)
    said = model.decide(predicted)
    history = history_shares(test_features, prior, data.classes)
    model.metrics = {
        "model": metrics.evaluate(test_y, predicted, data.classes, said),
        # the same probabilities, each invoice said to be its most probable class
        "model_most_probable": metrics.evaluate(test_y, predicted, data.classes),
        "baselines": {
            "majority": metrics.evaluate(test_y, np.tile(prior, (len(split.test), 1)),
                                         data.classes),
            "customer_history": metrics.evaluate(test_y, history, data.classes),
        },
        "better_than_customer_history": metrics.paired_bootstrap(
            test_y, predicted, history, data.classes, model_decided=said),
        "recipe": {"params": recipe.params, "anchored": recipe.anchored,
                   "rounds": recipe.rounds, "temperature": temperature, "decision": decision,
                   "from_other_entities": int(len(extra)), **search},
    }
    model.test_rows = test_record(test_y, predicted, history, prior)
    model.test_rows["model_said"] = [int(v) for v in said]
    return model


def test_record(y: np.ndarray, model: np.ndarray, history: np.ndarray,
                prior: np.ndarray) -> dict:
    """The test invoices' classes and what the model and both baselines said of each, kept
    with the version so that several legal entities' versions can be judged together, each on
    its own test invoices (``group.py``). Six decimals keep every metric to its fourth."""
    def rounded(p):
        return np.round(p, 6).tolist()

    return {"labels": [int(v) for v in y], "model": rounded(model),
            "customer_history": rounded(history), "majority": rounded(prior)}


def shares(y: np.ndarray, classes: list[int]) -> np.ndarray:
    """Each class's share of ``y`` (the majority baseline's probabilities)."""
    return np.array([(y == c).mean() for c in classes])


def history_shares(rows: list[dict], prior: np.ndarray, classes: list[int]) -> np.ndarray:
    """The customer's own shares of on time / late / very late as of the invoice date,
    smoothed towards ``prior`` (the training shares; a customer without history gets those):
    the customer-history baseline, and where the anchored model starts."""
    out = np.zeros((len(rows), len(classes)))
    names = {ON_TIME: "hist_on_time_share", LATE: "hist_late_share",
             VERY_LATE: "hist_very_late_share"}
    for i, row in enumerate(rows):
        n = row.get("hist_n") or 0
        own = np.array([0.0 if _missing(row.get(names[c])) else row[names[c]]
                        for c in classes])
        if len(classes) == 2:  # two classes: late and very late are both late
            own[1] = 0.0 if _missing(row.get("hist_on_time_share")) else \
                1 - row["hist_on_time_share"]
        out[i] = (own * n + prior * 2) / (n + 2)
    return np.clip(out, 1e-6, 1.0)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def condition_on_age(proba: np.ndarray, classes: list[int], days_past_due: np.ndarray,
                     late_days: int, very_late_days: int) -> np.ndarray:
    """An invoice still open on the scoring date can no longer be paid in a class whose
    window has passed: past the late threshold it is not on time, past the very-late one it
    is very late. The model's odds of the classes still possible are kept."""
    out = proba.copy()
    index = {c: k for k, c in enumerate(classes)}
    for row, age in zip(out, days_past_due):
        if age > late_days:
            row[index[ON_TIME]] = 0.0
        if VERY_LATE in index and age > very_late_days:
            row[index[LATE]] = 0.0
        total = row.sum()
        if total <= 0:  # the model gave the only possible class nothing: it is certain
            row[index[VERY_LATE if VERY_LATE in index and age > very_late_days
                      else LATE]] = 1.0
        else:
            row /= total
    return out
