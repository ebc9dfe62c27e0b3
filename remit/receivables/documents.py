"""Documents a customer or a clerk takes away: the open-items statement (PDF) and the open
items as a spreadsheet (Excel). Both are built from the same rows, as of a date."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from remit.core.cells import xlsx_append
from remit.core.money import ZERO, currency_decimals

from . import rules, selectors
from .models import AddressPurpose, Customer


@dataclass(frozen=True)
class StatementRow:
    document: str
    kind: str
    document_date: date
    due_date: date
    days_overdue: int
    amount: Decimal
    open_amount: Decimal
    bucket: int


def statement_rows(customer: Customer, as_of: date) -> list[StatementRow]:
    rows = []
    for item in selectors.open_items(customer).order_by("due_date", "document_date", "pk"):
        rows.append(StatementRow(
            item.document_number, item.get_kind_display(), item.document_date, item.due_date,
            max((as_of - item.due_date).days, 0) if item.amount > 0 else 0,
            item.amount, item.open_amount,
            rules.statement_bucket(item.due_date, as_of) if item.amount > 0 else 0))
    return rows


def _money(value: Decimal, currency: str) -> str:
    places = currency_decimals(currency)
    return f"{value:,.{places}f}".replace(",", " ")


def _address(customer: Customer) -> list[str]:
    by_purpose = {a.purpose: a for a in customer.addresses.all()}
    address = by_purpose.get(AddressPurpose.STATEMENT) or by_purpose.get(AddressPurpose.PRIMARY)
    return address.lines if address else []


class _StatementPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text

    def normalize_text(self, text):
        # the built-in fonts know Latin-1 (Norwegian, Danish, Swedish, German letters are in
        # it); anything else is shown as '?' rather than failing the whole statement
        return super().normalize_text(
            text.replace("–", "-").replace("—", "-").encode("latin-1", "replace")
            .decode("latin-1"))

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")


def statement_pdf(customer: Customer, as_of: date) -> bytes:
    """An open-items statement: who owes what, how late, and the aging summary."""
    entity = customer.legal_entity
    rows = statement_rows(customer, as_of)
    cur = customer.currency
    pdf = _StatementPDF(f"{entity.name} · statement for {customer.account_number} as of "
                        f"{as_of.isoformat()}")
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, entity.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, "Statement of open items", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(110, 6, customer.name)
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, f"Date: {as_of.isoformat()}", align="R", new_x="LMARGIN", new_y="NEXT")
    for line in _address(customer):
        pdf.cell(110, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Customer account: {customer.account_number} · Currency: {cur}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)

    widths = [34, 26, 24, 24, 18, 32, 32]
    heads = ["Document", "Type", "Date", "Due", "Days late", "Amount", "Open"]
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(232, 238, 243)
    for w, h in zip(widths, heads):
        pdf.cell(w, 7, h, border="B", fill=True, align="R" if h in ("Amount", "Open",
                                                                     "Days late") else "L")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    total = ZERO
    for row in rows:
        total += row.open_amount
        cells = [row.document, row.kind, row.document_date.isoformat(),
                 row.due_date.isoformat(), str(row.days_overdue) if row.days_overdue else "",
                 _money(row.amount, cur), _money(row.open_amount, cur)]
        for i, (w, text) in enumerate(zip(widths, cells)):
            pdf.cell(w, 6, text, border="B", align="R" if i >= 4 else "L")
        pdf.ln()
    if not rows:
        pdf.cell(sum(widths), 7, "Nothing is open. Thank you.", border="B")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(sum(widths[:-1]), 8, f"Balance due ({cur})", align="R")
    pdf.cell(widths[-1], 8, _money(total, cur), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    buckets = [ZERO] * len(rules.STATEMENT_BUCKETS)
    for row in rows:
        buckets[row.bucket] += row.open_amount
    pdf.set_font("Helvetica", "B", 9)
    width = sum(widths) / len(buckets)
    for label, *_ in rules.STATEMENT_BUCKETS:
        pdf.cell(width, 6, label.replace("–", "-"), border="B", align="R", fill=True)
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for value in buckets:
        pdf.cell(width, 6, _money(value, cur), align="R")
    pdf.ln(10)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(0, 4, "Please pay overdue amounts at once, quoting the document numbers. "
                         "If you have paid already, or disagree with an item, contact us.")
    return bytes(pdf.output())


def open_items_xlsx(customer: Customer, as_of: date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Open items"
    xlsx_append(ws, [f"{customer.legal_entity.name}: open items of {customer.account_number} "
                     f"{customer.name} as of {as_of.isoformat()}"])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([])
    heads = ["Document", "Type", "Date", "Due", "Days overdue", "Currency", "Amount", "Open"]
    ws.append(heads)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF3")
    number_format = "#,##0." + "0" * currency_decimals(customer.currency) \
        if currency_decimals(customer.currency) else "#,##0"
    for row in statement_rows(customer, as_of):
        xlsx_append(ws, [row.document, row.kind, row.document_date, row.due_date,
                         row.days_overdue or None, customer.currency, row.amount,
                         row.open_amount])
        r = ws.max_row
        ws.cell(r, 3).number_format = ws.cell(r, 4).number_format = "yyyy-mm-dd"
        ws.cell(r, 7).number_format = ws.cell(r, 8).number_format = number_format
    last = ws.max_row
    ws.append(["Total", None, None, None, None, customer.currency, None,
               f"=SUM(H4:H{last})" if last >= 4 else 0])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.cell(ws.max_row, 8).number_format = number_format
    for column, width in zip("ABCDEFGH", (16, 14, 12, 12, 13, 9, 15, 15)):
        ws.column_dimensions[column].width = width
    for cell in ws[3][4:]:
        cell.alignment = Alignment(horizontal="right")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
