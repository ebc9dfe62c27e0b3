"""``/api/crm/duplicate-scans``: start a scan of a record type in the background and read its
progress and pairs (those whose two records the caller may see)."""

from __future__ import annotations

from ninja import Router, Schema, Status

from remit.api_auth import Rule
from remit.api_paging import limit_query, offset_query
from remit.core.actor import Actor
from remit.core.exceptions import NotFound
from remit.core.scope import scope_of
from remit.receivables.api import Strict

from . import scan
from .models import DuplicateScan

router = Router(tags=["crm"])


class ScanIn(Strict):
    record_type: str


class PairOut(Schema):
    first_id: int
    second_id: int
    score: float
    weight: float
    explanation: str


class ScanOut(Schema):
    id: int
    record_type: str
    status: str
    records: int
    candidates_done: int
    pairs: int
    message: str
    found: list[PairOut] = []


@router.post("/duplicate-scans", response={202: ScanOut},
             auth=Rule("crm.change_duplicaterule"))
def scan_start(request, body: ScanIn):
    """Find every duplicate pair among the legal entity's records of one type (lead, contact,
    account) in the background; a scan already queued or running is answered instead."""
    made = scan.scan_start(legal_entity=request.legal_entity, record_type=body.record_type,
                           actor=Actor.api(request.user))
    return Status(202, _out(request, made, 0, 0))


@router.get("/duplicate-scans/{scan_id}", response=ScanOut,
            auth=Rule("crm.view_duplicaterule"))
def scan_read(request, scan_id: int, limit: int = limit_query(),
              offset: int = offset_query()):
    """A scan's progress and, when done, its pairs best first (``limit``, ``offset``)."""
    found = DuplicateScan.objects.filter(legal_entity=request.legal_entity, pk=scan_id).first()
    if found is None:
        raise NotFound(f"no duplicate scan {scan_id}")
    return _out(request, found, offset, limit)


def _out(request, found: DuplicateScan, offset: int, limit: int) -> dict:
    pairs = scan.pairs_visible(found, scope_of(request))
    return {"id": found.pk, "record_type": found.record_type, "status": found.status,
            "records": found.records, "candidates_done": found.candidates_done,
            "pairs": found.pairs, "message": found.message,
            "found": list(pairs[offset:offset + max(0, min(limit, 500))]) if limit else []}
