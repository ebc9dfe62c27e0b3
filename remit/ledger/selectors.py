"""Read-side queries for the ledger: entry lists, one entry with its lines, balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from remit.core import config
from remit.core.db import ExactSum
from remit.core.exceptions import NotFound, RuleViolation
from remit.core.models import LegalEntity

from .models import Account, EntryStatus, Journal, JournalEntry, JournalLine


def account_for_role(legal_entity: LegalEntity, role: str) -> Account:
    """The legal entity's account with this role (kept while configuration is unchanged,
    see remit.core.config)."""
    account = config.cached(("ledger.role", legal_entity.pk, role), lambda: Account.objects
                            .filter(legal_entity=legal_entity, role=role).first())
    if account is None:
        raise RuleViolation(f"{legal_entity.code} has no account with the role {role!r}; "
                            "set one in the chart of accounts", code="account_role_missing")
    return account


def account_by_number(legal_entity: LegalEntity, number: str) -> Account:
    account = Account.objects.filter(legal_entity=legal_entity, number=number).first()
    if account is None:
        raise NotFound(f"{legal_entity.code} has no account {number}")
    return account


def journal_by_code(legal_entity: LegalEntity, code: str) -> Journal:
    journal = Journal.objects.filter(legal_entity=legal_entity, code=code).select_related(
        "sequence").first()
    if journal is None:
        raise NotFound(f"{legal_entity.code} has no journal {code}")
    return journal


def journal_for_type(legal_entity: LegalEntity, journal_type: str) -> Journal:
    """The journal a module posts its entries to: the first active one of that type."""
    journal = config.cached(
        ("ledger.journal", legal_entity.pk, journal_type),
        lambda: Journal.objects.filter(legal_entity=legal_entity, journal_type=journal_type,
                                       is_active=True).select_related("sequence")
        .order_by("code").first())
    if journal is None:
        raise RuleViolation(f"{legal_entity.code} has no active {journal_type} journal",
                            code="journal_missing")
    return journal


def entries_list(
    legal_entity: LegalEntity,
    *,
    journal: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    account: str | None = None,
    text: str | None = None,
) -> QuerySet[JournalEntry]:
    qs = (JournalEntry.objects.filter(legal_entity=legal_entity)
          .select_related("journal", "posted_by", "reverses")
          .annotate(total_acc=ExactSum("lines__debit_acc"))
          .order_by("-entry_date", "-id"))
    if journal:
        qs = qs.filter(journal__code=journal)
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(entry_date__gte=date_from)
    if date_to:
        qs = qs.filter(entry_date__lte=date_to)
    if account:
        qs = qs.filter(pk__in=JournalLine.objects.filter(account__number=account).values("entry"))
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(description__icontains=text))
    return qs


def entry_detail(legal_entity: LegalEntity, pk: int) -> JournalEntry:
    entry = (JournalEntry.objects.filter(legal_entity=legal_entity, pk=pk)
             .select_related("journal", "posted_by", "reverses", "legal_entity")
             .prefetch_related(Prefetch("lines", JournalLine.objects.select_related("account")))
             .first())
    if entry is None:
        raise NotFound(f"No journal entry {pk} in {legal_entity.code}")
    entry.reversal = JournalEntry.objects.filter(reverses=entry).only("id", "number").first()
    entry.total_acc = sum((line.debit_acc for line in entry.lines.all()), Decimal(0))
    return entry


def account_balances(legal_entity: LegalEntity, as_of: date) -> list[Account]:
    """Every account with its debit, credit and balance in the accounting currency as of a date,
    from one grouped query."""
    posted = Q(lines__entry__status=EntryStatus.POSTED, lines__entry__entry_date__lte=as_of)
    accounts = list(
        Account.objects.filter(legal_entity=legal_entity)
        .annotate(debit_acc=ExactSum("lines__debit_acc", filter=posted, zero=True),
                  credit_acc=ExactSum("lines__credit_acc", filter=posted, zero=True))
        .order_by("number")
    )
    for account in accounts:
        account.balance_acc = account.debit_acc - account.credit_acc
    return accounts


def postable_accounts(legal_entity: LegalEntity) -> list[Account]:
    """Accounts a person may post to by hand: not blocked, not controlled by a subledger."""
    from .subledgers import controlled_account_ids

    controlled = controlled_account_ids(legal_entity)
    return [a for a in Account.objects.filter(legal_entity=legal_entity, is_blocked=False)
            if a.pk not in controlled]
