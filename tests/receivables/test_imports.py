"""Importing customers and invoice history: mapping, idempotency, bad rows, real postings."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from remit.core.exceptions import InvalidInput
from remit.ledger.models import JournalEntry
from remit.ledger.services import ledger_check_run
from remit.receivables.imports import import_file
from remit.receivables.models import Customer, CustomerTransaction, ImportBatch
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db

CUSTOMERS = """Kundenr;Navn;Valuta;Kontakt;E-post
20001;Fjordkraft Bygg AS;NOK;Ingrid Berg;ingrid@fjordkraft.example
20002;Havblikk Marine AS;EUR;;
"""
MAP = {"Kundenr": "account_number", "Navn": "name", "Valuta": "currency",
       "Kontakt": "contact_name", "E-post": "email"}
INVOICES = """customer,invoice_number,invoice_date,due_date,amount,settled_date,settled_amount,dispute,channel
20001,F-1001,2025-01-10,2025-02-09,"12 500,00",2025-02-20,,no,web
20001,F-1002,2025-02-10,2025-03-12,8000.00,2025-03-01,3000.00,yes,phone
20001,F-1003,2025-03-10,2025-04-09,4200.00,,,no,web
20002,F-2001,2025-01-15,2025-02-14,990.50,2025-02-14,,no,partner
20001,F-1004,2025-03-15,2025-03-15,-500.00,,,no,web
"""


def run(entity, kind, text, mapping=None, skip=False):
    return import_file(legal_entity=entity, kind=kind, file_name=f"{kind}.csv",
                       content=text.encode(), mapping=mapping, skip_bad_rows=skip, actor=SYSTEM)


@pytest.fixture
def customers(entity):
    from datetime import date

    from remit.core.services import exchange_rate_set

    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2024, 12, 31),
                      rate="11.7", actor=SYSTEM)
    result = run(entity, "customers", CUSTOMERS, MAP)
    assert (result.created, result.errors) == (2, [])
    return result


def test_customers_import_with_a_mapping_and_twice_creates_nothing_twice(entity, customers):
    c = Customer.objects.get(account_number="20001")
    assert (c.name, c.currency, c.group.code) == ("Fjordkraft Bygg AS", "NOK", "IMP")
    assert c.contacts.get().email == "ingrid@fjordkraft.example"
    again = run(entity, "customers", CUSTOMERS, MAP)
    assert (again.created, again.unchanged) == (0, 2) and Customer.objects.count() == 2


def test_invoice_history_posts_real_entries_and_keeps_extra_columns(entity, customers):
    result = run(entity, "invoices", INVOICES)
    assert (result.created, result.errors) == (5, [])
    paid = CustomerTransaction.objects.get(document_number="F-1001")
    assert (paid.amount, paid.is_open, paid.closed_on.isoformat()) == (
        Decimal("12500.00"), False, "2025-02-20")
    assert paid.attributes == {"dispute": "no", "channel": "web"}
    partial = CustomerTransaction.objects.get(document_number="F-1002")
    assert partial.open_amount == Decimal("5000.00") and partial.attributes["dispute"] == "yes"
    euro = CustomerTransaction.objects.get(document_number="F-2001")
    assert (euro.currency, euro.is_open) == ("EUR", False)
    credit = CustomerTransaction.objects.get(document_number="F-1004")
    assert (credit.kind, credit.amount) == ("credit_note", Decimal("-500.00"))
    assert JournalEntry.objects.filter(source="receivables.import").count() == 8
    assert ledger_check_run(actor=SYSTEM).ok


def test_importing_the_same_history_twice_creates_nothing_twice(entity, customers):
    run(entity, "invoices", INVOICES)
    entries = JournalEntry.objects.count()
    again = run(entity, "invoices", INVOICES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert JournalEntry.objects.count() == entries


def test_a_later_export_adds_only_the_new_payment(entity, customers):
    run(entity, "invoices", INVOICES)
    later = INVOICES.replace("20001,F-1003,2025-03-10,2025-04-09,4200.00,,,no,web",
                             "20001,F-1003,2025-03-10,2025-04-09,4200.00,2025-04-01,,no,web")
    result = run(entity, "invoices", later)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    assert CustomerTransaction.objects.get(document_number="F-1003").is_open is False
    assert ledger_check_run(actor=SYSTEM).ok


BAD = """customer,invoice_number,invoice_date,due_date,amount,currency,settled_date,settled_amount
20001,B-1,2025-01-10,2025-02-09,100.00,,,
99999,B-2,2025-01-10,2025-02-09,100.00,,,
20001,B-3,10/01/2025,2025-02-09,100.00,,,
20001,B-4,2025-01-10,2025-02-09,-100.00,,2025-01-20,-5
20001,B-5,2025-01-10,2025-02-09,100.00,XYZ,,
20001,B-6,2025-01-10,2025-02-09,100.0015,,,
"""


def test_a_file_with_bad_rows_imports_nothing_and_names_each_problem(entity, customers):
    result = run(entity, "invoices", BAD)
    assert not result.committed
    assert [str(e) for e in result.errors] == [
        "line 3, column customer: no customer '99999' (import the customers first)",
        "line 4, column invoice_date: '10/01/2025' is not a date (use YYYY-MM-DD or DD.MM.YYYY)",
        "line 5, column settled_amount: must be between 0 and 100.00",
        "line 6, column currency: 'XYZ' is not an ISO 4217 currency code",
        "line 7, column amount: '100.0015' has more than 2 decimals for NOK",
    ]
    assert not CustomerTransaction.objects.exists()
    assert ImportBatch.objects.get(kind="invoices").errors[0]["line"] == 3


def test_skip_bad_rows_imports_the_good_ones_and_reports_the_rest(entity, customers):
    result = run(entity, "invoices", BAD, skip=True)
    assert (result.created, result.skipped, len(result.errors)) == (1, 5, 5)
    assert CustomerTransaction.objects.get().document_number == "B-1"


def test_a_missing_required_column_is_refused_before_any_row(entity, customers):
    with pytest.raises(InvalidInput, match="no column for invoice_number"):
        run(entity, "invoices", "customer,date\n20001,2025-01-01\n")
    with pytest.raises(InvalidInput, match="no column 'Nope'"):
        run(entity, "invoices", INVOICES, {"Nope": "amount"})


def test_the_import_command_with_a_saved_mapping(entity, eur_rate, tmp_path: Path):
    file = tmp_path / "kunder.csv"
    file.write_text(CUSTOMERS)
    args = [f"--map={k}={v}" for k, v in MAP.items()]
    call_command("import", "customers", str(file), *args, "--save-mapping", "old-erp",
                 stdout=StringIO())
    Customer.objects.all().delete()
    call_command("import", "customers", str(file), "--mapping", "old-erp", stdout=StringIO())
    assert Customer.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    with pytest.raises(CommandError, match="nothing imported: 5 problem"):
        call_command("import", "invoices", str(bad), stdout=StringIO())


def test_a_row_the_books_refuse_is_reported_with_its_line(entity, customers):
    """No exchange rate before 2024-12-31: the checks pass, the posting refuses."""
    early = "customer,invoice_number,invoice_date,due_date,amount\n" \
            "20001,E-1,2025-01-10,2025-02-09,100.00\n20002,E-2,2024-06-01,2024-07-01,50.00\n"
    result = run(entity, "invoices", early)
    assert not result.committed and not CustomerTransaction.objects.exists()
    assert str(result.errors[0]).startswith("line 3: No exchange rate EUR→NOK")
    result = run(entity, "invoices", early, skip=True)
    assert (result.created, result.skipped) == (1, 1) and result.committed


def test_imports_through_the_api_and_the_upload_page(entity, clerk_client):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    response = clerk_client.post("/api/receivables/imports/customers", {
        "file": SimpleUploadedFile("kunder.csv", CUSTOMERS.encode()),
        "mapping": json.dumps(MAP)})
    assert response.status_code == 201 and response.json()["created"] == 2
    response = clerk_client.post("/api/receivables/imports/invoices", {
        "file": SimpleUploadedFile("bad.csv", BAD.encode())})
    assert response.status_code == 422 and response.json()["errors"][0]["line"] == 3
    response = clerk_client.post("/imports/", {
        "kind": "invoices", "skip": "on", "file": SimpleUploadedFile("bad.csv", BAD.encode())},
        follow=True)
    assert b"1 created" in response.content and b"skipped" in response.content


def test_a_later_export_with_more_paid_adds_the_difference(entity, customers):
    run(entity, "invoices", INVOICES)  # F-1002: 3000 of 8000 paid
    later = INVOICES.replace("8000.00,2025-03-01,3000.00", "8000.00,2025-04-15,8000.00")
    result = run(entity, "invoices", later)
    assert (result.updated, result.errors) == (1, [])
    item = CustomerTransaction.objects.get(document_number="F-1002")
    assert item.is_open is False
    assert sorted(CustomerTransaction.objects.filter(document_number__startswith="F-1002-PAY")
                  .values_list("document_number", "amount")) == [
        ("F-1002-PAY", Decimal("-3000.00")), ("F-1002-PAY2", Decimal("-5000.00"))]
    assert ledger_check_run(actor=SYSTEM).ok


def test_a_changed_amount_is_reported_not_silently_kept(entity, customers):
    run(entity, "invoices", INVOICES)
    changed = INVOICES.replace("4200.00", "9999.99")
    result = run(entity, "invoices", changed)
    assert not result.committed
    assert "was imported as 4200.00" in result.errors[0].message and result.errors[0].line == 4


def test_dates_that_are_surely_typos_are_row_errors(entity, customers):
    from datetime import date

    typos = INVOICES.replace("20001,F-1003,2025-03-10,2025-04-09",
                             "20001,F-1003,0001-01-01,2062-04-09")
    typos = typos.replace("20002,F-2001,2025-01-15,2025-02-14",
                          "20002,F-2001,2025-01-15,2029-02-14")
    result = run(entity, "invoices", typos)
    assert not result.committed
    assert sorted((e.line, e.column) for e in result.errors) == [
        (4, "due_date"), (4, "invoice_date"), (5, "due_date")]
    assert {e.message for e in result.errors} >= {
        f"is more than ten years before {date.today().isoformat()}",
        "is more than 366 days after the invoice date"}
    assert not CustomerTransaction.objects.exists()


def test_a_payment_entered_in_remit_counts_when_the_history_is_imported_again(entity, customers):
    from datetime import date

    from remit.core.money import Money
    from remit.receivables.services import MarkSpec, payment_register

    run(entity, "invoices", INVOICES)  # F-1003: 4200 open
    item = CustomerTransaction.objects.get(document_number="F-1003")
    payment_register(customer=item.customer, payment_date=date(2025, 4, 1),
                     amount=Money.of("400.00", "NOK"), marks=[MarkSpec(item)], actor=SYSTEM)
    later = INVOICES.replace("4200.00,,", "4200.00,2025-04-01,400.00")
    result = run(entity, "invoices", later)
    assert (result.errors, result.updated) == ([], 0)
    item.refresh_from_db()
    assert item.settled_amount == Decimal("400.00")  # not 800: the 400 is not paid twice
    assert ledger_check_run(actor=SYSTEM).ok
