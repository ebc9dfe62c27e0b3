from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.core.money import (
    D,
    CurrencyMismatch,
    InvalidAmount,
    Money,
    RoundingPoint,
    UnknownCurrency,
    currency_decimals,
)

amounts = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False,
                      allow_infinity=False)


def test_adding_two_currencies_is_an_error():
    with pytest.raises(CurrencyMismatch):
        Money.of("10", "NOK") + Money.of("10", "EUR")


def test_comparing_two_currencies_is_an_error():
    with pytest.raises(CurrencyMismatch):
        assert Money.of("10", "NOK") < Money.of("10", "EUR")


def test_floats_are_refused_everywhere_an_amount_enters():
    with pytest.raises(InvalidAmount):
        D(0.1)
    with pytest.raises(InvalidAmount):
        Money(0.1, "NOK")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of("1", "NOK") * 1.5  # type: ignore[operator]


def test_unknown_currencies_are_refused():
    with pytest.raises(UnknownCurrency):
        Money.of("1", "XXY")
    with pytest.raises(UnknownCurrency):
        currency_decimals("nok")


def test_each_currency_rounds_to_its_own_iso_decimals():
    assert Money.of("1234.5", "JPY").rounded(RoundingPoint.DOCUMENT).amount == Decimal("1235")
    assert Money.of("1.2345", "KWD").rounded(RoundingPoint.DOCUMENT).amount == Decimal("1.235")
    assert Money.of("0.125", "NOK").rounded(RoundingPoint.DOCUMENT).amount == Decimal("0.13")
    assert Money.of("-0.125", "NOK").rounded(RoundingPoint.DOCUMENT).amount == Decimal("-0.13")


def test_conversion_rounds_at_the_conversion_point():
    assert Money.of("100.00", "EUR").convert("NOK", Decimal("11.456789")) == Money.of("1145.68", "NOK")
    with pytest.raises(InvalidAmount):
        Money.of("1", "EUR").convert("NOK", Decimal(0))


def test_text_amounts_accept_spaces_and_reject_garbage():
    assert D("1 234.50") == Decimal("1234.50")
    with pytest.raises(InvalidAmount):
        D("12,34,5")
    with pytest.raises(InvalidAmount):
        D("NaN")


@given(amounts, amounts)
def test_addition_and_subtraction_are_exact(a, b):
    assert (Money(a, "NOK") + Money(b, "NOK") - Money(b, "NOK")) == Money(a, "NOK")


@given(amounts, st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=12))
def test_allocation_hands_out_exactly_the_amount(total, weights):
    parts = Money(total, "NOK").allocate(weights)
    assert sum((p.amount for p in parts), Decimal(0)) == total
    assert all(p.amount == p.amount.quantize(Decimal("0.01")) for p in parts)
    # no part is more than one cent away from its exact share
    exact = [total * w / sum(weights) for w in weights]
    assert all(abs(p.amount - e) < Decimal("0.01") for p, e in zip(parts, exact))


def test_rates_are_rounded_to_what_both_databases_store():
    from remit.core.money import normalize_rate

    assert normalize_rate(Decimal(1) / Decimal("0.00069")) == Decimal("1449.27536231884")
    assert normalize_rate(Decimal(1) / Decimal("1638.4")) == Decimal("0.000610351563")  # half up
    assert normalize_rate(Decimal("11.5")) == Decimal("11.5")
    with pytest.raises(InvalidAmount):
        normalize_rate(Decimal(0))


@given(st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("999999"), places=6))
def test_a_normalized_rate_fits_sqlite_and_postgresql_exactly(stored):
    from remit.core.money import normalize_rate

    rate = normalize_rate(Decimal(1) / stored)
    digits = rate.as_tuple()
    assert len(digits.digits) <= 15 and -digits.exponent <= 12
    assert normalize_rate(rate) == rate
