"""Every duplicate pair among a legal entity's records at once (after an import), with the
rules and the scoring of the one-record check: candidates are the pairs that share a match
code, found by one self-join of the codes in the database, and each is weighed by
``scoring.compare`` with counts taken once for the whole set. One set of rules, two speeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput
from remit.jobs.registry import task_for_path

from . import duplicates, scoring
from .models import (
    DuplicatePair,
    DuplicateRule,
    DuplicateScan,
    MatchCode,
    NotDuplicate,
    QualificationSettings,
    RecordType,
    ScanStatus,
)
from .scope import crm_visible


@dataclass(frozen=True)
class Pair:
    first: int
    second: int
    verdict: scoring.Verdict


def candidate_pairs(legal_entity, record_type: str) -> Iterator[tuple[int, int]]:
    """Pairs of records of one type sharing a code of a kind a published rule reads, each
    once; a code held by more than MAX_CANDIDATES records pairs none (a big switchboard)."""
    kinds = sorted({r.kind for r in DuplicateRule.objects.filter(
        legal_entity=legal_entity, is_published=True, record_type=record_type)
        if record_type in duplicates.types_of(r.matching_type)})
    if not kinds:
        return
    table = MatchCode._meta.db_table
    marks = ", ".join(["%s"] * len(kinds))
    sql = f"""
        WITH usable AS (
            SELECT kind, code FROM {table}
            WHERE legal_entity_id = %s AND record_type = %s AND kind IN ({marks})
            GROUP BY kind, code HAVING COUNT(*) BETWEEN 2 AND %s + 1)
        SELECT DISTINCT a.record_id, b.record_id
        FROM usable u
        JOIN {table} a ON a.legal_entity_id = %s AND a.record_type = %s
                      AND a.kind = u.kind AND a.code = u.code
        JOIN {table} b ON b.legal_entity_id = a.legal_entity_id
                      AND b.record_type = a.record_type AND b.kind = a.kind
                      AND b.code = a.code AND b.record_id > a.record_id"""
    params = [legal_entity.pk, record_type, *kinds, duplicates.MAX_CANDIDATES,
              legal_entity.pk, record_type]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # codes written in bulk just now have no statistics yet, and without them the
            # planner joins them with nested loops (18 s for 1,500 leads instead of 0.3 s)
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            yield from rows


def held(legal_entity, record_type: str) -> dict[tuple[str, str], int]:
    """How many records of the type hold each e-mail, number and surname held by several."""
    return {(kind, code): n for kind, code, n in MatchCode.objects.filter(
        legal_entity=legal_entity, record_type=record_type, kind__in=duplicates.COUNTED)
        .values_list("kind", "code").order_by().annotate(n=Count("*")).filter(n__gt=1)}


def pairs_scan(legal_entity, record_type: str = RecordType.LEAD, *,
               bands: tuple[str, ...] = (scoring.DUPLICATE,),
               progress: Callable[[int], None] | None = None) -> list[Pair]:
    """The pairs of records of one type in the given bands, best first (inactive records left
    out when every rule leaves them out, as the one-record check does; a pair detached from
    either record's list left out)."""
    rules = DuplicateRule.objects.filter(legal_entity=legal_entity, is_published=True,
                                         record_type=record_type)
    found = duplicates.parties(legal_entity, record_type,
                    active_only=all(r.exclude_inactive for r in rules))
    counts = held(legal_entity, record_type)
    detached = {frozenset(pair) for pair in NotDuplicate.objects.filter(
        legal_entity=legal_entity, record_type=record_type, other_type=record_type)
        .values_list("record_id", "other_id")}  # a user said so, from either side

    def others(kind: str, code: str) -> int:  # holders besides the record being compared
        return counts.get((kind, code), 1) - 1

    out = []
    for i, (a, b) in enumerate(candidate_pairs(legal_entity, record_type)):
        if a not in found or b not in found or frozenset((a, b)) in detached:
            continue
        if bands == (scoring.DUPLICATE,) and not scoring.could_be_same(found[a], found[b],
                                                                       others):
            continue  # the names rule it out: its numbers need not be read
        verdict = scoring.compare(found[a], found[b], others)
        if verdict.band in bands:
            out.append(Pair(a, b, verdict))
        if progress is not None and i % 10_000 == 9_999:
            progress(i + 1)
    return sorted(out, key=lambda p: (-p.verdict.weight, p.first, p.second))


def pairs_visible(found: DuplicateScan, scope):
    """A scan's pairs whose two records ``scope``'s user may see, best first: what the page
    and the API list."""
    model = duplicates.MODELS[found.record_type]
    visible = model.objects.filter(crm_visible(model, scope),
                                   legal_entity=found.legal_entity_id).values("pk")
    return DuplicatePair.objects.filter(scan=found, first_id__in=visible,
                                        second_id__in=visible)


SCAN_TASK = "remit.crm.tasks.duplicate_scan_job"


@transaction.atomic
def scan_start(*, legal_entity, record_type: str, actor: Actor) -> DuplicateScan:
    """Have the background worker find every duplicate pair among a type's records (after an
    import, say). A scan of that type already queued or running is returned instead of a
    second one."""
    actor.require("crm.change_duplicaterule")
    if record_type not in RecordType.values:
        raise InvalidInput.field("record_type", f"one of {', '.join(RecordType.values)}")
    # one starter at a time per legal entity: its settings row, made with the entity
    list(QualificationSettings.objects.select_for_update().filter(
        legal_entity=legal_entity).values_list("pk", flat=True))
    # a scan queued or running longer than a job may run lost its worker: it is failed
    lost = timezone.now() - timedelta(seconds=settings.REMIT["JOB_TIMEOUT_SECONDS"])
    busy = DuplicateScan.objects.filter(legal_entity=legal_entity, record_type=record_type,
                                        status__in=(ScanStatus.QUEUED, ScanStatus.RUNNING))
    busy.filter(Q(status=ScanStatus.QUEUED, created_at__lt=lost)
                | Q(status=ScanStatus.RUNNING, started_at__lt=lost)).update(
        status=ScanStatus.FAILED, finished_at=timezone.now(),
        message="stopped: no worker finished it within the job time limit")
    if (found := busy.first()) is not None:
        return found
    scan = DuplicateScan.objects.create(legal_entity=legal_entity, record_type=record_type,
                                        created_by=actor.user)
    audit_record(actor=actor, action="crm.duplicates.scan", obj=scan,
                 data={"record_type": record_type})
    scan_id = scan.pk
    transaction.on_commit(lambda: task_for_path(SCAN_TASK).enqueue(scan_id=scan_id))
    return scan


def scan_execute(scan: DuplicateScan) -> DuplicateScan:
    """Carry a scan out: codes made for the records that have none (loaded in bulk), every
    pair weighed, the pairs kept. Run again after a crash, it starts over:
    it only reads the records and replaces its own pairs."""
    DuplicateScan.objects.filter(pk=scan.pk).update(status=ScanStatus.RUNNING,
                                                    started_at=timezone.now(),
                                                    candidates_done=0, message="")
    entity, rtype = scan.legal_entity, scan.record_type
    duplicates.codes_fill_missing(entity, rtype)

    def progress(done: int) -> None:
        DuplicateScan.objects.filter(pk=scan.pk).update(candidates_done=done)

    found = pairs_scan(entity, rtype, progress=progress)
    with transaction.atomic():
        DuplicatePair.objects.filter(scan=scan).delete()
        DuplicatePair.objects.bulk_create(
            [DuplicatePair(legal_entity=entity, scan=scan, record_type=rtype,
                           first_id=p.first, second_id=p.second,
                           weight=Decimal(str(round(p.verdict.weight, 2))),
                           score=Decimal(str(p.verdict.score)),
                           explanation=p.verdict.explanation)
             for p in found], batch_size=2000)
        DuplicateScan.objects.filter(pk=scan.pk).update(
            status=ScanStatus.DONE, pairs=len(found), finished_at=timezone.now(),
            records=duplicates.MODELS[rtype].objects.filter(legal_entity=entity).count())
    scan.refresh_from_db()
    return scan


def scan_failed(scan: DuplicateScan, message: str) -> None:
    DuplicateScan.objects.filter(pk=scan.pk).update(status=ScanStatus.FAILED,
                                                    message=message[:2000],
                                                    finished_at=timezone.now())
