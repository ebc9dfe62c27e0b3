"""Posting journal entries: balanced or nothing, numbered without gaps, audited, immutable."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from remit.core.actor import Actor
from remit.core.exceptions import AccessDenied, InvalidInput
from remit.core.models import AuditLog, NumberSequence
from remit.core.money import Money
from remit.core.selectors import ExchangeRateMissing
from remit.ledger.exceptions import (
    AccountNotPostable,
    AlreadyReversed,
    NotReversible,
    PostedEntryImmutable,
    UnbalancedEntry,
)
from remit.ledger.models import Account, JournalEntry, JournalLine
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_by_number, journal_by_code
from remit.ledger.services import journal_entry_reverse, manual_entry_post
from tests.helpers import SYSTEM, post

pytestmark = pytest.mark.django_db


def test_a_balanced_entry_is_posted_numbered_and_checksummed(entity):
    entry = post(entity, [("6300", "48500.00"), ("1920", "-48500.00")])
    assert entry.status == "posted" and entry.number == "GJ-000001" and entry.sequence_value == 1
    assert len(entry.checksum) == 64
    lines = list(entry.lines.order_by("line_no"))
    assert [(l.debit, l.credit, l.debit_acc, l.credit_acc) for l in lines] == [
        (Decimal("48500"), 0, Decimal("48500"), 0), (0, Decimal("48500"), 0, Decimal("48500"))]
    assert post(entity, [("6300", "1"), ("1920", "-1")]).number == "GJ-000002"


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(entity):
    with pytest.raises(UnbalancedEntry) as exc:
        post(entity, [("6300", "100"), ("1920", "-99.99")])
    assert "differ by 0.01" in exc.value.message
    assert JournalEntry.objects.count() == 0 and JournalLine.objects.count() == 0
    assert NumberSequence.objects.get(legal_entity=entity, code="journal.GJ").next_value == 1


def test_an_empty_or_single_line_entry_is_refused(entity):
    with pytest.raises(InvalidInput):
        post(entity, [])
    with pytest.raises(UnbalancedEntry, match="at least two lines"):
        post(entity, [("6300", "0")])


def test_a_blocked_account_or_another_entitys_account_is_refused_with_its_line(entity, other_entity):
    Account.objects.filter(legal_entity=entity, number="6800").update(is_blocked=True)
    with pytest.raises(AccountNotPostable) as exc:
        post(entity, [("6300", "10"), ("6800", "-10")])
    assert exc.value.errors[0][0] == ("lines", 1, "account")
    foreign = account_by_number(other_entity, "6300")
    with pytest.raises(AccountNotPostable):
        manual_entry_post(legal_entity=entity, journal=journal_by_code(entity, "GJ"),
                          entry_date=date(2026, 3, 1), description="x", actor=SYSTEM,
                          as_of=date(2026, 3, 1),
                          lines=[PostingLine(foreign, Money.of("1", "NOK")),
                                 PostingLine(account_by_number(entity, "1920"), Money.of("-1", "NOK"))])


def test_more_decimals_than_the_currency_has_are_refused(entity):
    with pytest.raises(InvalidInput, match="2 decimals") as exc:
        post(entity, [("6300", "10.001"), ("1920", "-10.001")])
    assert exc.value.errors[0][0] == ("lines", 0, "amount")


def test_a_foreign_currency_entry_gets_accounting_amounts_from_the_rate_of_its_date(entity, eur_rate):
    entry = post(entity, [("6300", "100.00"), ("1920", "-100.00")], currency="EUR")
    line = entry.lines.get(line_no=1)
    assert (line.currency, line.debit, line.debit_acc, line.exchange_rate) == (
        "EUR", Decimal("100"), Decimal("1150"), Decimal("11.5"))


def test_without_an_exchange_rate_the_entry_is_refused(entity):
    with pytest.raises(ExchangeRateMissing, match="EUR→NOK"):
        post(entity, [("6300", "1"), ("1920", "-1")], currency="EUR")


def test_posting_writes_an_audit_record_in_the_same_transaction(entity):
    clerk = Actor.web(None)
    entry = post(entity, [("6300", "5"), ("1920", "-5")], actor=clerk)
    record = AuditLog.objects.get(action="ledger.entry.post")
    assert (record.object_id, record.channel, record.legal_entity_id) == (
        str(entry.pk), "web", entity.pk)


def test_a_failure_after_posting_rolls_back_the_entry_its_number_and_its_audit(entity):
    """One use case, one transaction: if a later step fails, nothing of it remains."""
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            post(entity, [("6300", "5"), ("1920", "-5")])
            raise RuntimeError("a later step of the same use case failed")
    assert JournalEntry.objects.count() == 0
    assert AuditLog.objects.filter(action="ledger.entry.post").count() == 0
    assert post(entity, [("6300", "5"), ("1920", "-5")]).number == "GJ-000001"


def test_manual_entries_need_the_post_permission_and_stay_off_receivable_accounts(
        entity, make_user):
    agent = make_user("Collections agent", [entity])
    journal = journal_by_code(entity, "GJ")
    lines = [PostingLine(account_by_number(entity, "6300"), Money.of("1", "NOK")),
             PostingLine(account_by_number(entity, "1920"), Money.of("-1", "NOK"))]
    with pytest.raises(AccessDenied):
        manual_entry_post(legal_entity=entity, journal=journal, entry_date=date(2026, 3, 1),
                          description="x", lines=lines, actor=Actor.web(agent),
                          as_of=date(2026, 3, 1))
    receivable = [PostingLine(account_by_number(entity, "1500"), Money.of("1", "NOK")), lines[1]]
    with pytest.raises(AccountNotPostable, match="receivable"):
        manual_entry_post(legal_entity=entity, journal=journal, entry_date=date(2026, 3, 1),
                          description="x", lines=receivable, actor=SYSTEM,
                          as_of=date(2026, 3, 1))


class TestPostedEntriesAreImmutable:
    def test_the_model_refuses_to_save_or_delete(self, entity):
        entry = JournalEntry.objects.get(pk=post(entity, [("6300", "5"), ("1920", "-5")]).pk)
        entry.description = "changed"
        with pytest.raises(PostedEntryImmutable):
            entry.save()
        with pytest.raises(PostedEntryImmutable):
            entry.delete()
        line = entry.lines.first()
        line.debit = Decimal("6")
        with pytest.raises(PostedEntryImmutable):
            line.save()

    def test_querysets_refuse_bulk_updates_and_deletes(self, entity):
        post(entity, [("6300", "5"), ("1920", "-5")])
        with pytest.raises(PostedEntryImmutable):
            JournalEntry.objects.update(description="x")
        with pytest.raises(PostedEntryImmutable):
            JournalLine.objects.all().delete()

    @pytest.mark.parametrize("sql", [
        "UPDATE ledger_journalentry SET description = 'x'",
        "DELETE FROM ledger_journalentry",
        "UPDATE ledger_journalline SET debit = debit + 1 WHERE debit > 0",
        "DELETE FROM ledger_journalline",
    ])
    def test_the_database_refuses_even_raw_sql(self, entity, sql):
        post(entity, [("6300", "5"), ("1920", "-5")])
        with pytest.raises(IntegrityError, match="immutable"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)

    @pytest.mark.parametrize("posted_at", [0, 2])
    def test_the_database_refuses_a_new_line_on_a_posted_entry(self, entity, posted_at):
        """One statement of three new lines (on PostgreSQL the guard checks a statement's lines
        together), one of them on a posted entry, wherever it stands among them."""
        entry = post(entity, [("6300", "5"), ("1920", "-5")])
        line = entry.lines.first()
        draft = JournalEntry.objects.create(
            legal_entity=entity, journal=entry.journal, entry_date=entry.entry_date,
            description="draft")
        targets = [draft.pk] * 3
        targets[posted_at] = entry.pk
        values = ", ".join(["(%s, %s, %s, '', 'NOK', 1, 0, 1, 0, 1)"] * 3)
        params = [p for n, pk in enumerate(targets) for p in (pk, 9 + n, line.account_id)]
        with pytest.raises(IntegrityError, match="immutable"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO ledger_journalline (entry_id, line_no, account_id, description,"
                    " currency, debit, credit, debit_acc, credit_acc, exchange_rate)"
                    f" VALUES {values}", params)
        assert not JournalLine.objects.filter(entry=draft).exists()


    @pytest.mark.parametrize("line_no,match", [(3, "immutable"), (1, "UNIQUE|duplicate")])
    def test_a_posted_entry_takes_no_line_beyond_those_it_was_posted_with(
            self, entity, line_no, match):
        """It is inserted posted with its line count, and its lines follow: none above the
        count, and none again with a number it has."""
        entry = post(entity, [("6300", "5"), ("1920", "-5")])
        assert entry.line_count == 2 and entry.lines.count() == 2
        with pytest.raises(IntegrityError, match=match):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO ledger_journalline (entry_id, line_no, account_id, description,"
                    " currency, debit, credit, debit_acc, credit_acc, exchange_rate)"
                    " VALUES (%s, %s, %s, '', 'NOK', 1, 0, 1, 0, 1)",
                    [entry.pk, line_no, entry.lines.first().account_id])

    def test_an_entry_posted_before_line_counts_takes_no_line(self, entity):
        entry = post(entity, [("6300", "5"), ("1920", "-5")])
        older = JournalEntry.objects.create(
            legal_entity=entity, journal=entry.journal, entry_date=entry.entry_date,
            description="posted before line_count", status="posted", number="OLD-1",
            sequence_value=10**6, posted_at=entry.posted_at, checksum="x" * 64)
        with pytest.raises(IntegrityError, match="immutable"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO ledger_journalline (entry_id, line_no, account_id, description,"
                    " currency, debit, credit, debit_acc, credit_acc, exchange_rate)"
                    " VALUES (%s, 1, %s, '', 'NOK', 1, 0, 1, 0, 1)",
                    [older.pk, entry.lines.first().account_id])


class TestReversal:
    def test_a_reversal_mirrors_the_entry_and_links_to_it(self, entity, eur_rate):
        original = post(entity, [("6300", "100.00"), ("1920", "-100.00")], currency="EUR")
        reversal = journal_entry_reverse(entry=original, reversal_date=date(2026, 3, 20),
                                         reason="wrong account", actor=SYSTEM)
        assert reversal.reverses_id == original.pk and reversal.source == "reversal"
        mirror = {(l.account_id, l.currency, l.debit, l.credit, l.debit_acc, l.credit_acc,
                   l.exchange_rate) for l in reversal.lines.all()}
        assert mirror == {(l.account_id, l.currency, l.credit, l.debit, l.credit_acc, l.debit_acc,
                           l.exchange_rate) for l in original.lines.all()}
        assert "Reversal of GJ-000001: wrong account" == reversal.description

    def test_an_entry_is_reversed_once(self, entity):
        original = post(entity, [("6300", "1"), ("1920", "-1")])
        journal_entry_reverse(entry=original, reversal_date=date(2026, 3, 16), reason="x",
                              actor=SYSTEM)
        with pytest.raises(AlreadyReversed):
            journal_entry_reverse(entry=original, reversal_date=date(2026, 3, 16), reason="x",
                                  actor=SYSTEM)

    def test_a_reversal_is_not_reversed_and_not_dated_before_the_original(self, entity):
        original = post(entity, [("6300", "1"), ("1920", "-1")], on=date(2026, 3, 16))
        with pytest.raises(InvalidInput, match="on or after"):
            journal_entry_reverse(entry=original, reversal_date=date(2026, 3, 1), reason="x",
                                  actor=SYSTEM)
        reversal = journal_entry_reverse(entry=original, reversal_date=date(2026, 3, 17),
                                         reason="x", actor=SYSTEM)
        with pytest.raises(NotReversible, match="itself a reversal"):
            journal_entry_reverse(entry=reversal, reversal_date=date(2026, 3, 18), reason="y",
                                  actor=SYSTEM)

    def test_entries_owned_by_a_subledger_are_reversed_there_only(self, entity):
        entry = post(entity, [("6300", "1"), ("1920", "-1")], source="receivables.invoice")
        with pytest.raises(NotReversible, match="belongs to receivables.invoice"):
            journal_entry_reverse(entry=entry, reversal_date=date(2026, 3, 16), reason="x",
                                  actor=SYSTEM)
