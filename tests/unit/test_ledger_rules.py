from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.core.money import Money
from remit.ledger.exceptions import EmptyEntry, UnbalancedEntry
from remit.ledger.rules import (
    CanonicalLine,
    PostingLine,
    balance_problems,
    checksum,
    convert_lines,
    ensure_postable,
)


def lines(*pairs, currency="NOK"):
    return [PostingLine(account=name, amount=Money(Decimal(a), currency)) for name, a in pairs]


def test_a_balanced_entry_has_no_problems():
    converted = convert_lines(lines(("rent", "100"), ("bank", "-100")), "NOK", {"NOK": Decimal(1)})
    assert balance_problems(converted, "NOK") == []


def test_an_unbalanced_entry_says_by_how_much():
    converted = convert_lines(lines(("rent", "100"), ("bank", "-90")), "NOK", {"NOK": Decimal(1)})
    with pytest.raises(UnbalancedEntry, match="differ by 10"):
        ensure_postable(converted, "NOK")


def test_an_entry_needs_two_lines_and_amounts():
    with pytest.raises(EmptyEntry):
        ensure_postable([], "NOK")
    one = convert_lines(lines(("rent", "0")), "NOK", {"NOK": Decimal(1)})
    problems = balance_problems(one, "NOK")
    assert "at least two lines" in problems[0] and "no amount" in problems[1]


def test_foreign_currency_rounding_residual_goes_to_the_largest_line():
    # 3 × 33.33 EUR against 99.99 at 11.111111: each line rounds separately
    rate = {"EUR": Decimal("11.111111")}
    converted = convert_lines(
        lines(("a", "33.33"), ("b", "33.33"), ("c", "33.33"), ("bank", "-99.99"), currency="EUR"),
        "NOK", rate)
    assert sum(c.amount_acc for c in converted) == 0
    assert balance_problems(converted, "NOK") == []


@given(st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
                min_size=1, max_size=8),
       st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=6))
def test_a_balanced_foreign_entry_always_balances_in_the_accounting_currency(amounts, rate):
    pairs = [(f"l{i}", str(a)) for i, a in enumerate(amounts)]
    pairs.append(("bank", str(-sum(amounts))))
    converted = convert_lines(lines(*pairs, currency="EUR"), "NOK", {"EUR": rate})
    assert balance_problems(converted, "NOK") == []


def _canonical(**overrides):
    base = dict(line_no=1, account_id=15, currency="NOK", debit=Decimal("100"),
                credit=Decimal(0), debit_acc=Decimal("100"), credit_acc=Decimal(0),
                rate=Decimal(1), description="x")
    base.update(overrides)
    return CanonicalLine(**base)


def _digest(lines):
    return checksum(legal_entity_id=1, journal_id=1, number="GJ-000001", sequence_value=1,
                    entry_date=date(2026, 1, 1), description="d", source="manual",
                    reverses=None, lines=lines)


def test_checksum_ignores_storage_scale_but_sees_every_change():
    a = _digest([_canonical(), _canonical(line_no=2, debit=Decimal(0), credit=Decimal("100"))])
    b = _digest([_canonical(debit=Decimal("100.0000")),
                 _canonical(line_no=2, debit=Decimal(0), credit=Decimal("100.0"))])
    assert a == b
    changed = _digest([_canonical(debit=Decimal("100.01")),
                       _canonical(line_no=2, debit=Decimal(0), credit=Decimal("100"))])
    assert changed != a


def test_checksum_fields_cannot_run_into_each_other():
    """A '|' or newline in a description cannot make two different entries read the same."""
    one = _digest([_canonical(description="a|b"), _canonical(line_no=2, description="c")])
    two = _digest([_canonical(description="a"), _canonical(line_no=2, description="b|c")])
    assert one != two
