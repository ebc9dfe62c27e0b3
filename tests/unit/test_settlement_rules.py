"""The spec's worked settlement examples (section 4.2), as stories, against the pure plan."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from remit.receivables.rules import (
    DiscountPeriod,
    Mark,
    OpenItem,
    Policy,
    Tolerances,
    discount_rate,
    due_date,
    plan_is_consistent,
    plan_settlement,
)

D = Decimal
DAY0 = date(2026, 3, 1)


def invoice(key, amount="1000.00", *, on=DAY0, periods=(), open_=None, taken="0", due=None):
    amount = D(amount)
    return OpenItem(key=key, kind="invoice", document_date=on, due_date=due or on + timedelta(30),
                    amount=amount, open=D(open_) if open_ is not None else amount,
                    discount_taken=D(taken),
                    periods=tuple(DiscountPeriod(on + timedelta(days), D(p)) for days, p in periods))


def credit_note(key, amount="-100.00", *, periods=()):
    return invoice(key, amount, periods=periods)


def plan(payment, marks, on=DAY0 + timedelta(3), **kw):
    result = plan_settlement(payment=D(payment), on=on, marks=marks, currency="NOK", **kw)
    assert plan_is_consistent(result, D(payment))
    return {i.key: (i.settle, i.discount, i.write_off, i.write_off_kind) for i in result.items}, result


def test_due_dates_for_net_end_of_month_and_on_receipt():
    assert due_date(date(2026, 1, 15), "net", 30) == date(2026, 2, 14)
    assert due_date(date(2026, 1, 15), "end_of_month", 30) == date(2026, 3, 2)
    assert due_date(date(2026, 2, 10), "end_of_month", 0) == date(2026, 2, 28)
    assert due_date(date(2026, 1, 15), "on_receipt", 0) == date(2026, 1, 15)


def test_500_paid_on_a_1000_invoice_at_1_percent_settles_505_05():
    items, _ = plan("500.00", [Mark(invoice("A", periods=[(10, "1")]))])
    assert items["A"] == (D("505.05"), D("5.05"), 0, "")


def test_paying_495_settles_500_and_the_remaining_495_later_takes_the_remaining_5():
    items, _ = plan("495.00", [Mark(invoice("A", periods=[(10, "1")]))])
    assert items["A"] == (D("500.00"), D("5.00"), 0, "")
    later = invoice("A", periods=[(10, "1")], open_="500.00", taken="5.00")
    items, _ = plan("495.00", [Mark(later)], on=DAY0 + timedelta(8))
    assert items["A"] == (D("500.00"), D("5.00"), 0, "")


def test_the_discount_used_is_the_one_valid_on_the_payment_date():
    periods = [(5, "2"), (14, "1")]
    assert discount_rate(invoice("A", periods=periods).periods, DAY0 + timedelta(4)) == 2
    items, _ = plan("990.00", [Mark(invoice("A", periods=periods))], on=DAY0 + timedelta(7))
    assert items["A"] == (D("1000.00"), D("10.00"), 0, "")
    items, result = plan("990.00", [Mark(invoice("A", periods=periods))],
                         on=DAY0 + timedelta(15))
    assert items["A"] == (D("990.00"), 0, 0, "")  # past every discount date: full price


def test_1485_against_three_invoices_pays_the_oldest_then_the_better_discount_in_part():
    oldest = invoice("old", on=DAY0 - timedelta(20))
    two = invoice("2%", periods=[(10, "2")])
    one = invoice("1%", periods=[(10, "1")])
    items, _ = plan("1485.00", [Mark(one), Mark(two), Mark(oldest)])
    assert items["old"] == (D("1000.00"), 0, 0, "")
    assert items["2%"] == (D("494.90"), D("9.90"), 0, "")  # balance 505.10
    assert "1%" not in items


def test_a_credit_note_whose_invoice_took_its_discount_is_settled_net():
    inv = invoice("inv", periods=[(10, "1")])
    items, result = plan("891.00", [Mark(inv), Mark(credit_note("cn", periods=((10, "1"),)))])
    assert items["cn"] == (D("-100.00"), D("-1.00"), 0, "")
    assert items["inv"] == (D("1000.00"), D("10.00"), 0, "")
    assert result.payment_used == D("891.00")
    items, _ = plan("882.00", [Mark(invoice("inv", periods=[(10, "2")])),
                               Mark(credit_note("cn", periods=((10, "2"),)))])
    assert items["cn"] == (D("-100.00"), D("-2.00"), 0, "")  # 98 to settle, −2 discount


def test_full_settlement_posts_the_shortfall_as_extra_cash_discount():
    items, _ = plan("990.00", [Mark(invoice("A"))], policy=Policy(full_settlement=True))
    assert items["A"] == (D("1000.00"), 0, D("10.00"), "full_settlement")


def test_small_differences_go_to_penny_then_over_under_then_stay_open():
    tolerances = Tolerances(penny=D("0.05"), over_under=D("10.00"))
    items, _ = plan("999.99", [Mark(invoice("A"))], tolerances=tolerances)
    assert items["A"] == (D("1000.00"), 0, D("0.01"), "penny")
    items, _ = plan("995.00", [Mark(invoice("A"))], tolerances=tolerances)
    assert items["A"] == (D("1000.00"), 0, D("5.00"), "over_under")
    items, _ = plan("980.00", [Mark(invoice("A"))], tolerances=tolerances)
    assert items["A"] == (D("980.00"), 0, 0, "")
    items, result = plan("1000.02", [Mark(invoice("A"))], tolerances=tolerances)
    assert (result.payment_used, result.payment_write_off, result.payment_write_off_kind) == (
        D("1000.00"), D("-0.02"), "penny")
    items, result = plan("1050.00", [Mark(invoice("A"))], tolerances=tolerances)
    assert (result.payment_used, result.payment_write_off) == (D("1000.00"), 0)  # 50 stays open


def test_unspecific_administration_lets_an_overpayment_reduce_the_discount():
    items, result = plan("990.00", [Mark(invoice("A", periods=[(10, "2")]))],
                         policy=Policy(specific_discount=False))
    assert items["A"] == (D("1000.00"), D("10.00"), 0, "")
    assert result.payment_used == D("990.00")


def test_automatic_settlement_goes_by_due_date_and_leaves_what_the_money_does_not_reach():
    a = invoice("100", "100.00", due=DAY0 + timedelta(10))
    b = invoice("250", "250.00", due=DAY0 + timedelta(20))
    c = invoice("500", "500.00", due=DAY0 + timedelta(30))
    interest = invoice("interest", "7.00", due=DAY0 + timedelta(40))
    items, _ = plan("700.00", [Mark(interest), Mark(c), Mark(a), Mark(b)],
                    policy=Policy(order="due_date"))
    assert items == {"100": (D("100.00"), 0, 0, ""), "250": (D("250.00"), 0, 0, ""),
                     "500": (D("350.00"), 0, 0, "")}


def test_a_credit_note_is_used_only_as_far_as_the_invoices_need():
    items, result = plan("0", [Mark(invoice("inv", "50.00")), Mark(credit_note("cn"))])
    assert items == {"cn": (D("-50.00"), 0, 0, ""), "inv": (D("50.00"), 0, 0, "")}
    assert result.payment_used == 0


def test_an_amount_to_settle_closes_only_that_much_with_its_share_of_discount():
    mark = Mark(invoice("A", periods=[(10, "1")]), amount_to_settle=D("505.05"))
    items, _ = plan("1000.00", [mark])
    assert items["A"] == (D("505.05"), D("5.05"), 0, "")


amounts = st.integers(min_value=1, max_value=10**7).map(lambda c: Decimal(c).scaleb(-2))


@given(payment=amounts,
       invoices=st.lists(st.tuples(amounts, st.sampled_from(["0", "1", "2", "3.5"]),
                                   st.integers(-30, 0)), min_size=1, max_size=6),
       credits=st.lists(amounts, max_size=2),
       day=st.integers(0, 20), penny=st.sampled_from(["0", "0.05"]),
       over=st.sampled_from(["0", "10"]), partial=st.booleans(), full=st.booleans())
def test_any_plan_closes_no_more_than_is_open_and_uses_no_more_than_was_paid(
        payment, invoices, credits, day, penny, over, partial, full):
    marks = [Mark(invoice(f"i{n}", str(a), on=DAY0 + timedelta(d),
                          periods=[(10, p)] if p != "0" else []))
             for n, (a, p, d) in enumerate(invoices)]
    marks += [Mark(credit_note(f"c{n}", str(-a))) for n, a in enumerate(credits)]
    result = plan_settlement(payment=payment, on=DAY0 + timedelta(day), marks=marks,
                             currency="NOK",
                             tolerances=Tolerances(D(penny), D(over)),
                             policy=Policy(discount_on_partial=partial, full_settlement=full))
    assert plan_is_consistent(result, payment)
    opens = {m.item.key: m.item.open for m in marks}
    for item in result.items:
        assert abs(item.settle) <= abs(opens[item.key])
        assert item.settle * opens[item.key] > 0
        assert item.discount * opens[item.key] >= 0
        if item.write_off_kind in ("penny", "over_under"):
            assert abs(item.write_off) <= max(D(penny), D(over))
    assert -result.payment_write_off <= max(D(penny), D(over))


@st.composite
def partly_settled(draw, key, sign):
    """An item as it may be met: fresh, or partly settled earlier (open below the amount, with
    or without a discount already taken), with zero to two discount periods."""
    cents_ = draw(st.integers(min_value=1, max_value=10**6))
    amount = sign * Decimal(cents_).scaleb(-2)
    # often nearly settled: the last few kroner are where a discount could outgrow the rest
    settled_cents = draw(st.one_of(st.integers(0, cents_ - 1),
                                   st.integers(cents_ - 1 - cents_ // 25, cents_ - 1)))
    percents = draw(st.lists(st.sampled_from(["1", "2", "3.5"]), max_size=2))
    most = int(cents_ * max((D(p) for p in percents), default=D(0)) / 100)
    taken_cents = draw(st.integers(0, min(settled_cents, most)))
    item = invoice(key, str(amount), on=DAY0 + timedelta(draw(st.integers(-30, 0))),
                   open_=str(amount - sign * Decimal(settled_cents).scaleb(-2)),
                   taken=str(sign * Decimal(taken_cents).scaleb(-2)),
                   periods=[(10 * (n + 1), p) for n, p in enumerate(percents)])
    amount_to_settle = None
    if draw(st.booleans()):
        part = draw(st.integers(1, max(1, abs(int(item.open * 100)))))
        amount_to_settle = sign * Decimal(part).scaleb(-2)
    return Mark(item, amount_to_settle, draw(st.sampled_from(["normal", "always", "never"])))


@settings(max_examples=300, deadline=None)
@given(payment=st.integers(0, 10**7).map(lambda c: Decimal(c).scaleb(-2)),
       debits=st.lists(st.integers(0, 9), min_size=1, max_size=4, unique=True)
       .flatmap(lambda ks: st.tuples(*[partly_settled(f"i{k}", 1) for k in ks])),
       credits=st.lists(st.integers(0, 9), max_size=2, unique=True)
       .flatmap(lambda ks: st.tuples(*[partly_settled(f"c{k}", -1) for k in ks])),
       day=st.integers(0, 40), penny=st.sampled_from(["0", "0.05"]),
       over=st.sampled_from(["0", "10"]), partial=st.booleans(), full=st.booleans(),
       credit_discounts=st.booleans(), specific=st.booleans())
def test_no_plan_creates_money_whatever_was_settled_before(
        payment, debits, credits, day, penny, over, partial, full, credit_discounts, specific):
    """Money is conserved: every item's cash has its own sign (a discount never pays out), a
    discount is part of what closes, the total discount of an item never exceeds its best
    rate, and the cash of all items is the money used."""
    marks = list(debits) + list(credits)
    result = plan_settlement(
        payment=payment, on=DAY0 + timedelta(day), marks=marks, currency="NOK",
        tolerances=Tolerances(D(penny), D(over)),
        policy=Policy(discount_on_partial=partial, full_settlement=full,
                      discount_on_credit_notes=credit_discounts, specific_discount=specific))
    assert plan_is_consistent(result, payment)
    by_key = {m.item.key: m.item for m in marks}
    for settled in result.items:
        item = by_key[settled.key]
        assert settled.settle * item.amount > 0 and abs(settled.settle) <= abs(item.open)
        assert settled.cash * item.amount >= 0, (settled, item)
        assert settled.discount * item.amount >= 0
        assert abs(settled.discount + settled.write_off) <= abs(settled.settle)
        best = max((p.percent for p in item.periods), default=D(0))
        assert abs(item.discount_taken + settled.discount) <= \
            abs(item.amount) * best / 100 + D("0.01")
    if payment == 0 and not full:  # no money came in: nothing is written off
        assert all(i.write_off == 0 for i in result.items)


def test_a_credit_note_whose_discount_is_all_taken_gets_none_on_a_partial_settlement():
    """Found by the property test: −9.50 at 2 % with its whole −0.19 discount already taken;
    settling −0.75 more of it must add no discount (a zero limit allowed −0.02 before)."""
    note = OpenItem(key="cn", kind="credit_note", document_date=DAY0, due_date=DAY0,
                    amount=D("-9.50"), open=D("-5.00"), discount_taken=D("-0.19"),
                    periods=(DiscountPeriod(DAY0 + timedelta(10), D("2")),))
    items, _ = plan("0.00", [Mark(note, D("-0.75")), Mark(invoice("inv", "0.75"))])
    assert items["cn"][1] == 0


def test_ties_go_to_the_older_item_by_its_id_as_a_number():
    """Two invoices due the same day: the one made first (id 99) is settled before id 100 —
    compared as text, '100' came first."""
    from remit.receivables.rules import Mark, OpenItem, Policy, plan_settlement

    def item(key):
        return OpenItem(key=key, kind="invoice", document_date=date(2026, 3, 2),
                        due_date=date(2026, 4, 1), amount=Decimal("100.00"),
                        open=Decimal("100.00"))

    plan = plan_settlement(payment=Decimal("100.00"), on=date(2026, 3, 5), currency="NOK",
                           marks=[Mark(item(100)), Mark(item(99))],
                           policy=Policy(order="due_date"))
    assert [i.key for i in plan.items] == [99]
    plan = plan_settlement(payment=Decimal("100.00"), on=date(2026, 3, 5), currency="NOK",
                           marks=[Mark(item(100)), Mark(item(99))])
    assert [i.key for i in plan.items] == [99]
