"""The learning side without a database: the time split (whole days, nothing learnt from the
period it is judged on), temperature calibration, and the direction of the explanations."""

import random
from datetime import date, timedelta

import numpy as np
import pytest

from remit.insights import learn
from remit.insights.labels import LATE, ON_TIME, VERY_LATE


def test_a_company_that_invoices_on_one_day_a_month_gets_whole_days_not_a_crash():
    dates = [date(2026, m, 28) for m in (1, 2, 3, 4) for _ in range(30)]
    split = learn.time_split(dates)
    assert len(split.test) == 30 and split.test_from == date(2026, 4, 28)
    with pytest.raises(learn.NotEnoughData, match="too few days"):
        learn.time_split([date(2026, 1, 28)] * 40)


def test_earlier_rows_settled_inside_a_later_period_are_left_out():
    dates = [date(2026, 1, 1) + timedelta(days=i) for i in range(100)]
    closed = [d + timedelta(days=5) for d in dates]   # each known five days later
    kept = learn.time_split(dates)
    split = learn.time_split(dates, closed=closed)
    cal_from = dates[kept.calibrate[0]]
    assert all(closed[i] < cal_from for i in split.train)
    assert all(closed[i] < split.test_from for i in split.calibrate)
    # the last five days before each later period are the ones left out
    assert len(kept.train) - len(split.train) == 5
    assert len(kept.calibrate) - len(split.calibrate) == 5
    assert list(split.test) == list(kept.test)


def _synthetic(n=600, seed=3):
    rng = random.Random(seed)
    rows, labels, dates = [], [], []
    for i in range(n):
        share = rng.random()
        late = share > 0.6
        label = (VERY_LATE if share > 0.85 else LATE) if late else ON_TIME
        rows.append({"hist_late_share": share, "terms_days": rng.choice([14, 30])})
        labels.append(label)
        dates.append(date(2025, 1, 1) + timedelta(days=i // 3))
    return learn.Dataset(dates, rows, labels, [0] * n, [ON_TIME, LATE, VERY_LATE])


def test_a_feature_that_makes_customers_late_pushes_their_invoices_towards_late():
    data = _synthetic()
    model = learn.train(data, ["hist_late_share", "terms_days"])
    rows = [{"hist_late_share": 0.95, "terms_days": 30},
            {"hist_late_share": 0.05, "terms_days": 30}]
    x = model.matrix.encode(rows)
    contrib = model.contributions(x, rows)
    assert contrib.shape[1] == len(model.explained_names)
    share = model.matrix.names.index("hist_late_share")
    assert contrib[0, share] > 0 > contrib[1, share]
    p = model.predict(x, rows)
    assert p[0, 0] < 0.5 < p[1, 0] and np.allclose(p.sum(axis=1), 1)


def test_temperature_is_fitted_and_one_when_the_model_is_already_calibrated():
    rng = np.random.default_rng(5)
    p = rng.dirichlet([2, 2, 2], size=400)
    y = np.array([rng.choice(3, p=row) for row in p])
    assert learn.fit_temperature(p, y, [0, 1, 2]) == pytest.approx(1.0, abs=0.2)
    sharp = p ** 3 / (p ** 3).sum(axis=1, keepdims=True)  # overconfident: cooled back down
    assert learn.fit_temperature(sharp, y, [0, 1, 2]) > 2


def test_the_model_starts_from_the_customers_record_when_validation_says_so():
    """Rows whose label follows the customer's own record: the anchored recipe wins the
    rolling validation, and a customer's record is named among the factors (its effect has
    the record's direction)."""
    rng = random.Random(11)
    rows, labels, dates = [], [], []
    for i in range(900):
        n = rng.randint(3, 30)
        on_time = rng.random()
        label = ON_TIME if rng.random() < on_time else (LATE if rng.random() < 0.7
                                                         else VERY_LATE)
        late = (1 - on_time) * 0.7
        rows.append({"hist_n": n, "hist_on_time_share": on_time, "hist_late_share": late,
                     "hist_very_late_share": 1 - on_time - late,
                     "terms_days": rng.choice([14, 30])})
        labels.append(label)
        dates.append(date(2025, 1, 1) + timedelta(days=i // 3))
    data = learn.Dataset(dates, rows, labels, [0] * len(rows), [ON_TIME, LATE, VERY_LATE])
    model = learn.train(data, ["terms_days"])  # the record itself is not a chosen column
    recipe = model.metrics["recipe"]
    assert recipe["anchored"] and recipe["folds"] == 3 and model.anchor is not None
    assert model.explained_names[-1] == "customer_record"
    good, bad = dict(rows[0], hist_on_time_share=0.95, hist_late_share=0.05,
                     hist_very_late_share=0.0), dict(rows[0], hist_on_time_share=0.05,
                                                     hist_late_share=0.65,
                                                     hist_very_late_share=0.3)
    x = model.matrix.encode([good, bad])
    contrib = model.contributions(x, [good, bad])
    assert contrib[0, -1] < 0 < contrib[1, -1]
    p = model.predict(x, [good, bad])
    assert p[0, 0] > 0.7 > 0.3 > p[1, 0]
    model_ll = model.metrics["model"]["log_loss"]
    assert model_ll <= model.metrics["baselines"]["customer_history"]["log_loss"] + 0.01
    assert model_ll < model.metrics["baselines"]["majority"]["log_loss"]


def test_other_legal_entities_are_learnt_from_only_with_what_was_known_in_time():
    """Rows of the group's other legal entities train the model when their outcome was known
    before this entity's calibration period; they are never calibrated or tested on."""
    dates = [date(2026, 1, 1) + timedelta(days=i // 2) for i in range(400)]
    own = [i % 2 == 0 for i in range(400)]
    closed = [d + timedelta(days=10) for d in dates]
    rows = [{"hist_n": 0} for _ in dates]
    data = learn.Dataset(dates, rows, [ON_TIME] * 400, [0] * 400, [ON_TIME, LATE], closed,
                         own=own)
    split, extra = learn.pooled_split(data)
    cal_from = dates[split.calibrate[0]]
    assert all(own[i] for i in [*split.train, *split.calibrate, *split.test])
    assert extra.size and all(not own[i] and closed[i] < cal_from for i in extra)
    latest_other = max(i for i in range(400) if not own[i])
    assert latest_other not in extra  # settled inside the later periods: not learnt from
    alone, none = learn.pooled_split(learn.Dataset(dates, rows, [ON_TIME] * 400, [0] * 400,
                                                   [ON_TIME, LATE], closed))
    assert none.size == 0 and len(alone.test) == 80


def test_a_short_history_whose_outcomes_are_certain_late_is_refused_with_a_reason():
    """150 invoices over 80 days, each certain 60 days after its date (30-day terms and a
    30-day very-late threshold): hardly anything is certain before the calibration period
    begins, which is a message, not LightGBM failing on an empty training set."""
    dates = [date(2025, 1, 1) + timedelta(days=i * 80 // 150) for i in range(150)]
    rows = [{"terms_days": 30, "hist_late_share": (i % 7) / 7} for i in range(150)]
    data = learn.Dataset(dates, rows, [i % 3 for i in range(150)], [0] * 150,
                         [ON_TIME, LATE, VERY_LATE],
                         closed=[d + timedelta(days=60) for d in dates], own=[True] * 150)
    with pytest.raises(learn.NotEnoughData, match=r"only \d+ invoices had a certain outcome "
                                                  r"before 2025-\d\d-\d\d"):
        learn.train(data, ["terms_days", "hist_late_share"])


def test_macro_f1_of_the_bootstrap_is_scikit_learns_including_absent_classes():
    from sklearn.metrics import f1_score

    from remit.insights.metrics import macro_f1

    rng = np.random.default_rng(3)
    for k, n in ((3, 40), (3, 5), (4, 200), (2, 1)):
        truth = rng.integers(0, k - 1, n)  # the last class never occurs
        predicted = rng.integers(0, k, n)
        expected = f1_score(truth, predicted, labels=list(range(k)), average="macro",
                            zero_division=0)
        assert macro_f1(truth, predicted, k) == pytest.approx(expected, abs=1e-12)
