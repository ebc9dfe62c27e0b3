"""``remit ledger check``: every invariant of the books, each a small function returning the
violations it finds (beancount's validations), so one run reports every problem at once.

Set-based where the data is large (balances, counts, sums in SQL); the checksum check reads each
posted entry once, in chunks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Count, F, Max, Q, Value

from remit.core.db import ExactSum
from remit.core.models import LegalEntity, NumberSequence

from .models import EntryStatus, Journal, JournalEntry, JournalLine
from .services import REVERSAL, entry_checksum
from .subledgers import subledgers
from .violations import Violation

Progress = Callable[[int], None]


def _posted(legal_entity: LegalEntity):
    return JournalEntry.objects.filter(legal_entity=legal_entity, status=EntryStatus.POSTED)


def check_balanced(legal_entity: LegalEntity, progress: Progress | None = None) -> Iterator[Violation]:
    zero = Value(0)
    groups = (
        JournalLine.objects.filter(entry__legal_entity=legal_entity,
                                   entry__status=EntryStatus.POSTED)
        .values("entry_id", "entry__number")
        .annotate(
            n_lines=Count("id"),
            n_currencies=Count("currency", distinct=True),
            diff=ExactSum(F("debit") - F("credit")),
            diff_acc=ExactSum(F("debit_acc") - F("credit_acc")),
        )
        .filter(Q(diff_acc__gt=zero) | Q(diff_acc__lt=zero)
                | (Q(n_currencies=1) & (Q(diff__gt=zero) | Q(diff__lt=zero))))
    )
    for g in groups:
        yield Violation("balanced", legal_entity.code, g["entry__number"],
                        f"does not balance: debit − credit = {g['diff']:f} (transaction currency), "
                        f"{g['diff_acc']:f} {legal_entity.accounting_currency}")


def check_not_empty(legal_entity: LegalEntity, progress: Progress | None = None) -> Iterator[Violation]:
    for entry in _posted(legal_entity).annotate(n=Count("lines")).filter(n__lt=2):
        yield Violation("not_empty", legal_entity.code, entry.number,
                        f"posted with {entry.n} line(s); an entry needs at least two")


def check_lines_in_entity(legal_entity: LegalEntity, progress: Progress | None = None) -> Iterator[Violation]:
    stray = (JournalLine.objects.filter(entry__legal_entity=legal_entity)
             .exclude(account__legal_entity=legal_entity)
             .values_list("entry__number", "line_no", "account__number"))
    for number, line_no, account in stray:
        yield Violation("lines_in_entity", legal_entity.code, number,
                        f"line {line_no} posts to account {account} of another legal entity")


def check_checksums(legal_entity: LegalEntity, progress: Progress | None = None) -> Iterator[Violation]:
    entries = _posted(legal_entity).prefetch_related("lines").order_by("id")
    for entry in entries.iterator(chunk_size=2000):
        if entry_checksum(entry, list(entry.lines.all())) != entry.checksum:
            yield Violation("checksum", legal_entity.code, entry.number,
                            "changed since it was posted (its checksum no longer matches)")
        if progress:
            progress(1)


def check_sequences(legal_entity: LegalEntity, progress: Progress | None = None) -> Iterator[Violation]:
    """Voucher numbers are gap-free: every number a journal sequence handed out belongs to
    exactly one posted entry."""
    used = Journal.objects.filter(legal_entity=legal_entity).values("sequence")
    for sequence in NumberSequence.objects.filter(pk__in=used):
        stats = _posted(legal_entity).filter(journal__sequence=sequence).aggregate(
            n=Count("id"), distinct=Count("sequence_value", distinct=True),
            top=Max("sequence_value"))
        issued = sequence.next_value - 1
        if not (stats["n"] == stats["distinct"] == issued == (stats["top"] or 0)):
            yield Violation("sequence", legal_entity.code, sequence.code,
                            f"{stats['n']} posted entries but numbers 1–{issued} were issued "
                            f"(highest used {stats['top'] or 0}): a gap, a duplicate or a lost "
                            "entry")


def check_reversals(legal_entity: LegalEntity, progress: Progress | None = None) -> Iterator[Violation]:
    totals: dict[tuple, object] = defaultdict(int)
    mirrored = (JournalLine.objects
                .filter(entry__legal_entity=legal_entity, entry__source=REVERSAL)
                .values("entry__reverses_id", "account_id", "currency")
                .annotate(amount=ExactSum(F("debit") - F("credit")),
                          acc=ExactSum(F("debit_acc") - F("credit_acc"))))
    originals = (JournalLine.objects
                 .filter(entry__legal_entity=legal_entity, entry__reversed_by__isnull=False)
                 .values("entry_id", "account_id", "currency")
                 .annotate(amount=ExactSum(F("debit") - F("credit")),
                           acc=ExactSum(F("debit_acc") - F("credit_acc"))))
    for row in mirrored:
        key = (row["entry__reverses_id"], row["account_id"], row["currency"])
        totals[key] += row["amount"]
        totals[key + ("acc",)] += row["acc"]
    for row in originals:
        key = (row["entry_id"], row["account_id"], row["currency"])
        totals[key] += row["amount"]
        totals[key + ("acc",)] += row["acc"]
    bad = sorted({key[0] for key, total in totals.items() if total != 0})
    for number in JournalEntry.objects.filter(pk__in=bad).values_list("number", flat=True):
        yield Violation("reversal", legal_entity.code, number,
                        "its reversal does not mirror it line for line")


def check_guards(legal_entity: LegalEntity, progress: Progress | None = None) -> Iterator[Violation]:
    """The immutability triggers must be in place (a restore or a stray flush may drop them)."""
    from django.db import connection

    from .guards import guards_installed

    if not guards_installed(connection):
        yield Violation("guards", legal_entity.code, "database",
                        "the triggers that make posted entries immutable are missing; "
                        "run `remit migrate ledger 0001 && remit migrate` to reinstall them")


def check_config_stamps(legal_entity: LegalEntity,
                        progress: Progress | None = None) -> Iterator[Violation]:
    """Posting keeps configuration until a trigger says it changed (remit.core.config): a
    table without its trigger would let postings use an account or terms no longer set."""
    from django.db import connection

    from remit.core.config import stamp_triggers_missing

    missing = stamp_triggers_missing(connection)
    if missing:
        yield Violation("config", legal_entity.code, "database",
                        "changes to " + ", ".join(missing) + " would not reach postings "
                        "that keep configuration (their triggers are missing); run "
                        "`remit migrate` to put them back")


def check_subledgers(legal_entity: LegalEntity, progress: Progress | None = None) -> Iterator[Violation]:
    for subledger in subledgers():
        yield from subledger.reconcile(legal_entity)


CHECKS: list[Callable[..., Iterable[Violation]]] = [
    check_balanced,
    check_not_empty,
    check_lines_in_entity,
    check_checksums,
    check_sequences,
    check_reversals,
    check_subledgers,
    check_guards,
    check_config_stamps,
]


def posted_entry_count(legal_entities: Iterable[LegalEntity]) -> int:
    return JournalEntry.objects.filter(legal_entity__in=list(legal_entities),
                                       status=EntryStatus.POSTED).count()


def run_checks(legal_entities: Iterable[LegalEntity], progress: Progress | None = None) -> list[Violation]:
    violations: list[Violation] = []
    for entity in legal_entities:
        for check in CHECKS:
            violations.extend(check(entity, progress))
    return violations
