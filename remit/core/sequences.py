"""Taking the next number from a sequence: the one place numbers are handed out."""

from __future__ import annotations

from django.db import connection, transaction

from .exceptions import RuleViolation
from .models import NumberSequence


def _take(where: str, params: list, n: int) -> tuple[int, NumberSequence] | None:
    """Move a sequence on by ``n`` in one statement and return its first value: the UPDATE
    locks the row until the caller's transaction ends (a rollback gives the numbers back, so
    there are no gaps), and RETURNING reads what it wrote (SQLite 3.35+ and PostgreSQL)."""
    if not connection.in_atomic_block:
        raise RuleViolation("sequence_next must run inside the posting transaction")
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET next_value = next_value + %s WHERE {where} "
                       "RETURNING id, next_value, prefix, width", [n, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, after, prefix, width = row
    return after - n, NumberSequence(pk=pk, prefix=prefix, width=width, next_value=after)


def sequence_next(sequence: NumberSequence) -> tuple[int, str]:
    """Return (value, formatted number). Must run inside the caller's transaction."""
    value, taken = _take("id = %s", [sequence.pk], 1)
    return value, taken.format(value)


def sequence_block(sequence_id: int, n: int) -> list[tuple[int, str]]:
    """``n`` consecutive numbers of one sequence, by its id, taken with one statement."""
    if n <= 0:
        return []
    first, taken = _take("id = %s", [sequence_id], n)
    return [(v, taken.format(v)) for v in range(first, first + n)]


def _by_code(legal_entity, code: str, n: int) -> tuple[int, NumberSequence]:
    taken = _take("legal_entity_id = %s AND code = %s", [legal_entity.pk, code], n)
    if taken is None:
        raise RuleViolation(f"{legal_entity.code} has no number sequence {code!r}",
                            code="sequence_missing")
    return taken


def sequence_next_by_code(legal_entity, code: str) -> tuple[int, str]:
    """sequence_next for the entity's sequence with this code (one statement)."""
    value, taken = _by_code(legal_entity, code, 1)
    return value, taken.format(value)


def sequence_next_block(legal_entity, code: str, n: int) -> list[tuple[int, str]]:
    """``n`` consecutive numbers of the entity's sequence with this code, taken with one
    statement (a batch's documents numbered in the order given)."""
    if not connection.in_atomic_block:
        raise RuleViolation("sequence_next must run inside the posting transaction")
    if n <= 0:
        return []
    first, taken = _by_code(legal_entity, code, n)
    return [(v, taken.format(v)) for v in range(first, first + n)]


@transaction.atomic
def sequence_create(*, legal_entity, code: str, name: str, prefix: str = "", width: int = 6):
    sequence, _ = NumberSequence.objects.get_or_create(
        legal_entity=legal_entity,
        code=code,
        defaults={"name": name, "prefix": prefix, "width": width},
    )
    return sequence
