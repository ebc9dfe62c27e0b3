"""Use cases that write the ledger. ``journal_entry_post`` and ``journal_entry_reverse`` are the
only code that creates journal rows; every other module posts through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.inserts import insert
from remit.core.models import LegalEntity
from remit.core.money import Money, currency_decimals
from remit.core.selectors import exchange_rate_on
from remit.core.sequences import sequence_block, sequence_create
from remit.core.stored import decimal_as_stored

from . import rules
from .chart import DEFAULT_CHART, DEFAULT_JOURNALS
from .exceptions import AccountNotPostable, AlreadyReversed, NotReversible
from .models import (
    Account,
    AccountType,
    EntryStatus,
    Journal,
    JournalEntry,
    JournalLine,
    JournalType,
)
from .rules import PostingLine

MANUAL = "manual"
REVERSAL = "reversal"


def chart_create_default(*, legal_entity: LegalEntity) -> list[Account]:
    existing = set(Account.objects.filter(legal_entity=legal_entity).values_list("number", flat=True))
    accounts = [
        Account(legal_entity=legal_entity, number=number, name=name, account_type=kind, role=role)
        for number, name, kind, role in DEFAULT_CHART
        if number not in existing
    ]
    return Account.objects.bulk_create(accounts)


def journals_create_default(*, legal_entity: LegalEntity) -> list[Journal]:
    journals = []
    for code, name, kind, prefix in DEFAULT_JOURNALS:
        sequence = sequence_create(legal_entity=legal_entity, code=f"journal.{code}",
                                   name=f"{name} numbers", prefix=prefix)
        journal, _ = Journal.objects.get_or_create(
            legal_entity=legal_entity, code=code,
            defaults={"name": name, "journal_type": kind, "sequence": sequence},
        )
        journals.append(journal)
    return journals


@transaction.atomic
def account_create(*, legal_entity: LegalEntity, number: str, name: str, account_type: str,
                   role: str = "", actor: Actor) -> Account:
    actor.require("ledger.add_account")
    if account_type not in AccountType.values:
        raise InvalidInput.field("account_type", f"choose one of {', '.join(AccountType.values)}")
    try:
        with transaction.atomic():
            account = Account.objects.create(legal_entity=legal_entity, number=number.strip(),
                                             name=name, account_type=account_type, role=role)
    except IntegrityError:
        raise InvalidInput.field("number", f"account {number} (or the role {role}) is taken") \
            from None
    audit_record(actor=actor, action="ledger.account.create", obj=account)
    return account


def _check_lines(legal_entity: LegalEntity, lines: Sequence[PostingLine]) -> None:
    limit = Decimal(settings.AMOUNT_LIMIT)
    for i, line in enumerate(lines):
        account = line.account
        if not isinstance(account, Account) or account.legal_entity_id != legal_entity.pk:
            raise AccountNotPostable.field(("lines", i, "account"),
                                           f"{account} is not an account of {legal_entity.code}")
        if account.is_blocked:
            raise AccountNotPostable.field(("lines", i, "account"),
                                           f"account {account.number} is blocked")
        if abs(line.amount.amount) >= limit:
            raise InvalidInput.field(("lines", i, "amount"),
                                     f"must be less than {limit:,} per line")
        decimals = currency_decimals(line.amount.currency)
        if line.amount.amount != line.amount.amount.quantize(Decimal(1).scaleb(-decimals)):
            raise InvalidInput.field(
                ("lines", i, "amount"),
                f"{line.amount.currency} has {decimals} decimals; got {line.amount.amount}",
            )


def _check_converted(converted: Sequence[rules.ConvertedLine]) -> None:
    limit = Decimal(settings.AMOUNT_LIMIT)
    for i, line in enumerate(converted):
        if abs(line.amount_acc) >= limit:
            raise InvalidInput.field(("lines", i, "amount"),
                                     f"in the accounting currency it must be less than {limit:,}")


def _rates(legal_entity: LegalEntity, lines: Sequence[PostingLine], on: date) -> dict[str, Decimal]:
    currencies = {line.amount.currency for line in lines}
    return {c: exchange_rate_on(c, legal_entity.accounting_currency, on) for c in currencies}


def journal_entry_post(
    *,
    legal_entity: LegalEntity,
    journal: Journal,
    entry_date: date,
    description: str,
    lines: Sequence[PostingLine],
    actor: Actor,
    source: str = MANUAL,
    reverses: JournalEntry | None = None,
    rates: dict[str, Decimal] | None = None,
) -> JournalEntry:
    """Validate, number and post one balanced entry; nothing is written if any check fails.

    Every check runs before the first write, so the writing needs no savepoint of its own
    inside a caller's transaction: three statements (its number; the entry, posted, with the
    checksum of its lines as built — at the scale they are stored; its lines)."""
    if not legal_entity.is_active:
        raise RuleViolation(f"{legal_entity.code} is inactive and takes no postings")
    if journal.legal_entity_id != legal_entity.pk or not journal.is_active:
        raise InvalidInput.field("journal", f"{journal.code} is not an active journal of "
                                 f"{legal_entity.code}")
    if not isinstance(entry_date, date) or isinstance(entry_date, datetime):
        raise InvalidInput.field("entry_date", "a date is required")
    if not description.strip():
        raise InvalidInput.field("description", "describe what the entry is for")
    _check_lines(legal_entity, lines)
    converted = rules.convert_lines(
        lines, legal_entity.accounting_currency,
        rates if rates is not None else _rates(legal_entity, lines, entry_date)
    )
    _check_converted(converted)
    rules.ensure_postable(converted, legal_entity.accounting_currency)
    with transaction.atomic(savepoint=False):
        return _entry_write(legal_entity, journal, entry_date, description, converted, actor,
                            source, reverses)


def _entry_write(legal_entity, journal, entry_date, description, converted, actor, source,
                 reverses) -> JournalEntry:
    [(value, number)] = sequence_block(journal.sequence_id, 1)
    entry = JournalEntry(
        legal_entity=legal_entity, journal=journal, number=number, sequence_value=value,
        entry_date=entry_date, description=description.strip()[:255], source=source,
        reverses=reverses, channel=actor.channel, status=EntryStatus.POSTED,
        posted_at=timezone.now(), posted_by=actor.user, line_count=len(converted))
    rows = []
    rate_field = JournalLine._meta.get_field("exchange_rate")
    for line_no, line in enumerate(converted, start=1):
        debit, credit = rules.split_sides(line.amount.amount)
        debit_acc, credit_acc = rules.split_sides(line.amount_acc)
        rows.append(JournalLine(
            entry=entry, line_no=line_no, account=line.account, description=line.description[:255],
            currency=line.amount.currency, debit=debit, credit=credit,
            debit_acc=debit_acc, credit_acc=credit_acc,
            exchange_rate=decimal_as_stored(rate_field, line.rate),  # as the checksum reads it
        ))
    entry.checksum = entry_checksum(entry, rows)
    insert([entry])  # complete and posted: the guards let its own lines follow
    entry._stored_status = entry.status  # what JournalEntry.save() notes: posted, immutable
    insert(rows)
    entry.built_lines = rows  # for the caller that needs a line (its open item's amount)
    audit_record(actor=actor, action="ledger.entry.post", obj=entry,
                 data={"journal": journal.code, "source": source, "date": entry_date,
                       "lines": len(rows),
                       "total_acc": sum((r.debit_acc for r in rows), Decimal(0))})
    return entry


def entry_checksum(entry: JournalEntry, lines: Sequence[JournalLine]) -> str:
    return rules.checksum(
        legal_entity_id=entry.legal_entity_id,
        journal_id=entry.journal_id,
        number=entry.number,
        sequence_value=entry.sequence_value,
        entry_date=entry.entry_date,
        description=entry.description,
        source=entry.source,
        reverses=entry.reverses_id,
        lines=[
            rules.CanonicalLine(
                line_no=line.line_no, account_id=line.account_id, currency=line.currency,
                debit=line.debit, credit=line.credit, debit_acc=line.debit_acc,
                credit_acc=line.credit_acc, rate=line.exchange_rate, description=line.description,
            )
            for line in lines
        ],
    )


@transaction.atomic
def manual_entry_post(*, legal_entity: LegalEntity, journal: Journal, entry_date: date,
                      description: str, lines: Sequence[PostingLine], actor: Actor,
                      as_of: date) -> JournalEntry:
    """A journal entry typed by a person (general journal), on business date ``as_of``.
    Receivable accounts are refused: the customer subledger must move with them, so they are
    posted from receivables only."""
    actor.require("ledger.post_journalentry")
    if isinstance(entry_date, date):
        problem = rules.entry_date_problem(entry_date, as_of)
        if problem:
            raise InvalidInput.field("entry_date", problem)
    if journal.journal_type != JournalType.DAILY:
        raise InvalidInput.field("journal", f"manual entries go to a general (daily) journal, "
                                 f"not {journal.code}")
    _refuse_subledger_accounts(legal_entity, lines)
    return journal_entry_post(legal_entity=legal_entity, journal=journal, entry_date=entry_date,
                              description=description, lines=lines, actor=actor, source=MANUAL)


def _refuse_subledger_accounts(legal_entity: LegalEntity, lines: Sequence[PostingLine]) -> None:
    from remit.ledger.subledgers import controlled_account_ids

    controlled = controlled_account_ids(legal_entity)
    for i, line in enumerate(lines):
        if getattr(line.account, "pk", None) in controlled:
            raise AccountNotPostable.field(
                ("lines", i, "account"),
                f"{line.account.number} is a customer receivable account; post invoices, "
                "payments or opening balances in receivables instead",
            )


@transaction.atomic
def journal_entry_reverse(*, entry: JournalEntry, reversal_date: date, reason: str,
                          actor: Actor, owner: str = MANUAL,
                          as_of: date | None = None) -> JournalEntry:
    """Post the mirror image of a posted entry, linked to it. The original is locked first so
    two people reversing the same entry cannot both succeed. Entries owned by a subledger
    (``source``) are reversed by that subledger's own service, which passes ``owner``."""
    if owner == MANUAL:
        actor.require("ledger.reverse_journalentry")
    original = (JournalEntry.objects.select_for_update().select_related("journal", "legal_entity")
                .get(pk=entry.pk))
    if original.status != EntryStatus.POSTED:
        raise NotReversible(f"{original} is not posted")
    if original.source == REVERSAL:
        raise NotReversible(f"{original} is itself a reversal; post a new entry instead")
    if original.source != owner:
        raise NotReversible(f"{original} belongs to {original.source}; reverse it there")
    if JournalEntry.objects.filter(reverses=original).exists():
        raise AlreadyReversed(f"{original} has already been reversed")
    if not isinstance(reversal_date, date) or reversal_date < original.entry_date:
        raise InvalidInput.field("reversal_date",
                                 f"must be on or after the entry's date {original.entry_date}")
    if as_of is not None and (problem := rules.entry_date_problem(reversal_date, as_of)):
        raise InvalidInput.field("reversal_date", problem)
    if not reason.strip():
        raise InvalidInput.field("reason", "say why the entry is reversed")
    lines = list(original.lines.select_related("account"))
    mirror = [
        PostingLine(
            account=line.account,
            amount=Money(line.credit - line.debit, line.currency),
            amount_acc=line.credit_acc - line.debit_acc,
            description=line.description,
            rate=line.exchange_rate,
        )
        for line in lines
    ]
    try:
        reversal = journal_entry_post(
            legal_entity=original.legal_entity, journal=original.journal,
            entry_date=reversal_date, description=f"Reversal of {original.number}: {reason}"[:255],
            lines=mirror, actor=actor, source=REVERSAL, reverses=original,
            rates={},
        )
    except IntegrityError:
        raise AlreadyReversed(f"{original} has already been reversed") from None
    audit_record(actor=actor, action="ledger.entry.reverse", obj=original,
                 data={"reversal": reversal.number, "reason": reason})
    return reversal


@dataclass(frozen=True)
class CheckOutcome:
    ok: bool
    entries_checked: int
    violations: list[dict]
    runs: list


def ledger_check_run(*, legal_entities: list[LegalEntity] | None = None, actor: Actor,
                     progress=None) -> CheckOutcome:
    """Run every ledger check over one consistent snapshot and store the outcome per legal
    entity (each entity's people see only their own findings)."""
    from django.db import connection

    from .checks import run_checks
    from .models import LedgerCheckRun

    entities = list(legal_entities if legal_entities is not None
                    else LegalEntity.objects.order_by("code"))
    started = timezone.now()
    outermost = not connection.in_atomic_block
    found = {}
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for entity in entities:
            checked = JournalEntry.objects.filter(legal_entity=entity,
                                                  status=EntryStatus.POSTED).count()
            found[entity.pk] = (checked, run_checks([entity], progress))
    finished = timezone.now()
    runs = [
        LedgerCheckRun.objects.create(
            legal_entity=entity, started_at=started, finished_at=finished,
            ok=not found[entity.pk][1], entries_checked=found[entity.pk][0],
            violations=[v.as_dict() for v in found[entity.pk][1]],
            channel=actor.channel, actor_name=actor.name[:150])
        for entity in entities
    ]
    violations = [v for run in runs for v in run.violations]
    return CheckOutcome(ok=not violations, entries_checked=sum(r.entries_checked for r in runs),
                        violations=violations, runs=runs)
