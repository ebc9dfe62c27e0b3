"""``remit ledger check`` finds every way the books can be wrong, and says where."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from remit.core.money import Money
from remit.ledger.guards import guards_suspended
from remit.ledger.models import LedgerCheckRun
from remit.ledger.services import journal_entry_reverse, ledger_check_run
from remit.receivables.models import CustomerGroup, CustomerTransaction
from remit.receivables.services import customer_create, opening_balance_post
from tests.helpers import SYSTEM, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(entity, eur_rate):
    """Manual entries, a reversal and customer opening balances (one in EUR)."""
    post(entity, [("6300", "48500.00"), ("1920", "-48500.00")])
    wrong = post(entity, [("6300", "100.00"), ("1920", "-100.00")], currency="EUR")
    journal_entry_reverse(entry=wrong, reversal_date=date(2026, 3, 17), reason="x", actor=SYSTEM)
    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    for number, currency, amount in (("10001", "NOK", "1200.00"), ("10002", "EUR", "310.50")):
        customer = customer_create(legal_entity=entity, account_number=number, name=f"C {number}",
                                   group=group, currency=currency, actor=SYSTEM)
        opening_balance_post(customer=customer, document_number=f"OB-{number}",
                             document_date=date(2026, 3, 1), due_date=date(2026, 3, 31),
                             amount=Money.of(amount, currency), actor=SYSTEM)
    return entity


def _checks(run):
    return sorted({(v["check"], v["subject"]) for v in run.violations})


def _tamper(sql, params=()):
    with guards_suspended(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_clean_books_pass_and_the_run_is_stored(books):
    run = ledger_check_run(actor=SYSTEM)
    assert run.ok and run.violations == [] and run.entries_checked == 5
    assert LedgerCheckRun.objects.get() == run


def test_a_changed_amount_is_unbalanced_and_fails_its_checksum(books):
    _tamper("UPDATE ledger_journalline SET debit = 48600, debit_acc = 48600 "
            "WHERE debit = 48500")
    run = ledger_check_run(actor=SYSTEM)
    assert _checks(run) == [("balanced", "GJ-000001"), ("checksum", "GJ-000001")]


def test_a_changed_description_fails_only_the_checksum(books):
    _tamper("UPDATE ledger_journalentry SET description = 'rent (edited)' WHERE number = %s",
            ["GJ-000001"])
    assert _checks(ledger_check_run(actor=SYSTEM)) == [("checksum", "GJ-000001")]


def test_a_deleted_entry_leaves_a_gap_in_its_sequence(books):
    _tamper("DELETE FROM ledger_journalline WHERE entry_id IN "
            "(SELECT id FROM ledger_journalentry WHERE number = 'GJ-000001')")
    _tamper("DELETE FROM ledger_journalentry WHERE number = 'GJ-000001'")
    assert ("sequence", "journal.GJ") in _checks(ledger_check_run(actor=SYSTEM))


def test_an_open_item_that_disagrees_with_the_receivable_account_is_found(books):
    item = CustomerTransaction.objects.get(document_number="OB-10001")
    CustomerTransaction.objects.filter(pk=item.pk).update(amount=Decimal("1250.00"),
                                                          amount_acc=Decimal("1250.00"))
    run = ledger_check_run(actor=SYSTEM)
    assert _checks(run) == [("subledger", "account 1500")]
    assert "1250.0000 NOK but the account's balance is 1200.0000 NOK" in run.violations[0]["message"]


def test_a_reversal_that_no_longer_mirrors_its_entry_is_found(books):
    _tamper("UPDATE ledger_journalline SET account_id = (SELECT id FROM ledger_account WHERE "
            "number = '6800' AND legal_entity_id = %s) WHERE entry_id = (SELECT id FROM "
            "ledger_journalentry WHERE number = 'GJ-000003') AND debit = 0",
            [books.pk])
    checks = _checks(ledger_check_run(actor=SYSTEM))
    assert ("reversal", "GJ-000002") in checks and ("checksum", "GJ-000003") in checks


def test_the_command_exits_1_and_lists_every_violation(books):
    _tamper("UPDATE ledger_journalentry SET description = 'x' WHERE number IN "
            "('GJ-000001', 'OB-000001')")
    out = StringIO()
    with pytest.raises(CommandError, match="2 violation") as exc:
        call_command("ledger", "check", "--json", stdout=out)
    assert exc.value.returncode == 1
    report = json.loads(out.getvalue())
    assert report["ok"] is False
    assert sorted(v["subject"] for v in report["violations"]) == ["GJ-000001", "OB-000001"]


def test_the_command_exits_0_on_clean_books(books):
    out = StringIO()
    call_command("ledger", "check", "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
