"""Configuration read once and kept until it changes.

Posting a document reads configuration that changes a few times a year — the receivables
parameters, the journal for its type, accounts by role, the posting profile's lines, the
default bank account, whether a payment model is published. Read again for every document, it
was a third of an invoice's queries. Now a thread keeps what it read, and every use case
checks that nothing changed with a number it reads anyway: the customer lock's query also
reads ``core_configstamp.stamp``. Triggers on the configuration tables replace that stamp with
a random number on every insert, update or delete — from any process or tool, a shell's
UPDATE included — so a changed stamp empties the cache. Random, not a counter: a rolled-back
change restores the old stamp, and the next change must not land on a number seen before.

Outside a use case that observed the stamp (``config_scope`` plus ``stamp_observed``), or
where the stamp row is missing (a flushed database), ``cached`` reads afresh every time. The
values are shared: callers read them and never change them.

A use case that writes configuration itself (a first use that sets up defaults, say) changes
it under the stamp it observed, and the write may yet roll back. So the scope watches its own
statements: after it wrote one of the configuration tables, ``cached`` reads afresh and keeps
nothing until the scope ends — never a value of an uncommitted write under an old stamp.

The configuration tables are named by each app (``config_models`` on its AppConfig). SQLite
drops a table's triggers when a migration rebuilds the table, so every ``migrate`` puts back
what is missing (``stamp_triggers_repair``) and ``remit ledger check`` reports what is still
missing (``stamp_triggers_missing``).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

STAMP_TABLE = "core_configstamp"
_local = threading.local()
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)',
                    re.IGNORECASE)


@functools.cache
def stamped_tables() -> frozenset[str]:
    """The configuration tables: every app's ``config_models``, as table names."""
    from django.apps import apps

    return frozenset(apps.get_model(app.label, name)._meta.db_table
                     for app in apps.get_app_configs()
                     for name in getattr(app, "config_models", ()))


@contextmanager
def config_scope() -> Iterator[None]:
    """A use case: configuration may come from the cache once the stamp was observed inside
    it (nested scopes share the outer one)."""
    if getattr(_local, "scope", None) is not None:
        yield
        return
    from django.db import connection

    scope = _local.scope = {"stamp": None, "wrote": False}
    tables = stamped_tables()

    def watch(execute, sql, params, many, context):
        if not scope["wrote"]:
            write = _WRITE.match(sql)
            if write and write.group(1) in tables:
                scope["wrote"] = True
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(watch):
            yield
    finally:
        _local.scope = None


def stamp_observed(stamp: int | None) -> None:
    """The stamp as the current use case's transaction sees it (None: no stamp row)."""
    scope = getattr(_local, "scope", None)
    if scope is not None:
        scope["stamp"] = stamp


def stamp_sql() -> str:
    """A scalar subquery giving the stamp, to add to a query the use case makes anyway."""
    return f"(SELECT stamp FROM {STAMP_TABLE} WHERE id = 1)"


def stamp_read() -> int | None:
    """The stamp in a statement of its own (where no query of the use case can carry it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {STAMP_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def caching() -> bool:
    """Whether ``cached`` keeps what it loads here (a use case that observed the stamp and
    has not written configuration since)."""
    scope = getattr(_local, "scope", None)
    return scope is not None and scope["stamp"] is not None and not scope["wrote"]


def cached(key: tuple, load: Callable[[], Any]) -> Any:
    if not caching():
        return load()
    stamp = _local.scope["stamp"]
    cache = getattr(_local, "cache", None)
    if cache is None or cache[0] != stamp:
        cache = _local.cache = (stamp, {})
    values = cache[1]
    if key not in values:
        values[key] = load()
    return values[key]


# -- the triggers ---------------------------------------------------------------------------

_SQLITE_BUMP = (f"INSERT OR REPLACE INTO {STAMP_TABLE} (id, stamp) VALUES (1, random())")


def _sqlite(table: str) -> list[str]:
    return [f"CREATE TRIGGER IF NOT EXISTS config_stamp_{table}_{event.lower()} AFTER {event} "
            f"ON {table} BEGIN {_SQLITE_BUMP}; END" for event in ("INSERT", "UPDATE", "DELETE")]


POSTGRES_FUNCTION = f"""CREATE OR REPLACE FUNCTION config_stamp_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {STAMP_TABLE} (id, stamp)
    VALUES (1, (random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;
  RETURN NULL;
END $$"""


def _postgres(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS config_stamp ON {table}",
            f"CREATE TRIGGER config_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION config_stamp_bump()"]


def stamp_triggers_install(connection, tables: list[str]) -> None:
    """Make every change to these tables replace the stamp (run by each app's migration)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            statements = [sql for table in tables for sql in _postgres(table)]
        else:
            statements = [sql for table in tables for sql in _sqlite(table)]
        for sql in statements:
            cursor.execute(sql)


def stamp_triggers_remove(connection, tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS config_stamp ON {table}")
            else:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS config_stamp_{table}_{event}")


def stamp_triggers_missing(connection) -> list[str]:
    """The configuration tables whose changes would not replace the stamp (their triggers
    are gone: a SQLite table rebuild, a restore without triggers)."""
    existing = set(connection.introspection.table_names())
    tables = sorted(t for t in stamped_tables() if t in existing)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = "
                           "t.tgrelid WHERE t.tgname = 'config_stamp' AND NOT t.tgisinternal")
            found = {row[0] for row in cursor.fetchall()}
            return [t for t in tables if t not in found]
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                       "AND name LIKE 'config_stamp_%'")
        found = {row[0] for row in cursor.fetchall()}
        return [t for t in tables
                if any(f"config_stamp_{t}_{e}" not in found for e in ("insert", "update",
                                                                       "delete"))]


def stamp_triggers_repair(connection) -> list[str]:
    """Put back the missing triggers; the tables repaired."""
    missing = stamp_triggers_missing(connection)
    if missing:
        stamp_triggers_install(connection, missing)
    return missing


def stamp_triggers_on_migrate(sender, using="default", **kwargs) -> None:
    """After every ``migrate``: a migration that rebuilt a configuration table on SQLite
    (AlterField and the like) dropped its triggers with it."""
    from django.db import connections

    connection = connections[using]
    if STAMP_TABLE in connection.introspection.table_names():
        stamp_triggers_repair(connection)


def stamp_triggers_operation(tables: list[str]):
    """The migration operation of an app whose configuration tables posting caches: install
    the triggers (and remove them when the migration is reversed)."""
    from django.db import migrations

    return migrations.RunPython(
        lambda apps, schema_editor: stamp_triggers_install(schema_editor.connection, tables),
        lambda apps, schema_editor: stamp_triggers_remove(schema_editor.connection, tables))
