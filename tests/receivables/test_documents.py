"""The statement (PDF) and the open-items export (Excel) show what is open, as of a date."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from remit.receivables.documents import open_items_xlsx, statement_pdf, statement_rows
from tests.receivables.conftest import DAY0

pytestmark = pytest.mark.django_db


def test_statement_rows_and_aging_buckets(story):
    customer = story.customer()
    story.invoice(customer, "100.00", on=DAY0 - timedelta(100))  # due 30 days later: 70 late
    story.invoice(customer, "200.00", on=DAY0)
    story.pay(customer, "50.00", DAY0)  # on account
    rows = statement_rows(customer, DAY0 + timedelta(5))
    assert [(r.document, r.days_overdue, r.open_amount, r.bucket) for r in rows] == [
        ("INV-000001", 75, Decimal("100.00"), 3), ("CP-000001", 0, Decimal("-50.00"), 0),
        ("INV-000002", 0, Decimal("200.00"), 0)]


def test_the_pdf_is_a_pdf_naming_the_customer(story):
    customer = story.customer()
    story.invoice(customer, "100.00")
    pdf = statement_pdf(customer, DAY0)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_the_excel_workbook_lists_the_open_items_with_a_total(story, clerk_client):
    customer = story.customer()
    story.invoice(customer, "1234.50")
    ws = load_workbook(io.BytesIO(open_items_xlsx(customer, DAY0))).active
    assert [c.value for c in ws[3]][:4] == ["Document", "Type", "Date", "Due"]
    assert ws["A4"].value == "INV-000001" and Decimal(str(ws["H4"].value)) == Decimal("1234.5")
    assert ws["H5"].value == "=SUM(H4:H4)"
    response = clerk_client.get(f"/customers/{customer.account_number}/open-items.xlsx")
    assert response.status_code == 200 and response["Content-Type"].endswith("sheet")
    response = clerk_client.get(f"/customers/{customer.account_number}/statement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_imported_text_that_looks_like_a_formula_stays_text(story, start):
    """An imported document number or a customer name that starts like a formula (CSV/Excel
    injection: '=HYPERLINK(...)') is written as text, while the export's own total stays a
    formula."""
    from remit.receivables.models import Customer, CustomerTransaction

    customer = story.customer()
    story.invoice(customer, "10.00")
    hostile = f"{start}HYPERLINK(\"http://evil.example\",\"pay here\")"
    CustomerTransaction.objects.filter(customer=customer).update(document_number=hostile[:40])
    Customer.objects.filter(pk=customer.pk).update(name=hostile)
    customer.refresh_from_db()
    ws = load_workbook(io.BytesIO(open_items_xlsx(customer, DAY0))).active
    assert ws["A4"].value == hostile[:40] and ws["A4"].data_type == "s"
    assert hostile in ws["A1"].value and ws["A1"].data_type == "s"
    assert ws["H5"].value == "=SUM(H4:H4)" and ws["H5"].data_type == "f"
