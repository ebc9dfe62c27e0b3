"""Proof that the customer subledger agrees with the general ledger (run by ``remit ledger
check``): for every receivable account and currency, the open amounts of the customer
transactions equal the account's balance, in the transaction currency and in the accounting
currency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, Q

from remit.core.db import ExactSum
from remit.core.models import LegalEntity
from remit.ledger.models import Account, AccountRole, EntryStatus, JournalLine
from remit.ledger.violations import Violation

from .models import CustomerTransaction, PostingProfileLine, SettlementLine


def receivable_account_ids(legal_entity: LegalEntity) -> set[int]:
    ids = set(Account.objects.filter(legal_entity=legal_entity, role=AccountRole.RECEIVABLE)
              .values_list("pk", flat=True))
    ids |= set(PostingProfileLine.objects.filter(profile__legal_entity=legal_entity)
               .values_list("receivable_account_id", flat=True))
    ids |= set(CustomerTransaction.objects.filter(legal_entity=legal_entity)
               .values_list("receivable_account_id", flat=True).distinct())
    return ids


def reconcile_open_items(legal_entity: LegalEntity) -> Iterator[Violation]:
    accounts = receivable_account_ids(legal_entity)
    numbers = dict(Account.objects.filter(pk__in=accounts).values_list("pk", "number"))
    ledger: dict[tuple, Decimal] = defaultdict(Decimal)
    sub: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in (JournalLine.objects
                .filter(account_id__in=accounts, entry__status=EntryStatus.POSTED,
                        entry__legal_entity=legal_entity)
                .values("account_id", "currency")
                .annotate(amount=ExactSum(F("debit") - F("credit")),
                          acc=ExactSum(F("debit_acc") - F("credit_acc")))):
        ledger[(row["account_id"], row["currency"])] += row["amount"]
        ledger[(row["account_id"], "acc")] += row["acc"]
    for row in (CustomerTransaction.objects.filter(legal_entity=legal_entity)
                .values("receivable_account_id", "currency")
                .annotate(amount=ExactSum(F("amount") - F("settled_amount")),
                          acc=ExactSum(F("amount_acc") - F("settled_acc")))):
        sub[(row["receivable_account_id"], row["currency"])] += row["amount"]
        sub[(row["receivable_account_id"], "acc")] += row["acc"]
    for key in sorted(set(ledger) | set(sub), key=str):
        if ledger[key] != sub[key]:
            account, currency = key
            currency = legal_entity.accounting_currency if currency == "acc" else currency
            yield Violation(
                "subledger", legal_entity.code, f"account {numbers.get(account, account)}",
                f"open customer transactions total {sub[key]:f} {currency} but the account's "
                f"balance is {ledger[key]:f} {currency}")
    yield from _items_match_their_entries(legal_entity)
    flag = (CustomerTransaction.objects.filter(legal_entity=legal_entity)
            .filter(Q(is_open=True, settled_amount=F("amount"))
                    | Q(is_open=False) & ~Q(settled_amount=F("amount")))
            .values_list("document_number", flat=True))
    for number in flag:
        yield Violation("subledger", legal_entity.code, number,
                        "its open flag disagrees with its settled amount")
    yield from _items_match_their_settlements(legal_entity)


def _items_match_their_settlements(legal_entity: LegalEntity) -> Iterator[Violation]:
    """What an item says is settled (amount, accounting amount, discount) is the sum of the
    settlement lines that are not undone, so no change to an item bypasses a settlement."""
    sums = {row["item_id"]: (row["amount"], row["acc"], row["discount"]) for row in (
        SettlementLine.objects.filter(settlement__legal_entity=legal_entity,
                                      settlement__reversed_on__isnull=True)
        .values("item_id")
        .annotate(amount=ExactSum("amount"), acc=ExactSum("amount_acc"),
                  discount=ExactSum("discount")))}
    nothing = (Decimal(0),) * 3
    checked = set()
    items = (CustomerTransaction.objects.filter(legal_entity=legal_entity)
             .exclude(settled_amount=0, settled_acc=0, discount_taken=0)
             .values_list("pk", "document_number", "settled_amount", "settled_acc",
                          "discount_taken"))
    for pk, number, *settled in items.iterator(chunk_size=5000):
        checked.add(pk)
        if tuple(settled) != sums.get(pk, nothing):
            yield _unsettled_violation(legal_entity, number, settled[0], sums.get(pk, nothing))
    stray = [pk for pk, values in sums.items() if pk not in checked and values != nothing]
    for number in (CustomerTransaction.objects.filter(pk__in=stray[:100])
                   .values_list("document_number", flat=True)):
        yield _unsettled_violation(legal_entity, number, Decimal(0), nothing)


def _unsettled_violation(legal_entity, number, settled, sums) -> Violation:
    return Violation("subledger", legal_entity.code, number,
                     f"it says {settled:f} is settled but its settlements (amount, accounting "
                     f"amount, discount) add up to {', '.join(f'{v:f}' for v in sums)}")


def _items_match_their_entries(legal_entity: LegalEntity) -> Iterator[Violation]:
    """Each open item was posted by its journal entry: per entry and receivable account, the
    items' amounts equal the entry's lines there (so two customers' errors cannot cancel out
    in the account totals)."""
    items: dict[tuple, Decimal] = defaultdict(Decimal)
    numbers: dict[int, str] = {}
    for row in (CustomerTransaction.objects.filter(legal_entity=legal_entity)
                .values("journal_entry_id", "journal_entry__number", "receivable_account_id",
                        "currency")
                .annotate(amount=ExactSum("amount"), acc=ExactSum("amount_acc"))):
        key = (row["journal_entry_id"], row["receivable_account_id"])
        items[key + (row["currency"],)] += row["amount"]
        items[key + ("acc",)] += row["acc"]
        numbers[row["journal_entry_id"]] = row["journal_entry__number"]
    lines: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in (JournalLine.objects
                # a subquery, not a list of ids: a history of a million entries would pass
                # more values than SQLite takes in one statement
                .filter(entry_id__in=CustomerTransaction.objects.filter(
                            legal_entity=legal_entity).values("journal_entry_id"),
                        entry__legal_entity=legal_entity,
                        account_id__in={k[1] for k in items})
                .values("entry_id", "account_id", "currency")
                .annotate(amount=ExactSum(F("debit") - F("credit")),
                          acc=ExactSum(F("debit_acc") - F("credit_acc")))):
        key = (row["entry_id"], row["account_id"])
        lines[key + (row["currency"],)] += row["amount"]
        lines[key + ("acc",)] += row["acc"]
    bad = sorted({key[0] for key in set(items) | set(lines) if items[key] != lines[key]})
    for entry_id in bad:
        yield Violation("subledger", legal_entity.code, numbers[entry_id],
                        "its customer transactions do not match its receivable lines")
