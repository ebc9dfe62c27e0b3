"""Credit management's pure rules against the worked examples of spec section 2."""

from datetime import date
from decimal import Decimal as D

import pytest

from remit.credit import rules as r

AS_OF = date(2023, 10, 12)


# --- §2.3 insurance and guarantees -----------------------------------------------------------

def test_insurance_raises_the_limit_by_value_times_percent():
    assert r.total_limit(D(100_000), covers=[r.Cover(D(50_000), D(50))]) == D(125_000)


def test_insurance_included_in_exposure_takes_the_whole_value_off():
    assert r.total_limit(D(100_000), covers=[r.Cover(D(50_000), D(50), True)]) == D(75_000)


def test_temporary_limit_replaces_the_normal_one_and_covers_still_add():
    assert r.total_limit(D(10_000), D(30_000), [r.Cover(D(1_000), D(100))]) == D(31_000)


def test_total_limit_is_never_negative():
    assert r.total_limit(D(0), covers=[r.Cover(D(50_000), D(0), True)]) == D(0)


# --- §2.5 credit groups: the five scenarios ------------------------------------------------------

def _effective(individual, group=D(15_000), **flags):
    checks = r.limit_checks(r.CustomerLimit(D(individual), **flags), ("G1", group), True)
    return r.effective_limit(checks), [c.who for c in checks]


def test_scenario_1_individual_10000_group_15000_gives_10000():
    assert _effective(10_000) == (D(10_000), ["group G1", "customer"])


def test_scenario_2_individual_20000_group_15000_gives_15000_group_first():
    assert _effective(20_000) == (D(15_000), ["group G1", "customer"])


def test_scenario_3_zero_with_mandatory_gives_zero_even_in_a_group():
    assert _effective(0, mandatory=True)[0] == D(0)


def test_scenario_4_zero_with_unlimited_is_unlimited_even_in_a_group():
    assert _effective(0, unlimited=True) == (None, [])


def test_scenario_5_zero_without_flags_uses_the_group_limit():
    assert _effective(0) == (D(15_000), ["group G1"])


def test_without_a_group_zero_means_no_credit():
    checks = r.limit_checks(r.CustomerLimit(D(0)), None, True)
    assert r.effective_limit(checks) == D(0)
    assert r.used_percent(D("0.01"), D(0)) > D(100)


def test_group_check_switched_off_ignores_the_group():
    checks = r.limit_checks(r.CustomerLimit(D(20_000)), ("G1", D(15_000)), False)
    assert r.effective_limit(checks) == D(20_000)


# --- §2.1 exposure by credit limit type ----------------------------------------------------------

AMOUNTS = r.Exposure(D(1000), D(200), D(300))


@pytest.mark.parametrize("limit_type,mandatory,expected", [
    ("none", False, None), ("none", True, D(1000)), ("balance", False, D(1000)),
    ("balance_packing", False, D(1200)), ("balance_all", False, D(1500))])
def test_exposure_per_limit_type(limit_type, mandatory, expected):
    assert r.exposure(limit_type, AMOUNTS, mandatory) == expected


def test_legacy_message_arithmetic_new_balance_and_excess():
    # New balance = open balance + current order; excess = new balance − limit
    new_balance = r.exposure("balance", r.Exposure(D(8000))) + D(3000)
    assert new_balance - D(10_000) == D(1000)
    assert r.used_percent(new_balance, D(10_000)) == D("110")
    # a cent over is over: never rounded back to 100 %
    assert r.used_percent(D("10000.01"), D(10_000)) > 100
    assert r.shown(r.used_percent(D("10000.01"), D(10_000))) == D("100.01")


# --- §2.7 blocking rules and their evaluation order ----------------------------------------------

def facts(**kw):
    base = dict(as_of=AS_OF, customer_id=1, order_amount=D(100), group_id=7,
                uses=(("customer", D(50)),), limit=D(10_000))
    base.update(kw)
    return r.Facts(**base)


def rule(id_, rule_type, **kw):
    return r.Rule(id=id_, rule_type=rule_type, **kw)


def test_block_all_over_61_days_but_exclude_a_customer_under_100_days():
    rules = [rule(1, r.DAYS_OVERDUE, value_type="days", value=D(61)),
             rule(2, r.DAYS_OVERDUE, scope="customer", customer_id=1, kind=r.EXCLUSION,
                  value_type="days", value=D(100))]
    assert not r.evaluate(rules, facts(days_overdue=80)).held
    held = r.evaluate(rules, facts(days_overdue=101))
    assert held.held and held.reasons[0].code == r.DAYS_OVERDUE
    # someone else is held at 80 days: the exclusion is only for customer 1
    assert r.evaluate(rules, facts(customer_id=2, days_overdue=80)).held


def test_an_exclusion_at_the_same_level_does_not_override():
    rules = [rule(1, r.DAYS_OVERDUE, value_type="days", value=D(61)),
             rule(2, r.DAYS_OVERDUE, kind=r.EXCLUSION, value_type="days", value=D(100))]
    assert r.evaluate(rules, facts(days_overdue=80)).held


def test_an_exclusion_with_another_value_type_does_not_override_without_release():
    rules = [rule(1, r.DAYS_OVERDUE, value_type="days", value=D(61)),
             rule(2, r.DAYS_OVERDUE, scope="customer", customer_id=1, kind=r.EXCLUSION,
                  value_type="amount", value=D(500))]
    assert r.evaluate(rules, facts(days_overdue=80, overdue_amount=D(100))).held


def test_release_sales_order_exclusion_releases_at_once_and_skips_every_other_rule():
    rules = [rule(1, r.DAYS_OVERDUE, value_type="days", value=D(61)),
             rule(2, r.LIMIT_USED, value_type="percent", value=D(100)),
             rule(3, r.DAYS_OVERDUE, scope="customer", customer_id=1, kind=r.EXCLUSION,
                  value_type="amount", value=D(500), release_order=True)]
    decision = r.evaluate(rules, facts(days_overdue=80, overdue_amount=D(100),
                                       uses=(("customer", D(250)),)))
    assert decision.released_by == 3 and not decision.held
    # over its amount, the release exclusion does not hold and both rules fire: "Multiple"
    decision = r.evaluate(rules, facts(days_overdue=80, overdue_amount=D(600),
                                       uses=(("customer", D(250)),)))
    assert [x.code for x in decision.reasons] == [r.DAYS_OVERDUE, r.LIMIT_USED]
    assert decision.summary == "Multiple"
    assert decision.detail.startswith("Multiple: ") and decision.detail.count(";") == 1


def test_most_specific_blocking_level_decides_table_then_group_then_all():
    rules = [rule(1, r.ORDER_AMOUNT, value_type="amount", value=D(1000)),
             rule(2, r.ORDER_AMOUNT, scope="group", group_id=7, value_type="amount",
                  value=D(5000))]
    assert not r.evaluate(rules, facts(order_amount=D(2000))).held
    assert r.evaluate(rules, facts(order_amount=D(2000), group_id=8)).held


def test_risk_group_narrows_a_rule():
    rules = [rule(1, r.ORDER_AMOUNT, value_type="amount", value=D(1000), risk_group_id=3)]
    assert r.evaluate(rules, facts(order_amount=D(2000), risk_group_id=3)).held
    assert not r.evaluate(rules, facts(order_amount=D(2000), risk_group_id=4)).held


def test_account_status_and_terms_rules_match_their_value():
    rules = [rule(1, r.ACCOUNT_STATUS, account_status_id=5),
             rule(2, r.TERMS, payment_terms_id=9)]
    assert not r.evaluate(rules, facts(account_status_id=4, terms_id=8)).held
    d = r.evaluate(rules, facts(account_status_id=5, account_status="LEGAL", terms_id=9,
                                terms="COD"))
    assert [x.text for x in d.reasons] == ["Account status LEGAL", "Terms of payment COD"]


def test_account_status_exclusion_for_one_customer():
    rules = [rule(1, r.ACCOUNT_STATUS, account_status_id=5),
             rule(2, r.ACCOUNT_STATUS, scope="customer", customer_id=1, kind=r.EXCLUSION,
                  account_status_id=5)]
    assert not r.evaluate(rules, facts(account_status_id=5)).held


def test_credit_limit_expired_with_grace_days_and_blank_expiry_parameter():
    rules = [rule(1, r.LIMIT_EXPIRED, value_type="days", value=D(5))]
    assert not r.evaluate(rules, facts(limit_expires=date(2023, 10, 7))).held
    assert r.evaluate(rules, facts(limit_expires=date(2023, 10, 6))).held
    assert not r.evaluate(rules, facts(limit_expires=None)).held
    assert r.evaluate(rules, facts(limit_expires=None, ignore_blank_expiry=False)).held


def test_overdue_amount_blocks_only_when_both_amount_and_limit_threshold_are_exceeded():
    rules = [rule(1, r.OVERDUE_AMOUNT, value_type="amount", value=D(1000),
                  limit_threshold=D(80))]
    assert not r.evaluate(rules, facts(overdue_amount=D(1500), uses=(("customer", D(70)),))).held
    assert not r.evaluate(rules, facts(overdue_amount=D(900), uses=(("customer", D(90)),))).held
    assert r.evaluate(rules, facts(overdue_amount=D(1500), uses=(("customer", D(90)),))).held


def test_overdue_amount_as_a_percentage_of_the_limit():
    rules = [rule(1, r.OVERDUE_AMOUNT, value_type="percent", value=D(10))]
    assert not r.evaluate(rules, facts(overdue_amount=D(1000), limit=D(10_000))).held
    assert r.evaluate(rules, facts(overdue_amount=D("1000.01"), limit=D(10_000))).held


def test_credit_limit_used_runs_only_when_the_parameter_is_on():
    rules = [rule(1, r.LIMIT_USED, value_type="percent", value=D(100))]
    over = facts(uses=(("group G1", D(120)), ("customer", D(40))))
    decision = r.evaluate(rules, over)
    assert decision.held and "group G1" in decision.reasons[0].text
    assert not r.evaluate(rules, facts(uses=over.uses, check_limit_used=False)).held


def test_terms_and_discount_ranked_above_the_customers_default_hold():
    f = facts(check_terms_increase=True, terms_rank=3, customer_terms_rank=2, terms="N60",
              check_discount_increase=True, discount_rank=1, customer_discount_rank=1)
    assert [x.code for x in r.evaluate([], f).reasons] == [r.TERMS_INCREASED]
    # equal ranks don't trigger; the check off doesn't either
    assert not r.evaluate([], facts(check_terms_increase=True, terms_rank=2,
                                    customer_terms_rank=2)).held
    assert not r.evaluate([], facts(terms_rank=3, customer_terms_rank=2)).held


def test_account_status_holding_invoicing_or_all_processing():
    f = dict(account_status="WATCH", status_hold="invoicing")
    assert not r.evaluate([], facts(step="confirmation", **f)).held
    assert r.evaluate([], facts(step="invoice", **f)).reasons[0].code == r.STATUS_HOLD
    assert r.evaluate([], facts(step="picking", account_status="LEGAL",
                                status_hold="all")).held


# --- §2.8 checkpoints and grace days ---------------------------------------------------------------

def test_grace_days_confirm_day_1_with_2_grace_days_next_check_day_4():
    confirmation = r.Checkpoint("confirmation", on_posting=True, grace_days=2)
    invoice = r.Checkpoint("invoice", on_posting=True, grace_days=1)
    until = r.grace_until(confirmation, date(2026, 3, 1))
    assert not r.check_needed(invoice, pro_forma=False, grace_until=until,
                              as_of=date(2026, 3, 3))[0]
    assert r.check_needed(invoice, pro_forma=False, grace_until=until, as_of=date(2026, 3, 4))[0]


def test_checkpoint_posting_and_pro_forma_flags():
    cp = r.Checkpoint("invoice", on_posting=False, on_pro_forma=True)
    assert not r.check_needed(cp, pro_forma=False, grace_until=None, as_of=AS_OF)[0]
    assert r.check_needed(cp, pro_forma=True, grace_until=None, as_of=AS_OF)[0]
    assert not r.check_needed(None, pro_forma=False, grace_until=None, as_of=AS_OF)[0]


def test_grace_days_are_all_or_none_and_need_posting():
    assert r.checkpoint_problem([r.Checkpoint("confirmation", True, grace_days=2),
                                 r.Checkpoint("invoice", True)]) is not None
    assert r.checkpoint_problem([r.Checkpoint("picking", False, grace_days=2)]) is not None
    assert r.checkpoint_problem([r.Checkpoint("confirmation", True, grace_days=2),
                                 r.Checkpoint("invoice", True, grace_days=1),
                                 r.Checkpoint("picking", False)]) is None


# --- §2.11 DSO ------------------------------------------------------------------------------------

def test_dso_worked_examples():
    assert r.window_days(AS_OF, 12) == 365
    assert r.window_days(AS_OF, 6) == 183
    assert r.dso(D(50_000), D(150_000), r.window_days(AS_OF, 12)) == D("121.67")
    assert r.dso(D(50_000), D(150_000), r.window_days(AS_OF, 6)) == D("61.00")


def test_dso_window_starts_at_customer_since_when_later():
    days = r.window_days(AS_OF, 12, customer_since=date(2023, 1, 2))
    assert days == 283
    assert r.dso(D(50_000), D(150_000), days) == D("94.33")


def test_dso_without_sales_is_none():
    assert r.dso(D(50_000), D(0), 365) is None


def test_leap_year_window_has_366_days():
    assert r.window_days(date(2024, 10, 12), 12) == 366


# --- §2.6 risk scores and automatic limits ----------------------------------------------------------

def test_range_and_value_scores():
    ranges = [r.ScoreLine(D(10), D(0), D("4.99")), r.ScoreLine(D(20), D(5), D("9.99")),
              r.ScoreLine(D(30), D(10), None)]
    assert r.score("range", ranges, D(12)) == D(30)
    assert r.score("range", ranges, D(5)) == D(20)
    assert r.score("range", ranges, None) == D(0)
    values = [r.ScoreLine(D(40), value="A1"), r.ScoreLine(D(25), value="A2")]
    assert r.score("value", values, "a2") == D(25)
    assert r.score("value", values, "B1") == D(0)


def test_risk_group_from_total_score():
    groups = [(1, D(0), D(39.99)), (2, D(40), D(69.99)), (3, D(70), D(1000))]
    assert r.risk_group_for(D(55), groups) == 2
    assert r.risk_group_for(D(-1), groups) is None


def test_automatic_limit_in_business_5_and_10_years_examples():
    lines = [r.LimitLine(1, ">=", "5", D(100_000)), r.LimitLine(1, ">=", "10", D(200_000)),
             r.LimitLine(2, "=", "A1", D(200_000)), r.LimitLine(2, "=", "A2", D(100_000))]
    assert r.automatic_limit(lines, {1: D(7)}, revenue=None, max_revenue=None) == D(100_000)
    assert r.automatic_limit(lines, {1: D(12)}, revenue=None, max_revenue=None) == D(200_000)
    assert r.automatic_limit(lines, {1: D(2), 2: "A2"}, revenue=None,
                             max_revenue=None) == D(100_000)
    assert r.automatic_limit(lines, {1: D(2)}, revenue=None, max_revenue=None) is None
    # the revenue cap: over it, or unknown, no automatic limit
    assert r.automatic_limit(lines, {1: D(12)}, revenue=D(5_000_000),
                             max_revenue=D(1_000_000)) is None
    assert r.automatic_limit(lines, {1: D(12)}, revenue=D(900_000),
                             max_revenue=D(1_000_000)) == D(200_000)


# --- §2.4 adjustments --------------------------------------------------------------------------------

def test_adjusted_limit_fixed_and_percentage_with_rounding():
    assert r.adjusted_limit(D(10_000), D(2_500), "fixed") == D(12_500)
    assert r.adjusted_limit(D(10_000), D(-15), "percent") == D(8_500)
    assert r.adjusted_limit(D(12_345), D(10), "percent", D(100), "up") == D(13_600)
    assert r.adjusted_limit(D(12_345), D(10), "percent", D(100), "down") == D(13_500)
    assert r.adjusted_limit(D(12_345), D(10), "percent", D("10.00"), "nearest") == D(13_580)
    assert r.adjusted_limit(D(1_000), D(-2_000), "fixed") == D(0)


def test_adjusted_dates_absolute_and_relative():
    current = r.Window(date(2026, 1, 1), date(2026, 3, 31))
    assert r.adjusted_dates(current, method="absolute", new_from=date(2026, 5, 1),
                            new_to=date(2026, 5, 31)) == r.Window(date(2026, 5, 1),
                                                                  date(2026, 5, 31))
    assert r.adjusted_dates(current, method="relative", new_from=None, new_to=None,
                            from_days=10, to_days=30) == r.Window(date(2026, 1, 11),
                                                                  date(2026, 4, 30))
