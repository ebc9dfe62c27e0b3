"""An AR clerk imports another system's invoice history in a real browser: uploads the file,
sees its columns mapped by their Norwegian names and its first rows read, leaves a column out,
has the customers created, checks the whole file and reads the problem, then imports the
good rows with the progress line — and the books hold what the file says."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from remit.core.services import user_create
from remit.demo.exports import write_nordic
from remit.ledger.services import ledger_check_run
from remit.receivables.models import CustomerTransaction
from tests.browser.conftest import snapshot
from tests.helpers import SYSTEM

from ..imports.conftest import AS_OF

pytestmark = pytest.mark.django_db(transaction=True)


def _work(monkeypatch):
    """What the background worker does: run the queued import."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections",
                        lambda: None)
    call_command("worker", "--once", verbosity=0)


def test_upload_map_check_see_the_problem_then_import_with_progress(
        page, live_server, entity, tmp_path, monkeypatch):
    user_create(username="kari", password="correct-horse-9", roles=["ar-clerk"],
                legal_entities=[entity], actor=SYSTEM)
    path = tmp_path / "fakturaliste.csv"
    sums = write_nordic(path, rows=60, customers=8, as_of=AS_OF, foreign=())
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    bad = lines[1].split(";")
    bad[2], bad[4] = "F999999", "31.02.2025"  # a date that does not exist
    lines.append(";".join(bad))
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("kari")
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.get_by_label("What the file holds").select_option(label="Invoice history")
    page.get_by_label("File (CSV or .xlsx").set_input_files(str(path))
    page.get_by_role("button", name="Read the file").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("fakturaliste.csv")
    expect(page.get_by_text("semicolon-separated")).to_be_visible()
    expect(page.get_by_label("Kundenr becomes")).to_have_value("customer")
    expect(page.get_by_label("Restbeløp becomes")).to_have_value("open_amount")
    expect(page.get_by_label("Dager forsinket becomes")).to_have_value("attribute")
    expect(page.get_by_test_id("sample")).to_contain_text("no customer")
    page.get_by_label("Selger becomes").select_option("ignore")
    page.get_by_label("Create the customers the file names that remit lacks").check()
    expect(page.get_by_test_id("sample")).not_to_contain_text("no customer")
    snapshot(page, "import-mapping")

    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("status")).to_have_text("waiting to start")
    _work(monkeypatch)
    expect(page.get_by_test_id("status")).to_contain_text("refused", timeout=15_000)
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("'31.02.2025' is not a date")
    expect(problems).to_contain_text("Fakturadato")
    assert not CustomerTransaction.objects.exists()
    snapshot(page, "import-problems")

    page.get_by_test_id("back-to-mapping").click()
    expect(page.get_by_label("Selger becomes")).to_have_value("ignore")
    page.get_by_label("Import the good rows and skip the bad ones").check()
    page.get_by_test_id("import").click()
    _work(monkeypatch)
    expect(page.get_by_test_id("status")).to_have_text("imported", timeout=15_000)
    expect(page.get_by_test_id("progress")).to_contain_text("60 created")
    expect(page.get_by_test_id("progress")).to_contain_text("1 skipped")
    expect(page.get_by_test_id("leaks")).to_contain_text("Dager forsinket")
    snapshot(page, "import-done")
    assert CustomerTransaction.objects.filter(kind__in=["invoice", "credit_note"]).count() == \
        sums.rows
    assert ledger_check_run(actor=SYSTEM).ok
