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
    (stored,) = run.runs
    assert LedgerCheckRun.objects.get() == stored and stored.legal_entity == books


def test_each_legal_entity_gets_its_own_result(books, other_entity):
    post(other_entity, [("6300", "5"), ("1920", "-5")])
    _tamper("UPDATE ledger_journalentry SET description = 'x' WHERE legal_entity_id = %s",
            [other_entity.pk])
    outcome = ledger_check_run(actor=SYSTEM)
    by_entity = {run.legal_entity.code: run for run in outcome.runs}
    assert by_entity["NO01"].ok and not by_entity["DK01"].ok and not outcome.ok


def test_missing_immutability_triggers_are_a_violation(books):
    from remit.ledger.guards import guards_remove

    guards_remove(connection)
    assert ("guards", "database") in _checks(ledger_check_run(actor=SYSTEM))


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
    assert _checks(run) == [("subledger", "OB-000001"), ("subledger", "account 1500")]
    assert any("1250.0000 NOK but the account's balance is 1200.0000 NOK" in v["message"]
               for v in run.violations)


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


def test_offsetting_errors_between_two_customers_are_found(books):
    """Moving 100 from one customer's open item to another's keeps the account total right;
    the per-entry match still sees it."""
    one = CustomerTransaction.objects.get(document_number="OB-10001")
    CustomerTransaction.objects.filter(pk=one.pk).update(amount=one.amount - 100,
                                                         amount_acc=one.amount_acc - 100)
    group = CustomerGroup.objects.get(code="DOM")
    other = customer_create(legal_entity=books, account_number="10003", name="C 10003",
                            group=group, currency="NOK", actor=SYSTEM)
    item = opening_balance_post(customer=other, document_number="OB-10003",
                                document_date=date(2026, 3, 1), due_date=date(2026, 3, 31),
                                amount=Money.of("50.00", "NOK"), actor=SYSTEM)
    CustomerTransaction.objects.filter(pk=item.pk).update(amount=Decimal("150.00"),
                                                          amount_acc=Decimal("150.00"))
    checks = _checks(ledger_check_run(actor=SYSTEM))
    assert ("subledger", "OB-000001") in checks and ("subledger", "OB-000003") in checks
    assert ("subledger", "account 1500") not in checks


def test_renumbering_an_account_or_renaming_a_journal_leaves_posted_entries_valid(books):
    from remit.ledger.models import Account, Journal

    Account.objects.filter(legal_entity=books, number="6300").update(number="6301")
    Journal.objects.filter(legal_entity=books, code="GJ").update(code="GL", name="Ledger")
    assert ledger_check_run(actor=SYSTEM).ok


def test_a_krw_company_posting_euros_at_an_inverted_rate_keeps_its_checksums(db):
    from remit.core.services import exchange_rate_set, legal_entity_create

    krw = legal_entity_create(code="KR01", name="K", accounting_currency="KRW", actor=SYSTEM)
    exchange_rate_set(from_currency="KRW", to_currency="EUR", valid_from=date(2026, 1, 1),
                      rate=Decimal("0.00069"), actor=SYSTEM)
    entry = post(krw, [("6300", "100.00"), ("1920", "-100.00")], currency="EUR")
    line = entry.lines.get(line_no=1)
    assert line.exchange_rate == Decimal("1449.27536231884") and line.debit_acc == Decimal("144928")
    assert ledger_check_run(actor=SYSTEM).ok
