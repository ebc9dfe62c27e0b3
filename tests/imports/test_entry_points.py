"""Customers and invoice history through every entry point: the command (saved mappings, a
problem report), the API (201, 422 with every problem, 202 for the background), the pages
(upload, mapping, check, import, run), and what a later export of the same books adds."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from remit.core.services import exchange_rate_set
from remit.imports.models import ImportRun, RunStatus, SavedMapping
from remit.imports.tasks import import_run_job
from remit.ledger.models import JournalEntry
from remit.ledger.services import ledger_check_run
from remit.receivables.models import Customer, CustomerTransaction
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db

CUSTOMERS = """Kundenr;Navn;Valuta;Kontakt;E-post;Betalingsbetingelse
20001;Fjordkraft Bygg AS;NOK;Ingrid Berg;ingrid@fjordkraft.example;30 dager
20002;Havblikk Marine AS;EUR;;;
"""
MAP = {"Kundenr": "account_number", "Navn": "name", "Kontakt": "contact_name",
       "Betalingsbetingelse": "payment_terms"}
INVOICES = """customer,invoice_number,invoice_date,due_date,amount,settled_date,settled_amount,dispute,channel
20001,F-1001,2025-01-10,2025-02-09,"12,500.00",2025-02-20,,no,web
20001,F-1002,2025-02-10,2025-03-12,8000.00,2025-03-01,3000.00,yes,phone
20001,F-1003,2025-03-10,2025-04-09,4200.00,,,no,web
20002,F-2001,2025-01-15,2025-02-14,990.50,2025-02-14,,no,partner
20001,F-1004,2025-03-15,2025-03-15,-500.00,,,no,web
"""


@pytest.fixture
def customers(entity, run_import):
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2024, 12, 31),
                      rate="11.7", actor=SYSTEM)
    run = run_import(entity, "customers", CUSTOMERS, columns=MAP)
    assert (run.status, run.created) == (RunStatus.DONE, 2)
    return run


def test_customers_come_in_once_with_contact_and_terms_in_days(entity, customers, run_import):
    c = Customer.objects.get(account_number="20001")
    assert (c.name, c.currency, c.group.code, c.payment_terms.days) == (
        "Fjordkraft Bygg AS", "NOK", "IMP", 30)
    assert c.contacts.get().email == "ingrid@fjordkraft.example"
    assert Customer.objects.get(account_number="20002").currency == "EUR"
    again = run_import(entity, "customers", CUSTOMERS, columns=MAP)
    assert (again.created, again.unchanged) == (0, 2) and Customer.objects.count() == 2


def test_invoice_history_posts_real_entries_and_keeps_extra_columns(entity, customers,
                                                                   run_import):
    run = run_import(entity, "invoices", INVOICES)
    assert (run.status, run.created) == (RunStatus.DONE, 5)
    paid = CustomerTransaction.objects.get(document_number="F-1001")
    assert (paid.amount, paid.is_open, paid.closed_on.isoformat()) == (
        Decimal("12500.00"), False, "2025-02-20")
    assert paid.attributes == {"dispute": "no", "channel": "web"}
    partial = CustomerTransaction.objects.get(document_number="F-1002")
    assert partial.open_amount == Decimal("5000.00")
    euro = CustomerTransaction.objects.get(document_number="F-2001")
    assert (euro.currency, euro.is_open, euro.amount_acc) == ("EUR", False, Decimal("11588.85"))
    credit = CustomerTransaction.objects.get(document_number="F-1004")
    assert (credit.kind, credit.amount) == ("credit_note", Decimal("-500.00"))
    assert JournalEntry.objects.filter(source="receivables.import").count() == 8
    assert ledger_check_run(actor=SYSTEM).ok


def test_a_later_export_adds_only_the_new_payment_and_counts_payments_made_in_remit(
        entity, customers, run_import):
    from remit.core.money import Money
    from remit.receivables.services import MarkSpec, payment_register

    run_import(entity, "invoices", INVOICES)
    item = CustomerTransaction.objects.get(document_number="F-1003")
    payment_register(customer=item.customer, payment_date=date(2025, 4, 1),
                     amount=Money.of("400.00", "NOK"), marks=[MarkSpec(item)], actor=SYSTEM)
    same = INVOICES.replace("4200.00,,", "4200.00,2025-04-01,400.00")
    run = run_import(entity, "invoices", same)
    assert (run.created, run.updated, run.unchanged) == (0, 0, 5)
    item.refresh_from_db()
    assert item.settled_amount == Decimal("400.00")  # not 800: the 400 is not paid twice
    later = INVOICES.replace("4200.00,,", "4200.00,2025-04-20,")
    run = run_import(entity, "invoices", later)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 4)
    item.refresh_from_db()
    assert item.is_open is False
    assert CustomerTransaction.objects.get(document_number="F-1003-PAY").amount == \
        Decimal("-3800.00")
    assert ledger_check_run(actor=SYSTEM).ok


def test_a_row_without_an_exchange_rate_is_named_before_anything_is_written(
        entity, customers, run_import):
    early = ("customer,invoice_number,invoice_date,due_date,amount\n"
             "20001,E-1,2025-01-10,2025-02-09,100.00\n20002,E-2,2024-06-01,2024-07-01,50.00\n")
    run = run_import(entity, "invoices", early)
    assert run.status == RunStatus.INVALID and not CustomerTransaction.objects.exists()
    problem = run.problem_rows.get()
    assert (problem.line, problem.column) == (3, "invoice_date")
    assert "no exchange rate EUR→NOK on or before 2024-06-01" in problem.message
    run = run_import(entity, "invoices", early, skip_bad_rows=True)
    assert (run.status, run.created, run.skipped) == (RunStatus.DONE, 1, 1)


def test_a_missing_required_column_is_refused_before_any_row(entity, customers, run_import):
    run = run_import(entity, "invoices", "customer,date\n20001,2025-01-01\n")
    assert run.status == RunStatus.INVALID and "no column for invoice_number" in run.message
    run = run_import(entity, "invoices", INVOICES, columns={"Nope": "amount"})
    assert "no column 'Nope'" in run.message


def test_dates_of_any_age_are_history_but_typos_are_caught(entity, customers, run_import):
    old = INVOICES.replace("2025-01-10,2025-02-09", "2001-01-10,2001-02-09").replace(
        "2025-02-20", "2001-02-20")
    assert run_import(entity, "invoices", old).status == RunStatus.DONE
    typos = INVOICES.replace("20001,F-1003,2025-03-10,2025-04-09",
                             "20001,F-1003,0001-01-01,2062-04-09").replace(
        "20002,F-2001,2025-01-15,2025-02-14", "20002,F-2001,2025-01-15,2029-02-14")
    run = run_import(entity, "invoices", typos.replace("F-", "T-"))
    assert run.status == RunStatus.INVALID
    assert sorted((p.line, p.column, p.message) for p in run.problem_rows.all()) == [
        (4, "due_date", "is more than 366 days after the invoice date"),
        (4, "invoice_date", "is before 1900"),
        (5, "due_date", "is more than 366 days after the invoice date")]


def test_the_command_with_a_saved_mapping_a_report_and_a_refused_file(entity, eur_rate,
                                                                      tmp_path: Path):
    file = tmp_path / "kunder.csv"
    file.write_text(CUSTOMERS)
    args = [f"--map={k}={v}" for k, v in MAP.items()]
    call_command("import", "customers", str(file), *args, "--save-mapping", "old-erp",
                 stdout=StringIO())
    saved = SavedMapping.objects.get(name="old-erp")
    assert saved.columns["Kundenr"] == "account_number" and saved.options["separator"] == ";"
    Customer.objects.all().delete()
    call_command("import", "customers", str(file), "--mapping", "old-erp", stdout=StringIO())
    assert Customer.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("customer,invoice_number,invoice_date,due_date,amount\n"
                   "20001,X,2025-13-01,2025-02-01,1\n99,Y,2025-01-01,2025-02-01,1\n")
    report = tmp_path / "problems.csv"
    with pytest.raises(CommandError, match="nothing imported: 2 problem"):
        call_command("import", "invoices", str(bad), "--report", str(report),
                     stdout=StringIO())
    assert report.read_text().splitlines()[1].startswith("2,invoice_date,")
    out = StringIO()
    call_command("import", "invoices", str(bad), "--preview", stdout=out)
    assert ImportRun.objects.filter(kind="invoices").count() == 1  # a preview is no run


def test_the_api_imports_small_files_at_once_and_big_ones_in_the_background(
        entity, clerk_client, monkeypatch):
    response = clerk_client.post("/api/imports/customers", {
        "file": SimpleUploadedFile("kunder.csv", CUSTOMERS.encode()),
        "options": json.dumps({"columns": MAP})})
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 2
    bad = "customer,invoice_number,invoice_date,due_date,amount\n99,Y,2025-01-01,2025-02-01,1\n"
    response = clerk_client.post("/api/imports/invoices", {
        "file": SimpleUploadedFile("bad.csv", bad.encode())})
    body = response.json()
    assert response.status_code == 422 and body["problems"][0]["line"] == 2
    assert body["problems"][0]["column"] == "customer"
    response = clerk_client.post("/api/imports/invoices", {
        "file": SimpleUploadedFile("bad.csv", bad.encode()), "options": "{\"nope\": 1}"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == [
        "options", "nope"]
    response = clerk_client.post("/api/imports/customers", {
        "file": SimpleUploadedFile("kunder.csv", CUSTOMERS.encode()),
        "options": json.dumps({"columns": MAP}), "background": "true"})
    assert response.status_code == 202 and response.json()["status"] == "queued"
    run_id = response.json()["id"]
    import_run_job.call(run_id=run_id)
    body = clerk_client.get(f"/api/imports/runs/{run_id}").json()
    assert (body["status"], body["unchanged"]) == ("done", 2)
    assert clerk_client.get("/api/imports/kinds").status_code == 200


def test_the_pages_upload_map_check_and_import(entity, eur_rate, clerk_client):
    response = clerk_client.post("/imports/", {
        "kind": "customers", "file": SimpleUploadedFile("kunder.csv", CUSTOMERS.encode())})
    assert response.status_code == 302 and "/imports/map/?" in response["Location"]
    page = clerk_client.get(response["Location"])
    content = page.content.decode()
    assert "Kundenr" in content and "semicolon" in content and "Fjordkraft Bygg AS" in content
    form = {k: v[0] for k, v in page.wsgi_request.GET.lists()}
    form.update({f"col:{k}": v for k, v in MAP.items()})
    response = clerk_client.post("/imports/map/", {**form, "action": "check"})
    run = ImportRun.objects.get()
    assert response["Location"] == f"/imports/runs/{run.pk}/"
    import_run_job.call(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.CHECKED and not Customer.objects.exists()
    response = clerk_client.post(f"/imports/runs/{run.pk}/import/")
    assert response["Location"] == f"/imports/runs/{run.pk}/"  # the checked run goes on
    import_run_job.call(run_id=run.pk)
    page = clerk_client.get(response["Location"]).content.decode()
    assert "2 created" in page and Customer.objects.count() == 2
    assert ImportRun.objects.count() == 1
    assert "imported" in clerk_client.get("/imports/").content.decode()


def test_a_checked_file_imported_later_is_the_same_run_checked_again(entity, run_import,
                                                                      tmp_path):
    path = tmp_path / "kunder.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    checked = run_import(entity, "customers", path=path, columns=MAP, check_only=True)
    assert checked.status == RunStatus.CHECKED and not Customer.objects.exists()
    done = run_import(entity, "customers", path=path, columns=MAP, skip_bad_rows=True)
    assert done.pk == checked.pk and done.status == RunStatus.DONE and done.created == 2
    other = run_import(entity, "customers", path=path, columns=MAP, check_only=True,
                       date_format="mdy")  # other reading options: a run of its own
    assert other.pk != checked.pk and ImportRun.objects.count() == 2


def test_a_check_that_found_problems_then_an_import_skipping_them_is_one_run(
        entity, run_import, tmp_path):
    path = tmp_path / "kunder.csv"
    path.write_text(CUSTOMERS + "K9;;NOK;;;\n", encoding="utf-8")  # no name: a bad row
    checked = run_import(entity, "customers", path=path, columns=MAP, check_only=True)
    assert checked.status == RunStatus.INVALID and checked.problems == 1
    done = run_import(entity, "customers", path=path, columns=MAP, skip_bad_rows=True)
    assert (done.pk, done.status, done.created, done.skipped) == (
        checked.pk, RunStatus.DONE, 2, 1)
    refused = run_import(entity, "customers", path=path, columns=MAP)  # a real import refused
    again = run_import(entity, "customers", path=path, columns=MAP, skip_bad_rows=True)
    assert refused.status == RunStatus.INVALID and again.pk != refused.pk


def test_problem_reports_never_carry_a_formula(entity, tmp_path: Path, client, clerk):
    """The problem report, from the CLI and from the page, quotes the file's own text; text
    that would start a formula gets the apostrophe spreadsheets read as 'this is text'."""
    from remit.imports.models import ImportProblem

    bad = tmp_path / "bad.csv"
    bad.write_text("customer,invoice_number,invoice_date,due_date,@amount\n"
                   "=1+2,@SUM(A1),2025-01-01,2025-02-01,=cmd|' /C calc'!A0\n")
    report = tmp_path / "problems.csv"
    with pytest.raises(CommandError):
        call_command("import", "invoices", str(bad), "--map=@amount=amount", "--report",
                     str(report), stdout=StringIO())
    import csv

    cells = [c for row in csv.reader(report.open()) for c in row]
    assert "'@amount" in cells  # the file's column name, as the problem names it
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    run = ImportRun.objects.get(kind="invoices")
    ImportProblem.objects.create(run=run, line=2, column="-x", message="+danger")
    client.force_login(clerk)
    page = client.get(f"/imports/runs/{run.pk}/problems.csv").content.decode()
    cells = [c for row in csv.reader(page.splitlines()) for c in row]
    assert "'+danger" in cells and "'-x" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
