"""Training and evaluation, free of the database: a time split (train on the earlier period,
calibrate on its last slice, test on the later period — never shuffled across time), LightGBM
for the classes, temperature scaling fitted on the calibration slice, and the two baselines on
the same test rows (the training majority class; the customer's own history of on-time / late
/ very late as of each invoice's date).

A trained model is plain data: LightGBM's model text, the calibration (a temperature), the
category codes and the feature list — stored in the database, never pickled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import lightgbm as lgb
import numpy as np

from . import metrics
from .labels import LATE, NAMES, ON_TIME, VERY_LATE

PARAMS = {"objective": "multiclass", "learning_rate": 0.05, "num_leaves": 15,
          "min_data_in_leaf": 20, "feature_fraction": 0.9, "bagging_fraction": 0.9,
          "bagging_freq": 1, "lambda_l2": 1.0, "verbose": -1, "seed": 7,
          "deterministic": True, "force_row_wise": True, "num_threads": 2}
ROUNDS = 150  # more overfits the small companies and doubles the cost of explanations
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
    """The columns: the chosen features, and the imported attributes (channel, region, ...) as
    categories when "attributes" is chosen."""
    names = [n for n in chosen if n != "attributes"]
    attrs = (sorted({k for row in rows for k in row if k.startswith("attr_")})
             if "attributes" in chosen else [])
    categories = {name: sorted({str(row[name]) for row in rows if name in row})
                  for name in attrs}
    return Matrix(names + attrs, categories)


def readiness(labels: list[int], classes: list[int]) -> str | None:
    """None when there is enough closed history; otherwise what is there and what is needed."""
    counts = {NAMES[c]: labels.count(c) for c in classes}
    have = ", ".join(f"{n} {k}" for k, n in counts.items())
    if len(labels) < MIN_ROWS:
        return (f"{len(labels)} settled invoices ({have}); at least {MIN_ROWS} are needed to "
                "train a model")
    thin = [k for k, n in counts.items() if n < MIN_PER_CLASS]
    if thin:
        return (f"too few settled invoices {' and '.join(thin)} ({have}); each class needs "
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
               closed: list[date] | None = None) -> Split:
    """By invoice date: the last ``test_share`` of the rows is the test period; the last
    ``calibrate_share`` of the rest calibrates. Rows of one day stay together (a company
    that invoices everyone on one day gets whole days). With ``closed`` (when each outcome
    became known), earlier rows whose outcome was only known inside a later period are left
    out: the model never learns from what happened in the period it is judged on."""
    order = np.argsort(np.array([d.toordinal() for d in dates]), kind="stable")
    n = len(order)
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
    calibration: list[dict]          # per class: {"x": [...], "y": [...]}
    metrics: dict = field(default_factory=dict)
    n_train: int = 0
    n_test: int = 0
    test_from: date | None = None
    test_to: date | None = None
    train_from: date | None = None

    def booster(self) -> lgb.Booster:
        if not hasattr(self, "_booster"):
            self._booster = lgb.Booster(model_str=self.booster_text)
        return self._booster

    def predict(self, x: np.ndarray) -> np.ndarray:
        raw = self.booster().predict(x)
        return calibrate(raw, self.calibration)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per row and feature, how much it pushed the prediction away from *on time*
        (positive: towards late). In a softmax model every class has its own trees, so a
        feature's effect on log P(on time) is its on-time contribution less the
        probability-weighted contributions to every class: −(φ₀ − Σₖ pₖ φₖ), with φ the exact
        tree SHAP values (LightGBM's ``pred_contrib``)."""
        k = len(self.classes)
        contrib = self.booster().predict(x, pred_contrib=True).reshape(len(x), k, -1)[:, :, :-1]
        p = self.booster().predict(x)
        return -(contrib[:, 0, :] - np.einsum("nk,nkf->nf", p, contrib))


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
        loss = -np.mean(np.log(np.clip(p[np.arange(len(y)), index], 1e-12, 1.0)))
        if best_loss is None or loss < best_loss - 1e-9:
            best, best_loss = float(t), loss
    return best


def _fit(x, y, classes, matrix: Matrix) -> lgb.Booster:
    index = {c: k for k, c in enumerate(classes)}
    params = dict(PARAMS, num_class=len(classes))
    categorical = [j for j, name in enumerate(matrix.names) if name in matrix.categories]
    data = lgb.Dataset(x, label=[index[v] for v in y], feature_name=matrix.names,
                       categorical_feature=categorical or "auto", free_raw_data=False)
    return lgb.train(params, data, num_boost_round=ROUNDS)


def train(data: Dataset, chosen: list[str]) -> Trained:
    problem = readiness(data.labels, data.classes)
    if problem:
        raise NotEnoughData(problem)
    split = time_split(data.dates, closed=data.closed)
    matrix = matrix_for([data.features[i] for i in split.train], chosen)
    x = matrix.encode(data.features)
    y = np.array(data.labels)
    booster = _fit(x[split.train], y[split.train], data.classes, matrix)
    curves = []
    if len(split.calibrate) >= 30:
        curves = [{"temperature": fit_temperature(booster.predict(x[split.calibrate]),
                                                  y[split.calibrate], data.classes)}]
    model = Trained(data.classes, matrix, booster.model_to_string(), curves,
                    n_train=len(split.train) + len(split.calibrate), n_test=len(split.test),
                    test_from=split.test_from, test_to=split.test_to,
                    train_from=data.dates[split.train[0]] if len(split.train) else None)
    test_y = y[split.test]
    model.metrics = {
        "model": metrics.evaluate(test_y, model.predict(x[split.test]), data.classes),
        "baselines": {
            "majority": metrics.evaluate(test_y, majority(y[split.train], len(split.test),
                                                          data.classes), data.classes),
            "customer_history": metrics.evaluate(
                test_y, customer_history([data.features[i] for i in split.test],
                                         y[split.train], data.classes), data.classes),
        },
    }
    return model


def majority(train_y: np.ndarray, n: int, classes: list[int]) -> np.ndarray:
    """Always the training period's most frequent class, with its training share as the
    probability (so log loss is defined)."""
    shares = np.array([(train_y == c).mean() for c in classes])
    return np.tile(shares, (n, 1))


def customer_history(rows: list[dict], train_y: np.ndarray, classes: list[int]) -> np.ndarray:
    """The customer's own shares of on time / late / very late as of the invoice date,
    smoothed towards the training shares (a customer without history gets those)."""
    prior = np.array([(train_y == c).mean() for c in classes])
    out = np.zeros((len(rows), len(classes)))
    shares = {ON_TIME: "hist_on_time_share", LATE: "hist_late_share",
              VERY_LATE: "hist_very_late_share"}
    for i, row in enumerate(rows):
        n = row.get("hist_n") or 0
        own = np.array([0.0 if _missing(row.get(shares[c])) else row[shares[c]]
                        for c in classes])
        if len(classes) == 2:  # two classes: late and very late are both late
            own[1] = 0.0 if _missing(row.get("hist_on_time_share")) else \
                1 - row["hist_on_time_share"]
        out[i] = (own * n + prior * 2) / (n + 2)
    return out


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
