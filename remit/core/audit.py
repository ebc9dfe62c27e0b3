"""The audit log's one writer. Services call ``audit_record`` inside their own transaction.

A use case that records several things (an invoice issued: created, its entry posted, posted)
wraps its work in ``audit_together``: the records are written with one INSERT as it ends,
still inside its transaction, so they commit or vanish with what they describe."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

from .actor import Actor
from .inserts import insert
from .models import AuditLog, LegalEntity


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    legal_entity: LegalEntity | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    if legal_entity is None and obj is not None:
        legal_entity = getattr(obj, "legal_entity", None)
    record = AuditLog(
        actor=actor.user,
        actor_name=actor.name[:150],
        channel=actor.channel,
        legal_entity=legal_entity,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
    )
    pending = getattr(_together, "records", None)
    if pending is not None:
        pending.append(record)
    else:
        insert([record])
    return record


_together = threading.local()


@contextmanager
def audit_together() -> Iterator[None]:
    """Collect the audit records of the block and write them together when it ends without an
    error (inside the caller's transaction; a nested block leaves the writing to the outer)."""
    if getattr(_together, "records", None) is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_together runs inside the use case's transaction")
    _together.records = []
    try:
        yield
        records = _together.records
    finally:
        _together.records = None
    if records:
        insert(records)
