"""Codes and field paths in words, as pages and error messages name them."""

import pytest

from remit.core.exceptions import describe_loc


@pytest.mark.parametrize(("loc", "words"), [
    (("lines", 1, "amount"), "line 2 amount"),
    (("opportunities", 0, "close_date"), "opportunity 1 close date"),
    (("addresses", 2), "address 3"),
    (("marks", 0, "amount_to_settle"), "mark 1 amount to settle"),
    (("class", 0), "class 1"),
    (("statuses", 1), "status 2"),
    (("versions",), "versions"),
])
def test_a_field_path_reads_as_words(loc, words):
    assert describe_loc(loc) == words


@pytest.mark.parametrize(("code", "words"), [
    ("packing_slip", "packing slip"), ("picking", "picking list"),
    ("confirmation", "confirmation"), ("some_step", "some step")])
def test_a_posting_step_reads_as_words_on_the_credit_pages(code, words):
    from remit.web.templatetags.remit import step_label

    assert step_label(code) == words


@pytest.mark.parametrize(("unit", "interval", "words"), [
    (0, "day", "current"), (-30, "day", "30 days earlier"), (-1, "month", "1 month earlier"),
    (2, "week", "2 weeks later"), (-1, "unlimited", "everything older"),
    (1, "unlimited", "everything later")])
def test_an_aging_period_says_how_far_it_reaches(unit, interval, words):
    from remit.collections.models import AgingPeriod

    assert AgingPeriod(label="x", unit=unit, interval=interval).reach == words
