"""Posting many entries at once, set-based, for imports and generated data at scale.

Every entry passes exactly the checks ``journal_entry_post`` makes (accounts, decimals,
limits, conversion, balance) and gets a gap-free number and its checksum; the difference is in
the writing: one locked update per journal sequence, bulk inserts of entries and lines, and one
UPDATE that marks them posted. The books it leaves pass ``remit ledger check`` like any other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import DomainError, InvalidInput, RuleViolation
from remit.core.models import LegalEntity, NumberSequence
from remit.core.selectors import exchange_rate_on

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


def journal_entries_post_bulk(*, legal_entity: LegalEntity, entries: Sequence[EntrySpec],
                              actor: Actor, batch_size: int = 2000) -> list[JournalEntry]:
    """Post all the entries or none; returns them posted, in the order given."""
    if not entries:
        return []
    with transaction.atomic():
        converted = _validate(legal_entity, entries)
        numbers = _numbers(legal_entity, entries)
        now = timezone.now()
        rows, all_lines = [], []
        for spec, lines, (value, number) in zip(entries, converted, numbers):
            entry = JournalEntry(
                legal_entity=legal_entity, journal=spec.journal, number=number,
                sequence_value=value, entry_date=spec.entry_date,
                description=spec.description.strip()[:255], status=EntryStatus.DRAFT,
                source=spec.source, posted_at=now, posted_by=actor.user, channel=actor.channel)
            line_rows = []
            for line_no, line in enumerate(lines, start=1):
                debit, credit = rules.split_sides(line.amount.amount)
                debit_acc, credit_acc = rules.split_sides(line.amount_acc)
                line_rows.append(JournalLine(
                    line_no=line_no, account=line.account, description=line.description[:255],
                    currency=line.amount.currency, debit=debit, credit=credit,
                    debit_acc=debit_acc, credit_acc=credit_acc, exchange_rate=line.rate))
            entry.checksum = _checksum(entry, line_rows)
            rows.append(entry)
            all_lines.append(line_rows)
        JournalEntry.objects.bulk_create(rows, batch_size=batch_size)
        for entry, line_rows in zip(rows, all_lines):
            entry._bulk_lines = line_rows  # callers read the accounting amounts from these
            for line in line_rows:
                line.entry = entry
        JournalLine.objects.bulk_create([l for ls in all_lines for l in ls],
                                        batch_size=batch_size)
        ids = [entry.pk for entry in rows]
        for start in range(0, len(ids), batch_size):
            JournalEntry.objects.filter(pk__in=ids[start:start + batch_size]).update(
                status=EntryStatus.POSTED)
        for entry in rows:
            entry.status = entry._stored_status = EntryStatus.POSTED
        audit_record(actor=actor, action="ledger.entries.post_bulk", legal_entity=legal_entity,
                     data={"entries": len(rows), "first": rows[0].number,
                           "last": rows[-1].number,
                           "sources": sorted({spec.source for spec in entries})})
    return rows


def _validate(legal_entity: LegalEntity, entries: Sequence[EntrySpec]):
    if not legal_entity.is_active:
        raise RuleViolation(f"{legal_entity.code} is inactive and takes no postings")
    rates: dict[tuple[str, date], Decimal] = {}
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
            needed = {}
            for line in spec.lines:
                key = (line.amount.currency, spec.entry_date)
                if key not in rates:
                    rates[key] = exchange_rate_on(key[0], legal_entity.accounting_currency,
                                                  key[1])
                needed[line.amount.currency] = rates[key]
            converted = rules.convert_lines(spec.lines, legal_entity.accounting_currency, needed)
            _check_converted(converted)
            rules.ensure_postable(converted, legal_entity.accounting_currency)
        except DomainError as exc:
            raise type(exc)(f"entry {i + 1}: {exc.message}", code=exc.code,
                            errors=[(("entries", i, *loc), msg) for loc, msg in exc.errors]) \
                from None
        out.append(converted)
    return out


def _numbers(legal_entity: LegalEntity, entries: Sequence[EntrySpec]) -> list[tuple[int, str]]:
    """Consecutive numbers per journal sequence, taken under the sequence's row lock."""
    if not connection.in_atomic_block:
        raise RuntimeError("numbers are taken inside the posting transaction")
    count: dict[int, int] = defaultdict(int)
    for spec in entries:
        count[spec.journal.sequence_id] += 1
    sequences = {s.pk: s for s in NumberSequence.objects.select_for_update()
                 .filter(pk__in=sorted(count)).order_by("pk")}
    for pk, n in count.items():
        NumberSequence.objects.filter(pk=pk).update(next_value=F("next_value") + n)
    next_value = {pk: s.next_value for pk, s in sequences.items()}
    numbers = []
    for spec in entries:
        sequence = sequences[spec.journal.sequence_id]
        value = next_value[sequence.pk]
        next_value[sequence.pk] += 1
        numbers.append((value, sequence.format(value)))
    return numbers


def _checksum(entry: JournalEntry, lines: Sequence[JournalLine]) -> str:
    return rules.checksum(
        legal_entity_id=entry.legal_entity_id, journal_id=entry.journal_id, number=entry.number,
        sequence_value=entry.sequence_value, entry_date=entry.entry_date,
        description=entry.description, source=entry.source, reverses=None,
        lines=[rules.CanonicalLine(
            line_no=line.line_no, account_id=line.account.pk, currency=line.currency,
            debit=line.debit, credit=line.credit, debit_acc=line.debit_acc,
            credit_acc=line.credit_acc, rate=line.exchange_rate, description=line.description)
            for line in lines])
