"""Field paths in words, as error messages name them."""

import pytest

from remit.core.exceptions import describe_loc


@pytest.mark.parametrize(("loc", "words"), [
    (("lines", 1, "amount"), "line 2 amount"),
    (("opportunities", 0, "close_date"), "opportunity 1 close date"),
    (("addresses", 2), "address 3"),
    (("marks", 0, "amount_to_settle"), "mark 1 amount to settle"),
    (("class", 0), "class 1"),
    (("versions",), "versions"),
])
def test_a_field_path_reads_as_words(loc, words):
    assert describe_loc(loc) == words
