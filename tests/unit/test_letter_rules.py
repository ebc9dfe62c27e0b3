"""Collection letter levels (spec §3.9): letter 1 from the due date, the next from the
previous letter's date, each only above its minimum overdue balance."""

from datetime import date
from decimal import Decimal

from remit.collections.letter_rules import Level, Stage, next_letter, overdue_balance

D = Decimal
# the spec's sequence: L1 fee 0, min 0, 2 days; L2 fee 20, min 10, 3 days; final fee 50,
# min 100, 15 days
LEVELS = [Level(1, 2, D(0), D(0)), Level(2, 3, D(10), D(20)), Level(3, 15, D(100), D(50))]
DUE = date(2026, 1, 15)


def test_letter_one_counts_from_the_due_date_the_next_from_the_previous_letter():
    assert next_letter(LEVELS, Stage(), DUE, D(500), date(2026, 1, 16)) is None  # 1 day
    assert next_letter(LEVELS, Stage(), DUE, D(500), date(2026, 1, 19)).number == 1
    first = Stage(1, date(2026, 1, 19))
    assert next_letter(LEVELS, first, DUE, D(500), date(2026, 1, 21)) is None  # 2 of 3 days
    assert next_letter(LEVELS, first, DUE, D(500), date(2026, 1, 23)).number == 2
    second = Stage(2, date(2026, 1, 23))
    assert next_letter(LEVELS, second, DUE, D(500), date(2026, 2, 6)) is None  # 14 of 15
    assert next_letter(LEVELS, second, DUE, D(500), date(2026, 2, 7)).number == 3
    assert next_letter(LEVELS, Stage(3, date(2026, 2, 7)), DUE, D(500),
                       date(2026, 12, 1)) is None  # after the last letter, nothing


def test_payments_and_credit_notes_count_toward_the_minimum_unless_ignored():
    """Invoice 500, credit notes −100 and −200: 200 overdue counting them, 500 ignoring them;
    the final letter's minimum of 100 is met either way, a minimum of 300 only when they are
    ignored."""
    items = [(D(500), DUE), (D(-100), date(2026, 1, 10)), (D(-200), date(2026, 1, 12))]
    on = date(2026, 2, 7)
    assert overdue_balance(items, on, ignore_credits=False) == D(200)
    assert overdue_balance(items, on, ignore_credits=True) == D(500)
    high = [LEVELS[0], LEVELS[1], Level(3, 15, D(300), D(50))]
    second = Stage(2, date(2026, 1, 23))
    assert next_letter(high, second, DUE, D(200), on) is None
    assert next_letter(high, second, DUE, D(500), on).number == 3


def test_nothing_overdue_or_a_credit_balance_gets_no_letter():
    assert next_letter(LEVELS, Stage(), DUE, D(500), DUE) is None
    assert next_letter(LEVELS, Stage(), DUE, D(-50), date(2026, 3, 1)) is None
