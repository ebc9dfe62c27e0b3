"""Model objects from a SELECT written by hand, converted exactly as the ORM converts them.

Why: the locking read of a payment's open items (with their discount periods and receivable
account) cost more to compile through the ORM — about half a
millisecond each in ``bench.posting`` — than to run. Their SQL is fixed but for the number of
ids, so a use case writes it once and keeps it; the rows become model objects through the
converters (``get_db_converters``) and ``Model.from_db`` that the ORM's own iterator uses, so
an object read here is the object a queryset would have given.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models, transaction


class Columns:
    """Every concrete column of ``model`` under the table alias ``alias``: ``sql`` for the
    select list, ``build(row, start)`` for the object from ``row[start:start + count]``."""

    def __init__(self, model: type[models.Model], alias: str):
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        self.model = model
        self.count = len(fields)
        self.sql = ", ".join(f"{quote(alias)}.{quote(f.column)}" for f in fields)
        self.converters = []
        for i, field in enumerate(fields):
            column = field.get_col(alias)
            found = (connection.ops.get_db_converters(column)
                     + column.get_db_converters(connection))
            if found:
                self.converters.append((i, found, column))

    def build(self, row: Sequence, start: int = 0) -> models.Model:
        values = list(row[start:start + self.count])
        for i, converters, column in self.converters:
            value = values[i]
            for convert in converters:
                value = convert(value, column, connection)
            values[i] = value
        return self.model.from_db(connection.alias, None, values)


_columns: dict[tuple, Columns] = {}


def columns(model: type[models.Model], alias: str) -> Columns:
    """``Columns`` for the connection's database, made once."""
    key = (model, alias, connection.vendor)
    found = _columns.get(key)
    if found is None:
        found = _columns[key] = Columns(model, alias)
    return found


def marks(n: int) -> str:
    """``%s, %s, …`` for an ``IN`` list of ``n`` values."""
    return ", ".join(["%s"] * n)


KEEP_IDS = 16  # statements for up to this many ids are kept; longer lists are built each time


def kept(cache: dict, key: tuple, n: int, build) -> str:
    """``build()``'s SQL for ``n`` ids, kept in ``cache`` under ``key`` when ``n`` is small
    (a batch of thousands of ids must not leave a statement per length in a long process)."""
    found = cache.get(key)
    if found is None:
        found = build()
        if n <= KEEP_IDS:
            cache[key] = found
    return found


def lock_inside_transaction() -> None:
    """A locking read outside a transaction would lock nothing (the ORM's select_for_update
    refuses it too)."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "a locking read runs inside the use case's transaction")
