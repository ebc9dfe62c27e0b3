"""How another system wrote its numbers and dates, and reading them that way.

A file has one way of writing amounts (decimal comma or point) and one order of dates (day
first, month first or year first). Neither is guessed from a single value: each value gives
*evidence* ("1.234,50" proves a decimal comma, "13/01/2025" proves day first), the whole file's
evidence decides, and a file whose values never say (every date could be either, every amount
reads both ways) is refused with an example, unless the user names the format. Pure functions;
no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# --- amounts -----------------------------------------------------------------------------------

SPACES = (" ", "\u00a0", "\u202f", "\u2009", "\u2007")
MINUS_SIGNS = ("-", "\u2212", "\u2013")  # hyphen, minus sign, en dash (spreadsheets write it)
# currency marks found around amounts in exports: symbols, ISO codes, Nordic abbreviations
_CURRENCY_MARK = re.compile(r"^(?:[A-Z]{3}|kr\.?|Kr\.?|[$€£¥])\s*|\s*(?:[A-Z]{3}|kr\.?|Kr\.?|[$€£¥])$")
DECIMAL_MARKS = {",": "decimal comma (1 234,50)", ".": "decimal point (1,234.50)"}
_PLAIN = re.compile(r"(-?[0-9]+)(?:([.,])([0-9]+))?")


class FormatProblem(ValueError):
    """A value that cannot be read; the message is for the person who made the file."""


def _strip_sign(text: str) -> tuple[str, bool]:
    """The digits and whether the value is negative: a leading or trailing minus, or the
    accountant's parentheses."""
    negative = False
    if text.startswith("(") and text.endswith(")"):
        text, negative = text[1:-1].strip(), True
    if text[:1] in MINUS_SIGNS:
        text, negative = text[1:].strip(), not negative
    elif text[-1:] in MINUS_SIGNS:  # '2 210,66-' as some ledgers print credits
        text, negative = text[:-1].strip(), not negative
    elif text[:1] == "+":
        text = text[1:].strip()
    return text, negative


def _bare(text: str) -> tuple[str, bool]:
    """Without currency marks, sign and spaces."""
    cleaned = text.strip()
    for _ in range(2):  # a mark may sit outside or inside the sign: '-$1,200.00', '$-1,200.00'
        cleaned = _CURRENCY_MARK.sub("", cleaned).strip()
        if cleaned.startswith("(") and cleaned.endswith(")"):
            break
    digits, negative = _strip_sign(cleaned)
    digits = _CURRENCY_MARK.sub("", digits).strip()
    for space in SPACES:
        digits = digits.replace(space, "")
    digits = digits.replace("'", "")  # Swiss thousands: 1'234.50
    return digits, negative


def _grouped(whole: str, sep: str) -> bool:
    parts = whole.split(sep)
    return (1 <= len(parts[0]) <= 3 and parts[0].isdigit()
            and all(len(p) == 3 and p.isdigit() for p in parts[1:]))


def decimal_evidence(text: str) -> str | None:
    """Which decimal mark this value proves: ',' or '.', or None when it reads either way
    ('1,250' and '1.250' may be a thousand or one and a quarter; '1250' has no mark)."""
    digits, _ = _bare(text)
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    if commas > 1:
        return "."
    if dots > 1:
        return ","
    if commas == 1 or dots == 1:
        sep = "," if commas else "."
        whole, fraction = digits.split(sep)
        if len(fraction) != 3 or not _grouped(whole + sep + fraction, sep) or whole in ("", "0"):
            return sep
    return None


def parse_amount(text: str, decimal_mark: str | None) -> Decimal:
    """An amount as an export writes it. ``decimal_mark`` is the file's (',' or '.'); the other
    mark, spaces and apostrophes may group thousands. None: the file has no evidence, so only a
    value with no mark, or one that proves its own, is read."""
    raw = str(text).strip()
    if not raw:
        raise FormatProblem("is empty")
    plain = _PLAIN.fullmatch(raw)
    if plain:  # the common case: digits, perhaps a minus and one mark, nothing to clean
        whole, mark, fraction = plain.groups()
        if mark is None:
            return Decimal(whole)
        if mark == decimal_mark or (decimal_mark is None and len(fraction) != 3):
            return Decimal(f"{whole}.{fraction}")
    digits, negative = _bare(raw)
    if not digits or not digits.isascii() or any(c in digits for c in "eE"):
        raise FormatProblem(f"{raw!r} is not an amount")
    mark = decimal_mark or decimal_evidence(raw)
    if mark is None and ("," in digits or "." in digits):
        raise FormatProblem(f"{raw!r} could be a thousand or a fraction; name the decimal mark "
                            "(--decimal , or --decimal .)")
    if mark is not None:
        thousands = "." if mark == "," else ","
        whole, _, fraction = digits.rpartition(mark) if mark in digits else (digits, "", "")
        if mark in whole:
            raise FormatProblem(f"{raw!r} has two decimal marks")
        if thousands in whole and not _grouped(whole, thousands):
            raise FormatProblem(f"{raw!r} is not an amount (thousands in groups of three)")
        if thousands in fraction:
            raise FormatProblem(f"{raw!r} is not an amount with a {DECIMAL_MARKS[mark]}")
        digits = whole.replace(thousands, "") + ("." + fraction if fraction else "")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", digits):
        raise FormatProblem(f"{raw!r} is not an amount")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        raise FormatProblem(f"{raw!r} is not an amount") from None
    return -value if negative else value


def amount_from_cell(value) -> Decimal | str:
    """A spreadsheet cell: numbers become Decimals by their shortest decimal form (the value
    the person saw, not the binary float), text is left for ``parse_amount``."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    return "" if value is None else str(value)


# --- dates -------------------------------------------------------------------------------------

ORDERS = {"dmy": "day first (31.12.2025)", "mdy": "month first (12/31/2025)",
          "ymd": "year first (2025-12-31)"}
ORDER_ALIASES = {"dmy": "dmy", "day-first": "dmy", "dayfirst": "dmy", "dd.mm.yyyy": "dmy",
                 "dd/mm/yyyy": "dmy", "dd-mm-yyyy": "dmy", "mdy": "mdy", "month-first": "mdy",
                 "monthfirst": "mdy", "mm/dd/yyyy": "mdy", "m/d/yyyy": "mdy",
                 "mm-dd-yyyy": "mdy", "ymd": "ymd", "iso": "ymd", "yyyy-mm-dd": "ymd"}
MONTHS = {
    "jan": 1, "januar": 1, "january": 1, "januari": 1, "feb": 2, "februar": 2, "february": 2,
    "februari": 2, "mar": 3, "mars": 3, "march": 3, "marts": 3, "apr": 4, "april": 4,
    "mai": 5, "may": 5, "maj": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7,
    "july": 7, "aug": 8, "august": 8, "augusti": 8, "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10, "nov": 11, "november": 11,
    "des": 12, "dec": 12, "desember": 12, "december": 12,
}
_NUMERIC = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})")
_NAMED = re.compile(r"(\d{1,2})[.\s/-]*([A-Za-zæøåÆØÅ]{3,9})\.?[\s/-]*(\d{2,4})")
_NAMED_US = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?$")
EXCEL_EPOCH = date(1899, 12, 30)


def normalize_order(name: str) -> str:
    """'dmy', 'day-first', 'DD.MM.YYYY'... → 'dmy' / 'mdy' / 'ymd'."""
    key = name.strip().lower()
    if key not in ORDER_ALIASES:
        raise FormatProblem(f"{name!r} is not a date format; use dmy (day first), mdy (month "
                            "first) or ymd (year first)")
    return ORDER_ALIASES[key]


def _year(text: str) -> int:
    value = int(text)
    if len(text) == 2:  # '25' is 2025, '98' is 1998
        return 2000 + value if value < 70 else 1900 + value
    if len(text) != 4:
        raise FormatProblem("has no four-digit year")
    return value


def _parts(text: str) -> tuple[str, str, str, str] | None:
    """(first, separator, second, third) of a numeric date, without a time of day."""
    core = _TIME.sub("", text.strip())
    match = _NUMERIC.fullmatch(core)
    if match:
        return match.group(1), match.group(2), match.group(3), match.group(4)
    if re.fullmatch(r"\d{8}", core):  # 20250131, as SAP and bank files write it
        return core[:4], "", core[4:6], core[6:]
    return None


@lru_cache(maxsize=8192)
def date_evidence(text: str) -> frozenset[str]:
    """The orders this value can be read in: {'ymd'}, {'dmy'}, {'dmy', 'mdy'} (ambiguous)...
    Dotted dates are day first: no system writes month.day.year."""
    raw = str(text).strip()
    core = _TIME.sub("", raw)
    if _NAMED.fullmatch(core) or _NAMED_US.fullmatch(core):
        return frozenset({"dmy", "mdy", "ymd"})  # a month name says itself
    parts = _parts(raw)
    if parts is None:
        return frozenset()
    first, sep, second, third = parts
    if len(first) == 4:
        return frozenset({"ymd"})
    a, b = int(first), int(second)
    possible = set()
    if 1 <= b <= 12 and 1 <= a <= 31:
        possible.add("dmy")
    if 1 <= a <= 12 and 1 <= b <= 31 and sep != ".":
        possible.add("mdy")
    return frozenset(possible)


def parse_date(text, order: str | None) -> date:
    """A date as an export writes it, in the file's order ('dmy', 'mdy', 'ymd'; None reads only
    what cannot be misread: ISO dates, month names and days over 12)."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    return _parse_date(str(text), order)


@lru_cache(maxsize=8192)  # a file of any size has a few thousand distinct dates
def _parse_date(text: str, order: str | None) -> date:
    raw = text.strip()
    if not raw:
        raise FormatProblem("is empty")
    core = _TIME.sub("", raw)
    named = _NAMED.fullmatch(core)
    named_us = _NAMED_US.fullmatch(core)
    if named or named_us:
        day, month, year = ((named.group(1), named.group(2), named.group(3)) if named
                            else (named_us.group(2), named_us.group(1), named_us.group(3)))
        number = MONTHS.get(month.lower())
        if number is None:
            raise FormatProblem(f"{raw!r}: {month!r} is not a month")
        return _make(raw, _year(year), number, int(day))
    parts = _parts(raw)
    if parts is None:
        raise FormatProblem(f"{raw!r} is not a date")
    first, _, second, third = parts
    if len(first) == 4:
        return _make(raw, int(first), int(second), int(third))
    possible = date_evidence(raw)
    if order is None or order == "ymd":
        if len(possible) != 1:
            raise FormatProblem(f"{raw!r} could be read day first or month first; name the "
                                "date format (--date-format dmy or mdy)")
        order = next(iter(possible))
    if order == "dmy":
        return _make(raw, _year(third), int(second), int(first))
    return _make(raw, _year(third), int(first), int(second))


def _make(raw: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise FormatProblem(f"{raw!r} is not a date") from None


def date_from_cell(value) -> date | str:
    """A spreadsheet cell: a date or datetime as it is; a number as Excel's day count (a date
    column formatted as a number); text is left for ``parse_date``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return EXCEL_EPOCH + timedelta(days=int(value))
    return "" if value is None else str(value)


# --- deciding a file's formats -----------------------------------------------------------------

@dataclass
class Evidence:
    """What a file's values said of its formats, with the first line that said each thing."""

    decimal: dict[str, tuple[int, str, str]]  # mark → (line, column, value)
    dates: dict[str, tuple[int, str, str]]    # order that alone fits → (line, column, value)
    ambiguous_date: tuple[int, str, str] | None = None
    ambiguous_amount: tuple[int, str, str] | None = None

    @classmethod
    def empty(cls) -> Evidence:
        return cls({}, {})

    def amount(self, line: int, column: str, value) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        mark = decimal_evidence(value)
        if mark is not None:
            self.decimal.setdefault(mark, (line, column, value))
        elif ("," in value or "." in value) and self.ambiguous_amount is None:
            self.ambiguous_amount = (line, column, value)

    def date(self, line: int, column: str, value) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        possible = date_evidence(value)
        if len(possible) == 1:
            self.dates.setdefault(next(iter(possible)), (line, column, value))
        elif possible == {"dmy", "mdy"} and self.ambiguous_date is None:
            self.ambiguous_date = (line, column, value)


@dataclass(frozen=True)
class Formats:
    decimal: str | None  # ',' or '.', None when no amount needed one
    date_order: str      # 'dmy', 'mdy' or 'ymd'
    decimal_from: str = ""  # how it was decided, in words
    date_from: str = ""

    def describe(self) -> list[str]:
        out = [f"dates {ORDERS[self.date_order]}" + (f" — {self.date_from}" if self.date_from
                                                      else "")]
        if self.decimal:
            out.append(f"amounts with a {DECIMAL_MARKS[self.decimal]}"
                       + (f" — {self.decimal_from}" if self.decimal_from else ""))
        return out


def _where(found: tuple[int, str, str]) -> str:
    line, column, value = found
    return f"line {line}, column {column}: {value!r}"


def decide(evidence: Evidence, *, decimal: str | None = None,
           date_order: str | None = None) -> Formats:
    """The file's formats from what its values proved, or what the user named. Refuses, with
    the lines that say so, a file that proves two ways or never says which."""
    if decimal is None:
        if len(evidence.decimal) > 1:
            raise FormatProblem(
                "amounts are written with both decimal marks ("
                + "; ".join(f"{DECIMAL_MARKS[m]} at {_where(f)}"
                            for m, f in sorted(evidence.decimal.items()))
                + "); name the file's with --decimal")
        if evidence.decimal:
            decimal, found = next(iter(evidence.decimal.items()))
            decimal_from = f"as {_where(found)} shows"
        elif evidence.ambiguous_amount is not None:
            raise FormatProblem(
                f"no amount says which decimal mark the file uses ({_where(evidence.ambiguous_amount)}"
                " reads either way); name it with --decimal , or --decimal .")
        else:
            decimal_from = ""
    else:
        if decimal not in DECIMAL_MARKS:
            raise FormatProblem(f"{decimal!r} is not a decimal mark; use ',' or '.'")
        decimal_from = "as named"
    if date_order is None:
        numeric = {o: f for o, f in evidence.dates.items() if o in ("dmy", "mdy")}
        if len(numeric) > 1:
            raise FormatProblem(
                "dates are written both day first (" + _where(numeric["dmy"]) + ") and month "
                "first (" + _where(numeric["mdy"]) + "); one file has one date format")
        if numeric:
            date_order, found = next(iter(numeric.items()))
            date_from = f"as {_where(found)} shows"
        elif evidence.ambiguous_date is not None:
            raise FormatProblem(
                f"no date says whether the day or the month comes first ("
                f"{_where(evidence.ambiguous_date)} reads both ways); name it with "
                "--date-format dmy or --date-format mdy")
        else:
            date_order, date_from = "ymd", ""
    else:
        date_order = normalize_order(date_order)
        date_from = "as named"
    return Formats(decimal, date_order, decimal_from, date_from)
