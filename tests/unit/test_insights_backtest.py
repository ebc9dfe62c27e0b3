"""The rolling-origin backtest: each month judged by a version that knew only what came before
it, the months pooled."""

from dataclasses import replace

from remit.insights import backtest
from remit.insights.labels import ON_TIME, VERY_LATE
from tests.unit.test_insights_decide import _skewed

CHOSEN = ["hist_late_share", "terms_days"]


def test_each_of_the_last_months_is_tested_on_its_own_invoices_and_pooled():
    data = _skewed()
    result = backtest.backtest(data, CHOSEN, months=3)
    starts = backtest.month_starts(data.dates, 3)
    assert [m["month"] for m in result["months"]] == [s.isoformat()[:7] for s in starts]
    for month, start in zip(result["months"], starts):
        assert month["n_test"] == sum(1 for d in data.dates if d.replace(day=1) == start)
    pooled = result["pooled"]
    assert pooled["n_test"] == sum(m["n_test"] for m in result["months"])
    assert set(pooled["baselines"]) == {"majority", "customer_history"}
    assert {"log_loss", "macro_f1"} == set(pooled["better_than_customer_history"])


def test_a_month_is_judged_the_same_whatever_happened_after_it():
    data = _skewed()
    first = backtest.backtest(data, CHOSEN, months=2)["months"][0]
    last_month = backtest.month_starts(data.dates, 1)[0]
    flipped = [VERY_LATE if d >= last_month and label == ON_TIME else label
               for d, label in zip(data.dates, data.labels)]
    again = backtest.backtest(replace(data, labels=flipped), CHOSEN, months=2)["months"]
    assert again[0] == first
    assert again[1] != backtest.backtest(data, CHOSEN, months=1)["months"][0]


def test_a_month_with_too_little_before_it_is_skipped_with_the_reason():
    data = _skewed(n=200)
    result = backtest.backtest(data, CHOSEN, months=3)
    assert result["skipped"] and "needed" in result["skipped"][0]["reason"]
