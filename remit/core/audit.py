"""The audit log's one writer. Services call ``audit_record`` inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from .actor import Actor
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
    return AuditLog.objects.create(
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
