"""Reading numbers and dates as exports write them, and deciding a file's formats from its
own values (never from one value alone, never by a silent guess)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.imports import formats as fmt


@pytest.mark.parametrize("text, mark, expected", [
    ("2 210,66", ",", "2210.66"),
    ("-2 210,66", ",", "-2210.66"),
    ("2 210,66-", ",", "-2210.66"),
    ("2\u00a0210,66", ",", "2210.66"),
    ("2\u202f210,66", ",", "2210.66"),
    ("1.234.567,89", ",", "1234567.89"),
    ("1234,5", ",", "1234.5"),
    ("kr 1 250,00", ",", "1250.00"),
    ("1 250,00 NOK", ",", "1250.00"),
    ("$1,234.56", ".", "1234.56"),
    ("($1,234.56)", ".", "-1234.56"),
    ("(1,234.56)", ".", "-1234.56"),
    ("-$1,200.00", ".", "-1200.00"),
    ("1'234.50", ".", "1234.50"),
    ("\u22121 000,00", ",", "-1000.00"),
    ("+12.5", ".", "12.5"),
    ("1,250", ".", "1250"),
    ("1,250", ",", "1.250"),
    ("1.250", ",", "1250"),
    ("0,125", None, "0.125"),
    ("12,50", None, "12.50"),
    ("1.234,56", None, "1234.56"),
    ("1500", None, "1500"),
])
def test_amounts_as_exports_write_them(text, mark, expected):
    assert fmt.parse_amount(text, mark) == Decimal(expected)


@pytest.mark.parametrize("text, mark", [
    ("1,250", None), ("1.250", None), ("1e5", "."), ("12,3,4", ","), ("1.2.3", ","),
    ("abc", "."), ("", "."), ("12,50.3", ","), ("١٢٣", "."), ("1,23,456.00", "."),
])
def test_amounts_that_cannot_be_read_are_refused(text, mark):
    with pytest.raises(fmt.FormatProblem):
        fmt.parse_amount(text, mark)


@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"),
                   places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from([(",", " "), (",", "."), (",", "\u00a0"), (".", ","), (".", " ")]),
       st.sampled_from(["minus", "parentheses", "trailing"]))
def test_every_way_of_writing_an_amount_reads_back(value, marks, negative):
    decimal, thousands = marks
    whole, fraction = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = thousands.join(groups) + decimal + fraction
    if value < 0:
        text = {"minus": f"-{text}", "parentheses": f"({text})", "trailing": f"{text}-"}[negative]
    assert fmt.parse_amount(text, decimal) == value
    assert fmt.decimal_evidence(text) in (decimal, None)


@pytest.mark.parametrize("text, order, expected", [
    ("2025-01-31", None, date(2025, 1, 31)),
    ("2025-01-31 00:00:00", None, date(2025, 1, 31)),
    ("2025-01-31T12:30:00Z", None, date(2025, 1, 31)),
    ("31.01.2025", None, date(2025, 1, 31)),
    ("01.02.2025", None, date(2025, 2, 1)),
    ("1.2.25", None, date(2025, 2, 1)),
    ("13/01/2025", None, date(2025, 1, 13)),
    ("1/2/2013", "mdy", date(2013, 1, 2)),
    ("1/2/2013", "dmy", date(2013, 2, 1)),
    ("1/2/2013 12:00:00 AM", "mdy", date(2013, 1, 2)),
    ("12/31/2025", None, date(2025, 12, 31)),
    ("20250131", None, date(2025, 1, 31)),
    ("10-Jan-2025", None, date(2025, 1, 10)),
    ("10. jan. 2025", None, date(2025, 1, 10)),
    ("3. mai 2024", None, date(2024, 5, 3)),
    ("Jan 10, 2025", None, date(2025, 1, 10)),
    ("31-12-98", None, date(1998, 12, 31)),
])
def test_dates_as_exports_write_them(text, order, expected):
    assert fmt.parse_date(text, order) == expected


@pytest.mark.parametrize("text, order", [
    ("1/2/2013", None), ("2025-02-30", None), ("31/31/2025", "dmy"), ("yesterday", None),
    ("10-Foo-2025", None), ("", "dmy"),
])
def test_dates_that_cannot_be_read_are_refused(text, order):
    with pytest.raises(fmt.FormatProblem):
        fmt.parse_date(text, order)


def test_a_file_decides_its_formats_from_the_values_that_say():
    evidence = fmt.Evidence.empty()
    evidence.date(2, "Dato", "01/02/2025")
    evidence.date(3, "Dato", "13/02/2025")
    evidence.amount(2, "Beløp", "1 250")
    evidence.amount(3, "Beløp", "2 210,66")
    formats = fmt.decide(evidence)
    assert (formats.date_order, formats.decimal) == ("dmy", ",")
    assert "line 3" in formats.date_from and "line 3" in formats.decimal_from


def test_a_file_that_never_says_is_refused_with_an_example_line():
    evidence = fmt.Evidence.empty()
    evidence.date(2, "Date", "1/2/2013")
    evidence.date(3, "Date", "3/4/2013")
    with pytest.raises(fmt.FormatProblem, match=r"line 2, column Date: '1/2/2013'.*"
                                                r"--date-format"):
        fmt.decide(evidence)
    assert fmt.decide(evidence, date_order="mdy").date_order == "mdy"
    evidence = fmt.Evidence.empty()
    evidence.amount(7, "Amount", "1,250")
    with pytest.raises(fmt.FormatProblem, match="line 7.*--decimal"):
        fmt.decide(evidence)


def test_a_file_that_says_both_ways_is_refused_naming_both_lines():
    evidence = fmt.Evidence.empty()
    evidence.date(2, "Date", "13/01/2025")
    evidence.date(5, "Date", "01/13/2025")
    with pytest.raises(fmt.FormatProblem, match="line 2.*line 5"):
        fmt.decide(evidence)
    evidence = fmt.Evidence.empty()
    evidence.amount(2, "Amount", "1.234,50")
    evidence.amount(4, "Amount", "1,234.50")
    with pytest.raises(fmt.FormatProblem, match="both decimal marks"):
        fmt.decide(evidence)


def test_spreadsheet_cells_keep_the_value_the_person_saw():
    assert fmt.amount_from_cell(2210.66) == Decimal("2210.66")
    assert fmt.amount_from_cell(1500) == Decimal(1500)
    assert fmt.date_from_cell(45658) == date(2025, 1, 1)
    assert fmt.date_from_cell("x") == "x"


def test_keys_seen_earlier_in_the_file_name_their_first_line_across_chunks():
    from remit.imports.seen import SeenKeys

    seen = SeenKeys()
    assert seen.earlier([("A", 2), ("B", 3), ("A", 4)]) == [None, None, 2]
    assert seen.earlier([("C", 5), ("B", 6), ("C", 7), ("A", 8)]) == [None, 3, 5, 2]
    many = [(f"K{i}", 10 + i) for i in range(2500)]  # more than one lookup's worth
    assert seen.earlier(many) == [None] * 2500
    assert seen.earlier([("K1999", 9000), ("Z", 9001)]) == [2009, None]
    assert seen.count == 2504
