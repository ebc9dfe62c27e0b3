"""The decision rule: which class an invoice is said to be, apart from its probabilities."""

import random
from datetime import date, timedelta

import numpy as np

from remit.insights import decide, learn
from remit.insights.labels import LATE, ON_TIME, VERY_LATE
from remit.insights.metrics import evaluate, macro_f1


def test_offsets_of_zero_say_the_most_probable_class_and_a_ruled_out_class_stays_out():
    proba = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.0, 0.4, 0.6]])
    assert decide.decide(proba, None).tolist() == [0, 1, 2]
    assert decide.decide(proba, [0.0, 0.0, 0.0]).tolist() == [0, 1, 2]
    # a large offset for on time cannot make a row whose age ruled it out on time
    assert decide.decide(proba, [5.0, 0.0, 0.0]).tolist() == [0, 0, 2]


def _calibrated_minority(n: int, seed: int):
    """Calibrated probabilities in which the rare class is never the most probable: the
    most probable class never says it, so its F1 is 0."""
    rng = np.random.default_rng(seed)
    risk = rng.random(n)
    p_rare = 0.05 + 0.35 * risk  # at most 0.40
    p_late = 0.15 * np.ones(n)
    proba = np.column_stack([1 - p_rare - p_late, p_late, p_rare])
    truth = np.array([rng.choice(3, p=row) for row in proba])
    return proba, truth


def test_the_rule_finds_the_rare_class_the_most_probable_one_never_says():
    proba, truth = _calibrated_minority(3000, 1)
    chosen = decide.choose(proba, truth)
    assert chosen["macro_f1_most_probable"] == round(macro_f1(truth, proba.argmax(1), 3), 4)
    assert chosen["offsets"][2] > 0 and chosen["macro_f1"] > chosen["macro_f1_most_probable"]
    # and it holds on rows it was not chosen on
    fresh, fresh_truth = _calibrated_minority(3000, 2)
    said = decide.decide(fresh, chosen["offsets"])
    assert macro_f1(fresh_truth, said, 3) > macro_f1(fresh_truth, fresh.argmax(1), 3) + 0.05
    assert (said == 2).sum() > 0 == (fresh.argmax(1) == 2).sum()


def test_too_few_rows_or_nothing_to_gain_keeps_the_most_probable_class():
    proba, truth = _calibrated_minority(20, 3)
    assert decide.choose(proba, truth)["offsets"] == [0.0, 0.0, 0.0]
    sure = np.eye(3)[np.arange(300) % 3] * 0.9 + 0.1 / 3  # the most probable is always right
    chosen = decide.choose(sure, np.arange(300) % 3)
    assert chosen["macro_f1"] == chosen["macro_f1_most_probable"] == 1.0
    assert decide.decide(sure, chosen["offsets"]).tolist() == (np.arange(300) % 3).tolist()


def _skewed(n=1500, seed=5):
    """Mostly on time; a rare very-late class that only a weak signal foretells."""
    rng = random.Random(seed)
    rows, labels, dates = [], [], []
    for i in range(n):
        share = rng.random()
        roll = rng.random()
        label = (VERY_LATE if roll < 0.04 + 0.25 * share ** 3 else
                 LATE if roll < 0.15 + 0.2 * share else ON_TIME)
        rows.append({"hist_late_share": share, "terms_days": rng.choice([14, 30])})
        labels.append(label)
        dates.append(date(2024, 1, 1) + timedelta(days=i // 3))
    return learn.Dataset(dates, rows, labels, [0] * n, [ON_TIME, LATE, VERY_LATE])


def test_a_trained_version_keeps_its_rule_and_its_figures_use_it():
    data = _skewed()
    model = learn.train(data, ["hist_late_share", "terms_days"])
    rule = model.decision
    assert rule["rule"] == "macro_f1" and len(rule["offsets"]) == 3 and rule["rows"] >= 30
    assert any(rule["offsets"])  # the most probable class is always "on time" here
    rows = model.test_rows
    y, proba = np.array(rows["labels"]), np.array(rows["model"])
    said = model.decide(proba)
    assert rows["model_said"] == said.tolist()
    # the version's figures are those of what it says; its most probable class beside them
    assert model.metrics["model"]["confusion"] == evaluate(y, proba, model.classes,
                                                           said)["confusion"]
    assert model.metrics["model_most_probable"]["confusion"] == evaluate(
        y, proba, model.classes)["confusion"]
    assert model.metrics["model"]["log_loss"] == model.metrics["model_most_probable"]["log_loss"]
    assert model.metrics["recipe"]["decision"] == rule
    assert model.metrics["model"]["macro_f1"] > model.metrics["model_most_probable"]["macro_f1"]


def test_a_chosen_test_date_makes_the_test_period_those_invoices_and_nothing_before():
    data = _skewed()
    chosen = date(2024, 12, 1)
    model = learn.train(data, ["hist_late_share", "terms_days"], test_from=chosen)
    assert model.test_from >= chosen
    assert model.n_test == sum(1 for d in data.dates if d >= chosen)
    assert len(model.test_rows["labels"]) == model.n_test


def test_a_test_date_that_leaves_too_little_on_either_side_is_refused_with_the_counts():
    data = _skewed()
    for when, says in ((date(2024, 1, 10), "only 27 invoices"),
                       (date(2030, 1, 1), "no invoice dated 2030-01-01")):
        try:
            learn.train(data, ["hist_late_share"], test_from=when)
        except learn.NotEnoughData as exc:
            assert says in str(exc)
        else:
            raise AssertionError(f"{when} was accepted")


def test_a_priced_miss_says_very_late_more_as_it_costs_more_and_never_a_ruled_out_class():
    proba, _ = _calibrated_minority(2000, 4)
    said = {c: (decide.said_by(proba, decide.cost_rule(c, 3)) == 2).sum() for c in (1, 3, 10)}
    assert said[1] <= said[3] < said[10]
    # the class said is the one of least expected cost
    rule = decide.cost_rule(4, 3)
    expected = proba @ np.array(rule["costs"])
    assert (decide.said_by(proba, rule) == expected.argmin(axis=1)).all()
    aged = np.array([[0.0, 0.3, 0.7], [0.0, 0.0, 1.0]])
    assert 0 not in decide.said_by(aged, decide.cost_rule(1, 3)).tolist()
    assert decide.cost_rule(5, 2)["costs"] == [[0.0, 1.0], [5.0, 0.0]]


def test_a_version_trained_with_a_priced_miss_keeps_that_rule():
    model = learn.train(_skewed(), ["hist_late_share", "terms_days"], miss_cost=6)
    assert model.decision["rule"] == "cost" and model.decision["miss_cost"] == 6
    said = model.decide(np.array(model.test_rows["model"]))
    assert model.test_rows["model_said"] == said.tolist()
    assert model.metrics["recipe"]["decision"]["rule"] == "cost"
