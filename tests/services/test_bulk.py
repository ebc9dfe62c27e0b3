"""Posting at scale: the bulk path leaves the same books as one entry at a time."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.core.exceptions import InvalidInput
from remit.core.money import Money
from remit.ledger.bulk import EntrySpec, journal_entries_post_bulk
from remit.ledger.models import JournalEntry
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_by_number, account_for_role, journal_by_code
from remit.ledger.services import ledger_check_run
from remit.receivables.bulk import OpenItemSpec, open_items_post_bulk
from remit.receivables.models import CustomerGroup, CustomerTransaction
from remit.receivables.services import customer_create
from tests.helpers import SYSTEM, post

pytestmark = pytest.mark.django_db


def spec(entity, amount, on=date(2026, 3, 1), currency="NOK"):
    return EntrySpec(journal_by_code(entity, "GJ"), on, "bulk", source="manual", lines=[
        PostingLine(account_by_number(entity, "6300"), Money.of(amount, currency)),
        PostingLine(account_by_number(entity, "1920"), Money.of(f"-{amount}", currency))])


def test_bulk_entries_are_numbered_after_the_others_and_prove_themselves(entity, eur_rate):
    post(entity, [("6300", "1"), ("1920", "-1")])
    entries = journal_entries_post_bulk(legal_entity=entity, actor=SYSTEM, entries=[
        spec(entity, "10.00"), spec(entity, "20.00", currency="EUR"), spec(entity, "30.00")])
    assert [e.number for e in entries] == ["GJ-000002", "GJ-000003", "GJ-000004"]
    assert post(entity, [("6300", "1"), ("1920", "-1")]).number == "GJ-000005"
    assert JournalEntry.objects.get(number="GJ-000003").lines.get(line_no=1).debit_acc == \
        Decimal("230")
    assert ledger_check_run(actor=SYSTEM).ok


def test_one_bad_entry_refuses_the_whole_batch_and_names_it(entity):
    bad = EntrySpec(journal_by_code(entity, "GJ"), date(2026, 3, 1), "bad", source="manual",
                    lines=[PostingLine(account_by_number(entity, "6300"), Money.of("5", "NOK")),
                           PostingLine(account_by_number(entity, "1920"), Money.of("-4", "NOK"))])
    with pytest.raises(InvalidInput, match="entry 2") as exc:
        journal_entries_post_bulk(legal_entity=entity, actor=SYSTEM,
                                  entries=[spec(entity, "10.00"), bad])
    assert exc.value.errors[0][0][:2] == ("entries", 1)
    assert not JournalEntry.objects.exists()


def test_open_items_in_bulk_agree_with_the_receivable_accounts(entity):
    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="d")
    customers = [customer_create(legal_entity=entity, account_number=str(n), name=f"C{n}",
                                 group=group, actor=SYSTEM) for n in range(3)]
    items = open_items_post_bulk(
        legal_entity=entity, actor=SYSTEM, source="test.bulk",
        counter_account=account_for_role(entity, "opening_balance"),
        journal=journal_by_code(entity, "OB"),
        items=[OpenItemSpec(customers[n % 3], "invoice", f"B-{n}", date(2026, 1, 1),
                            date(2026, 1, 1) + timedelta(30), Money.of(f"{n + 1}00.00", "NOK"))
               for n in range(9)])
    assert CustomerTransaction.objects.count() == 9 and items[4].amount_acc == Decimal("500")
    assert ledger_check_run(actor=SYSTEM).ok


def test_bulk_update_sets_columns_by_id_or_by_a_foreign_key(entity):
    from remit.core import bulk
    from remit.receivables.models import Customer

    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="d")
    a = customer_create(legal_entity=entity, account_number="B1", name="One", group=group,
                        actor=SYSTEM)
    b = customer_create(legal_entity=entity, account_number="B2", name="Two", group=group,
                        actor=SYSTEM)
    assert bulk.update(Customer, ["name", "customer_since"],
                       [("First", date(2020, 5, 17), a.pk), ("Second", None, b.pk)]) == 2
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.name, a.customer_since, b.name, b.customer_since) == (
        "First", date(2020, 5, 17), "Second", None)
    assert bulk.update(Customer, ["name"], [("Same", group.pk)], key="group_id") >= 1
    assert set(Customer.objects.filter(group=group).values_list("name", flat=True)) == {"Same"}
    assert bulk.update(Customer, ["name"], []) == 0
