"""Every duplicate pair among a legal entity's records at once (after an import), with the
rules and the scoring of the one-record check: candidates are the pairs that share a match
code, found by one self-join of the codes in the database, and each is weighed by
``scoring.compare`` with counts taken once for the whole set. One set of rules, two speeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count

from . import duplicates, scoring
from .models import DuplicateRule, MatchCode, RecordType


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
            GROUP BY kind, code HAVING COUNT(*) BETWEEN 2 AND %s)
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
    out when every rule leaves them out, as the one-record check does)."""
    rules = DuplicateRule.objects.filter(legal_entity=legal_entity, is_published=True,
                                         record_type=record_type)
    found = duplicates.parties(legal_entity, record_type,
                    active_only=all(r.exclude_inactive for r in rules))
    counts = held(legal_entity, record_type)

    def others(kind: str, code: str) -> int:  # holders besides the record being compared
        return counts.get((kind, code), 1) - 1

    out = []
    for i, (a, b) in enumerate(candidate_pairs(legal_entity, record_type)):
        if a not in found or b not in found:
            continue
        verdict = scoring.compare(found[a], found[b], others)
        if verdict.band in bands:
            out.append(Pair(a, b, verdict))
        if progress is not None and i % 10_000 == 9_999:
            progress(i + 1)
    return sorted(out, key=lambda p: (-p.verdict.weight, p.first, p.second))
