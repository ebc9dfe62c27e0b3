"""A new install: migrations in step with the models, the demo company loads and proves its
books, the commands a new user types work."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from remit.core.models import AuditLog, LegalEntity
from remit.demo.generator import demo_load
from remit.ledger.guards import guards_installed
from remit.ledger.models import JournalEntry
from remit.ledger.services import ledger_check_run
from remit.receivables.models import Customer, CustomerTransaction
from tests.helpers import SYSTEM


def test_migrations_are_in_step_with_the_models(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_the_immutability_triggers_exist_after_migrating(db):
    from django.db import connection

    assert guards_installed(connection)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_company_has_varied_history_and_its_books_prove_themselves():
    result = demo_load(as_of=date(2026, 11, 23), seed=7, customers_scale=Decimal("0.15"))
    assert LegalEntity.objects.count() == 3 and result.users == 7
    assert Customer.objects.count() == result.customers == 48
    assert result.invoices > 300 and result.payments > 300
    items = CustomerTransaction.objects
    assert items.filter(kind="invoice", is_open=False).count() > 250      # paid history
    assert items.filter(is_open=True, due_date__lt=date(2026, 11, 23)).exists()  # overdue
    assert items.filter(discount_taken__gt=0).exists()                    # discounts taken
    assert items.filter(kind="credit_note").exists()                     # disputes credited
    assert items.filter(attributes__dispute="yes").exists()
    assert items.exclude(currency__in=["NOK", "DKK", "SEK"]).exists()    # foreign currency
    from remit.ledger.models import JournalLine

    assert JournalLine.objects.filter(account__role__in=["exchange_gain", "exchange_loss"]
                                      ).exists()
    bounced = items.filter(kind="payment_reversal").count()
    assert bounced == result.bounced > 0 and items.filter(kind="fee").count() == bounced
    assert JournalEntry.objects.filter(source="reversal").count() == 3 + bounced
    assert result.written_off == Customer.objects.filter(status="blocked").count()
    from remit.collections.models import AgingSnapshot, CollectionsAgent, CollectionsCase

    assert AgingSnapshot.objects.filter(is_current=True).count() == 3  # aged on first login
    assert CollectionsAgent.objects.get(user__username="agent").default_pool.code == "OVER30"
    assert CollectionsCase.objects.filter(activities__status="open").exists()
    from remit.collections.models import InterestNote

    assert InterestNote.objects.filter(status="created", total__gt=0).exists()  # to review
    from remit.collections.models import CollectionLetter

    assert CollectionLetter.objects.filter(status="created").exists()
    from remit.crm.models import Opportunity, TimelineEntry

    # a pipeline in every open stage, and sellers' follow-ups, some overdue
    assert Opportunity.objects.filter(status="open").values("stage").distinct().count() == 3
    assert TimelineEntry.objects.filter(kind="activity", done_at__isnull=True,
                                        due_on__lt=date(2026, 11, 23)).exists()
    run = ledger_check_run(actor=SYSTEM)
    assert run.ok, run.violations
    with pytest.raises(Exception, match="already loaded"):
        demo_load(as_of=date(2026, 11, 23), customers_scale=Decimal("0.1"))


class _Undo(Exception):
    pass


def _load_and_forget(seed: int):
    """Load the demo, note what it made, and roll it all back."""
    seen = {}
    with pytest.raises(_Undo):
        with transaction.atomic():
            seen["result"] = demo_load(as_of=date(2026, 11, 23), seed=seed,
                                       customers_scale=Decimal("0.02"))
            seen["items"] = sorted(CustomerTransaction.objects.values_list("document_number",
                                                                           "amount"))
            seen["names"] = sorted(Customer.objects.values_list("name", flat=True))
            raise _Undo
    return seen


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_is_deterministic():
    first, second = _load_and_forget(3), _load_and_forget(3)
    assert first == second and first["items"]
    assert _load_and_forget(4)["items"] != first["items"]


@pytest.mark.django_db
def test_createuser_entity_and_token_commands(entity):
    call_command("createuser", "kari", "--role", "ar-clerk", "--role", "credit-manager",
                 "--entity", "NO01", "--password", "a-long-password-1", stdout=StringIO())
    with pytest.raises(CommandError, match="no legal entity"):
        call_command("createuser", "ola", "--role", "ar-clerk", "--entity", "XX",
                     "--password", "a-long-password-1")
    out = StringIO()
    call_command("token", "create", "kari", "--name", "export", stdout=out)
    assert out.getvalue().startswith("rmt_")
    call_command("entity", "create", "FI01", "Nordlys Oy", "--currency", "EUR", stdout=StringIO())
    assert LegalEntity.objects.get(code="FI01").accounting_currency == "EUR"
    with pytest.raises(CommandError, match="ISO 4217"):
        call_command("entity", "create", "FI02", "x", "--currency", "EURO")
    assert AuditLog.objects.filter(channel="cli", action="core.user.create").count() == 1


@pytest.mark.django_db
def test_commands_answer_bad_input_with_a_message_not_a_traceback(entity, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--password is required"):
        call_command("createuser", "ola", "--role", "ar-clerk", "--entity", "NO01")
    with pytest.raises(CommandError, match="not both"):
        call_command("createuser", "ola", "--role", "ar-clerk", "--entity", "NO01",
                     "--all-entities", "--password", "a-long-password-1")
    with pytest.raises(CommandError, match="not a date"):
        call_command("ledger", "balances", "NO01", "--as-of", "2026-13-01")
    with pytest.raises(CommandError, match="ENTITY: no legal entity XX99"):
        call_command("ledger", "balances", "XX99")
    with pytest.raises(CommandError, match="No job nonexistent"):
        call_command("jobs", "retry", "nonexistent")


def test_remit_run_where_no_database_was_set_up_says_where_to_look(tmp_path):
    """Run from another folder, remit finds an empty database: a message, not a traceback."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if k not in ("REMIT_DATABASE_URL", "DJANGO_SETTINGS_MODULE", "COLUMNS")}
    env["REMIT_DATA_DIR"] = str(tmp_path / "var")
    done = subprocess.run([sys.executable, "-m", "remit.cli", "ledger", "check"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "lacks remit's tables" in done.stderr and "REMIT_DATA_DIR" in done.stderr
    assert "Traceback" not in done.stderr


def _cli_env(tmp_path, **extra):
    import os

    env = {k: v for k, v in os.environ.items()
           if k not in ("REMIT_DATABASE_URL", "DJANGO_SETTINGS_MODULE", "COLUMNS")}
    env["REMIT_DATA_DIR"] = str(tmp_path / "var")
    return env | extra


def test_a_database_that_cannot_be_reached_is_exit_code_2_not_a_traceback(tmp_path):
    """`remit ledger check` exited 1 both for "violations found" and for "could not open the
    database"; now 2 means the books could not be checked at all."""
    import subprocess
    import sys

    env = _cli_env(tmp_path, REMIT_DATABASE_URL="postgres://postgres@127.0.0.1:9/nowhere")
    done = subprocess.run([sys.executable, "-m", "remit.cli", "ledger", "check"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "could not use the database nowhere" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("error", "words"), [
    ("attempt to write a readonly database", "is read-only"),
    ("database or disk is full", "is full"),
    ("unable to open database file", "could not use the database"),
])
def test_a_read_only_or_full_database_is_explained_with_exit_code_2(monkeypatch, capsys,
                                                                   error, words):
    from django.db.utils import OperationalError

    from remit import cli

    def fails(argv):
        raise OperationalError(error)

    monkeypatch.setattr("django.core.management.execute_from_command_line", fails)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["remit", "ledger", "check"])
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert words in message and error in message


@pytest.mark.parametrize(("code", "words"), [(28, "Free some space"), (30, "write access")])
def test_a_full_or_read_only_disk_for_files_is_explained_with_exit_code_2(monkeypatch, capsys,
                                                                         code, words):
    import os

    from remit import cli

    def fails(argv):
        raise OSError(code, os.strerror(code), "/srv/remit/var/outbox/x.eml")

    monkeypatch.setattr("django.core.management.execute_from_command_line", fails)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["remit", "demo", "load"])
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert "could not write /srv/remit/var/outbox/x.eml" in message and words in message

