"""Text that leaves remit in a spreadsheet or CSV stays text.

Why: imported and typed values (an invoice number, a customer name, a problem message quoting
a file) may begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; a spreadsheet
opening such a cell runs it as a formula (``=HYPERLINK(...)`` and worse — CSV injection). In
.xlsx the cell is written as a string (openpyxl otherwise stores it as a formula); in CSV,
which has no types, it gets the leading apostrophe spreadsheets read as "this is text"."""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A CSV field: text that would start a formula gets a leading apostrophe; other values
    (numbers, dates, None) are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    return [csv_text(v) for v in values]


def xlsx_append(ws, values: Iterable) -> None:
    """``ws.append`` of data: every text cell is stored as text, never as a formula. (remit's
    own formulas, such as a total's ``=SUM``, are appended with ``ws.append`` directly.)"""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"
