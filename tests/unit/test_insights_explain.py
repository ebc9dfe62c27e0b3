"""Top factors said in words an agent understands, once each."""

import math

from remit.insights.explain import phrase, top_factors


def test_factor_sentences_use_the_customers_own_numbers():
    row = {"hist_n": 14, "last10_late": 7, "hist_on_time_share": 0.25, "open_count": 1,
           "hist_avg_days_late": -3.2, "tenure_days": 800}
    assert phrase("last10_late", 7, row) == "customer paid 7 of its last 10 invoices late"
    assert phrase("hist_on_time_share", 0.25, row) == ("25 % of the customer's 14 earlier "
                                                       "invoices were paid on time")
    assert phrase("open_count", 1, row) == "1 other invoice open"
    assert phrase("hist_avg_days_late", -3.2, row) == ("on average the customer pays 3 days "
                                                       "before the due date")
    assert phrase("tenure_days", 800, row) == "customer for 2.2 years"


def test_a_customer_without_history_is_said_once():
    nan = math.nan
    names = ["hist_on_time_share", "hist_n", "days_since_last_payment", "amount_log"]
    row = {"hist_on_time_share": nan, "hist_n": 0, "days_since_last_payment": nan,
           "amount_log": 3.0}
    factors = top_factors(names, [0.9, 0.8, 0.7, -0.2], row)
    assert [f["text"] for f in factors] == ["no payment history yet",
                                            "invoice amount about 999"]
    assert [f["effect"] for f in factors] == ["late", "on_time"]


def test_the_customers_record_is_said_with_its_own_counts():
    row = {"hist_n": 12, "hist_on_time_share": 2 / 12, "hist_late_share": 7 / 12,
           "hist_very_late_share": 3 / 12}
    assert phrase("customer_record", None, row) == (
        "of its 12 earlier invoices: 2 on time, 7 late, 3 very late")
    assert phrase("customer_record", None, {"hist_n": 0}) == "no payment history yet"
    assert phrase("customer_record", None, {"hist_n": 1, "hist_on_time_share": 1.0}) == (
        "of its 1 earlier invoice: 1 on time")


def test_the_days_late_figures_in_words():
    assert phrase("recent_days_late", 12.4, {}) == ("its latest invoices were paid 12 days "
                                                    "after the due date")
    assert phrase("days_late_trend", 9.6, {}) == "paying 10 days later than before"
    assert phrase("days_late_trend", -4, {}) == "paying 4 days earlier than before"
    assert phrase("oldest_overdue_days", 45, {}) == ("another invoice already 45 days past its "
                                                     "due date")
    assert phrase("oldest_overdue_days", 0, {}) == "no other invoice overdue"
    assert phrase("recent_very_late_weighted", 0.5, {}) == ("lately about 50 % of its invoices "
                                                           "were paid very late")
    assert phrase("recent_days_late", math.nan, {"hist_n": 0}) == "no payment history yet"


def test_a_customer_who_stopped_paying_is_not_said_to_have_no_history():
    """Five earlier invoices, all unpaid past the very-late threshold: nothing was paid, so the
    days figures are unknown — but the customer has a history, and it is bad."""
    nan = math.nan
    row = {"hist_n": 5, "hist_on_time_share": 0.0, "hist_late_share": 0.0,
           "hist_very_late_share": 1.0, "hist_avg_days_late": nan, "recent_days_late": nan,
           "days_since_last_payment": nan, "late_trend": nan}
    assert phrase("recent_days_late", nan, row) == "none of its 5 earlier invoices paid yet"
    assert phrase("days_since_last_payment", nan, row) == ("none of its 5 earlier invoices "
                                                           "paid yet")
    assert phrase("late_trend", nan, row) == "too little history for a trend"
    assert phrase("hist_n", 5, row) == "5 earlier invoices with a known outcome"
    assert phrase("customer_record", None, row) == (
        "of its 5 earlier invoices: 0 on time, 0 late, 5 very late")
