"""Taking the next number from a sequence: the one place numbers are handed out."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F

from .exceptions import RuleViolation
from .models import NumberSequence


def sequence_next(sequence: NumberSequence) -> tuple[int, str]:
    """Return (value, formatted number). Must run inside the caller's transaction: the row
    lock is held until it commits, and a rollback returns the number, so there are no gaps."""
    if not connection.in_atomic_block:
        raise RuleViolation("sequence_next must run inside the posting transaction")
    locked = NumberSequence.objects.select_for_update().get(pk=sequence.pk)
    value = locked.next_value
    NumberSequence.objects.filter(pk=locked.pk).update(next_value=F("next_value") + 1)
    return value, locked.format(value)


def sequence_next_by_code(legal_entity, code: str) -> tuple[int, str]:
    """sequence_next for the entity's sequence with this code (one locking read)."""
    if not connection.in_atomic_block:
        raise RuleViolation("sequence_next must run inside the posting transaction")
    locked = NumberSequence.objects.select_for_update().filter(
        legal_entity=legal_entity, code=code).first()
    if locked is None:
        raise RuleViolation(f"{legal_entity.code} has no number sequence {code!r}",
                            code="sequence_missing")
    NumberSequence.objects.filter(pk=locked.pk).update(next_value=F("next_value") + 1)
    return locked.next_value, locked.format(locked.next_value)


def sequence_next_block(legal_entity, code: str, n: int) -> list[tuple[int, str]]:
    """``n`` consecutive numbers of the entity's sequence with this code, taken with one
    locking read and one update (a batch's documents numbered in the order given)."""
    if not connection.in_atomic_block:
        raise RuleViolation("sequence_next must run inside the posting transaction")
    if n <= 0:
        return []
    locked = NumberSequence.objects.select_for_update().filter(
        legal_entity=legal_entity, code=code).first()
    if locked is None:
        raise RuleViolation(f"{legal_entity.code} has no number sequence {code!r}",
                            code="sequence_missing")
    NumberSequence.objects.filter(pk=locked.pk).update(next_value=F("next_value") + n)
    return [(v, locked.format(v)) for v in range(locked.next_value, locked.next_value + n)]


@transaction.atomic
def sequence_create(*, legal_entity, code: str, name: str, prefix: str = "", width: int = 6):
    sequence, _ = NumberSequence.objects.get_or_create(
        legal_entity=legal_entity,
        code=code,
        defaults={"name": name, "prefix": prefix, "width": width},
    )
    return sequence
