"""Posting many entries at once, set-based, for imports and generated data at scale.

Every entry passes exactly the checks ``journal_entry_post`` makes (accounts, decimals,
limits, conversion, balance) and gets a gap-free number and its checksum; the difference is in
the writing: one locked update per journal sequence, bulk inserts of entries and lines, and one
UPDATE that marks them posted. The books it leaves pass ``remit ledger check`` like any other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.bulk import Table
from remit.core.exceptions import DomainError, InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.core.selectors import exchange_rate_on
from remit.core.sequences import sequence_block
from remit.core.stored import decimal_as_stored

from . import rules
from .models import EntryStatus, Journal, JournalEntry, JournalLine
from .rules import PostingLine
from .services import _check_converted, _check_lines


@dataclass(frozen=True)
class EntrySpec:
    journal: Journal
    entry_date: date
    description: str
    lines: Sequence[PostingLine]
    source: str
    rates: dict[str, Decimal] | None = None  # as journal_entry_post's ``rates``


def journal_entries_post_bulk(*, legal_entity: LegalEntity, entries: Sequence[EntrySpec],
                              actor: Actor,
                              rate_for: RateFor | None = None) -> list[JournalEntry]:
    """Post all the entries or none; returns them posted, in the order given."""
    if not entries:
        return []
    with transaction.atomic():
        posted = entries_write(legal_entity=legal_entity,
                               prepared=entries_prepare(legal_entity, entries, rate_for),
                               actor=actor)
        found = JournalEntry.objects.in_bulk([p.pk for p in posted])
    return [found[p.pk] for p in posted]


RateFor = Callable[[str, date], Decimal]  # (currency, date) → rate to the accounting currency


@dataclass(frozen=True)
class Prepared:
    """An entry that passed every check, with its lines converted (amounts in the accounting
    currency known before anything is written)."""

    spec: EntrySpec
    lines: list[rules.ConvertedLine]


def entries_prepare(legal_entity: LegalEntity, entries: Sequence[EntrySpec],
                    rate_for: RateFor | None = None, *, offset: int = 0) -> list[Prepared]:
    """The checks ``journal_entry_post`` makes, for each entry; the first refused entry is
    named by its place (``offset`` + its index)."""
    if not legal_entity.is_active:
        raise RuleViolation(f"{legal_entity.code} is inactive and takes no postings")
    rates: dict[tuple[str, date], Decimal] = {}
    accounting = legal_entity.accounting_currency
    out = []
    for i, spec in enumerate(entries):
        try:
            if not isinstance(spec.entry_date, date) or isinstance(spec.entry_date, datetime):
                raise InvalidInput.field("entry_date", "a date is required")
            if spec.journal.legal_entity_id != legal_entity.pk or not spec.journal.is_active:
                raise InvalidInput.field("journal", f"{spec.journal.code} is not an active "
                                         f"journal of {legal_entity.code}")
            if not spec.description.strip():
                raise InvalidInput.field("description", "describe what the entry is for")
            _check_lines(legal_entity, spec.lines)
            needed = dict(spec.rates) if spec.rates is not None else {}
            for line in spec.lines:
                currency = line.amount.currency
                if line.rate is not None or currency in needed:
                    continue
                key = (currency, spec.entry_date)
                if key not in rates:
                    rates[key] = (rate_for(currency, spec.entry_date) if rate_for
                                  else exchange_rate_on(currency, accounting, spec.entry_date))
                needed[currency] = rates[key]
            converted = rules.convert_lines(spec.lines, accounting, needed)
            _check_converted(converted)
            rules.ensure_postable(converted, accounting)
        except DomainError as exc:
            n = offset + i
            raise type(exc)(f"entry {n + 1}: {exc.message}", code=exc.code,
                            errors=[(("entries", n, *loc), msg) for loc, msg in exc.errors]) \
                from None
        out.append(Prepared(spec, converted))
    return out


@dataclass(frozen=True)
class Posted:
    """An entry as written: its id and number, and its lines as converted."""

    pk: int
    number: str
    lines: list[rules.ConvertedLine]


ENTRY_COLUMNS = ("legal_entity_id", "journal_id", "number", "sequence_value", "entry_date",
                 "description", "status", "source", "reverses_id", "created_at", "posted_at",
                 "posted_by_id", "channel", "checksum", "line_count")
LINE_COLUMNS = ("entry_id", "line_no", "account_id", "description", "currency", "debit",
                "credit", "debit_acc", "credit_acc", "exchange_rate")


def entries_write(*, legal_entity: LegalEntity, prepared: Sequence[Prepared],
                  actor: Actor) -> list[Posted]:
    """Number and insert prepared entries, inside the caller's transaction: one locked update
    per journal sequence, one insert per table, one audit record. The lines are written
    before their entries, and the entries are written posted: the guard triggers refuse a line
    on an entry that is already posted, and the foreign key from line to entry is checked at
    commit. (Writing drafts and then marking them posted cost an UPDATE of every entry, which
    on PostgreSQL also leaves a dead copy of each row.)"""
    if not prepared:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("entries are written inside the posting transaction")
    numbers = _numbers(legal_entity, [p.spec for p in prepared])
    now = timezone.now()
    entries, lines = Table(JournalEntry, ENTRY_COLUMNS), Table(JournalLine, LINE_COLUMNS)
    ids = entries.ids(len(prepared))
    line_ids = iter(lines.ids(sum(len(p.lines) for p in prepared)))
    user = actor.user.pk if actor.user is not None else None
    rate_field = JournalLine._meta.get_field("exchange_rate")
    out = []
    for pk, item, (value, number) in zip(ids, prepared, numbers):
        spec = item.spec
        description = spec.description.strip()[:255]
        canonical = []
        for line_no, line in enumerate(item.lines, start=1):
            debit, credit = rules.split_sides(line.amount.amount)
            debit_acc, credit_acc = rules.split_sides(line.amount_acc)
            text = line.description[:255]
            rate = decimal_as_stored(rate_field, line.rate)  # the checksum is over stored rows
            lines.add((next(line_ids), pk, line_no, line.account.pk, text,
                       line.amount.currency, debit, credit, debit_acc, credit_acc, rate))
            canonical.append(rules.CanonicalLine(
                line_no=line_no, account_id=line.account.pk, currency=line.amount.currency,
                debit=debit, credit=credit, debit_acc=debit_acc, credit_acc=credit_acc,
                rate=rate, description=text))
        checksum = rules.checksum(
            legal_entity_id=legal_entity.pk, journal_id=spec.journal.pk, number=number,
            sequence_value=value, entry_date=spec.entry_date, description=description,
            source=spec.source, reverses=None, lines=canonical)
        entries.add((pk, legal_entity.pk, spec.journal.pk, number, value, spec.entry_date,
                     description, EntryStatus.POSTED, spec.source, None, now, now, user,
                     actor.channel, checksum, len(item.lines)))
        out.append(Posted(pk, number, item.lines))
    lines.write()
    entries.write()
    audit_record(actor=actor, action="ledger.entries.post_bulk", legal_entity=legal_entity,
                 data={"entries": len(out), "first": out[0].number, "last": out[-1].number,
                       "sources": sorted({p.spec.source for p in prepared})})
    return out


def _numbers(legal_entity: LegalEntity, entries: Sequence[EntrySpec]) -> list[tuple[int, str]]:
    """Consecutive numbers per journal sequence, one statement each (its row stays locked)."""
    if not connection.in_atomic_block:
        raise RuntimeError("numbers are taken inside the posting transaction")
    count: dict[int, int] = defaultdict(int)
    for spec in entries:
        count[spec.journal.sequence_id] += 1
    blocks = {pk: iter(sequence_block(pk, n)) for pk, n in sorted(count.items())}  # key order
    return [next(blocks[spec.journal.sequence_id]) for spec in entries]
