"""Writing many rows at the speed of the database: ids taken in advance (one statement), then
one ``COPY`` (PostgreSQL) or ``executemany`` (SQLite) per table, with values prepared the way
the ORM prepares them.

Why not ``bulk_create``: for a batch of a few thousand rows the ORM spends most of its time
building model objects and compiling the INSERT, not in the database (measured with
``bench.imports``). The batch paths that post thousands of documents (imports, the demo)
build their rows as plain tuples and write them here; every check stays in the services and
rules that made the rows, and the database's own constraints and triggers still apply.

Ids: on PostgreSQL taken from the table's sequence (``nextval`` over a series); on SQLite,
after the highest id ever given (``sqlite_sequence``) — safe because a write transaction on
SQLite holds the database's write lock from its start (``transaction_mode=IMMEDIATE``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

_prep_cache: dict[tuple, list[Callable | None]] = {}


def _preparer(field: models.Field) -> Callable | None:
    """How the ORM would turn a value of this field into what the driver is given; None
    when it is given as it is (text, numbers, booleans, Decimals, ids)."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda v, f=field: f.get_db_prep_save(v, connection)
    if isinstance(field, models.DateTimeField):
        return _last(ops.adapt_datetimefield_value)  # a batch stamps one time on every row
    if isinstance(field, models.DateField):
        return _last(ops.adapt_datefield_value)
    return None


def _last(prepare: Callable) -> Callable:
    """``prepare`` remembering its last answer (rows of a batch share dates and times)."""
    memo = [object(), None]

    def prepared(value):
        if value is not memo[0]:
            memo[0], memo[1] = value, prepare(value)
        return memo[1]

    return prepared


class Table:
    """Rows for one model's table: ``columns`` are attribute names (``customer_id``...); the
    id comes first in every row."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {unknown[0]}")
        self.columns = ["id", *columns]
        key = (self.table, tuple(self.columns), connection.vendor)
        if key not in _prep_cache:
            _prep_cache[key] = [_preparer(fields[c]) for c in self.columns]
        self._prepare = _prep_cache[key]
        self.rows: list[tuple] = []

    def ids(self, n: int) -> list[int]:
        return take_ids(self.model, n)

    def add(self, row: Sequence) -> None:
        self.rows.append(row)

    def write(self) -> int:
        if not self.rows:
            return 0
        special = [(i, p) for i, p in enumerate(self._prepare) if p is not None]
        if special:
            data = []
            for row in self.rows:
                row = list(row)
                for i, prepare in special:
                    row[i] = prepare(row[i])
                data.append(row)
        else:
            data = self.rows
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        if connection.vendor == "postgresql":  # COPY: the rows in one stream, no statements
            connection.ensure_connection()
            with connection.connection.cursor() as cursor, cursor.copy(
                    f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", data)
        written = len(data)
        self.rows = []
        return written


def update(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence],
           key: str = "id") -> int:
    """Set ``columns`` on many rows: each row is the new values in order, then the ``key``
    column's value (the id, or a foreign key to set every row pointing at it). One
    ``executemany`` of a plain UPDATE (``bulk_update`` compiles a CASE per column and row)."""
    if not rows:
        return 0
    fields = {f.attname: f for f in model._meta.concrete_fields}
    prepare = [_preparer(fields[c]) for c in columns]
    special = [(i, p) for i, p in enumerate(prepare) if p is not None]
    data = []
    for row in rows:
        row = list(row)
        for i, p in special:
            row[i] = p(row[i])
        data.append(row)
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(c)} = %s" for c in columns)
    sql = f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {q(key)} = %s"
    with connection.cursor() as cursor:
        if len(data) == 1:  # psycopg runs executemany as a pipeline: dearer for one row
            cursor.execute(sql, data[0])
        else:
            cursor.executemany(sql, data)
    return len(data)


def take_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` new ids for the model's table, inside the caller's transaction."""
    if n <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("ids are taken inside the writing transaction")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
    # ids handed out but not written yet (or rolled back) are never handed out again
    handed = connections[DEFAULT_DB_ALIAS].__dict__.setdefault("_remit_ids_handed", {})
    start = max(highest, found[0] if found else 0, handed.get(table, 0)) + 1
    handed[table] = start + n - 1
    return list(range(start, start + n))
