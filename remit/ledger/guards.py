"""Database triggers that make posted journal entries immutable, below the ORM.

Why triggers: model and service checks stop remit's own code; a trigger also stops a stray
``UPDATE`` from a shell, a script or a future bug. The same guarantees on SQLite and PostgreSQL:
no UPDATE or DELETE of a posted entry or its lines, and no new line on a posted entry beyond
the ones it was posted with. An entry is inserted complete — numbered, posted, with the
checksum of its lines as built and their count (``line_count``) — and its lines follow in the
same transaction: each number up to the count once (the unique (entry, line_no) refuses a
second), none above it. Writing the entry as a draft first and marking it posted after its
lines cost an UPDATE per entry. Entries posted before ``line_count`` existed have none and
take no line at all.

``guards_suspended`` exists for one purpose: ``flush`` (wiping a database, as the test runner
does between tests) and tests that tamper with the books on purpose to prove the ledger check
sees it. Nothing else calls it.
"""

from __future__ import annotations

from contextlib import contextmanager

MESSAGE = "posted journal entries are immutable; post a reversal instead"

# What makes a new line on a posted entry one too many. The migrations before ledger 0007 (when
# entries had no line count) install the guards without it: SQLite checks every trigger when a
# later migration alters a table, and must not meet one naming a column not there yet.
SQLITE_COUNTED = "AND (line_count IS NULL OR NEW.line_no > line_count)"
POSTGRES_COUNTED = ("AND (e.line_count IS NULL OR EXISTS (SELECT 1 FROM new_lines n "
                    "WHERE n.entry_id = e.id AND n.line_no > e.line_count))")


def _sqlite_create(counted: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS ledger_entry_guard_update
        BEFORE UPDATE ON ledger_journalentry
        WHEN OLD.status = 'posted' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS ledger_entry_guard_delete
        BEFORE DELETE ON ledger_journalentry
        WHEN OLD.status = 'posted' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS ledger_line_guard_update
        BEFORE UPDATE ON ledger_journalline
        WHEN (SELECT status FROM ledger_journalentry WHERE id = OLD.entry_id) = 'posted'
          OR (SELECT status FROM ledger_journalentry WHERE id = NEW.entry_id) = 'posted'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS ledger_line_guard_delete
        BEFORE DELETE ON ledger_journalline
        WHEN (SELECT status FROM ledger_journalentry WHERE id = OLD.entry_id) = 'posted'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS ledger_line_guard_insert
        BEFORE INSERT ON ledger_journalline
        WHEN EXISTS (SELECT 1 FROM ledger_journalentry
                     WHERE id = NEW.entry_id AND status = 'posted' {counted})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    ]


SQLITE_CREATE = _sqlite_create(SQLITE_COUNTED)
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_guard_update",
    "DROP TRIGGER IF EXISTS ledger_entry_guard_delete",
    "DROP TRIGGER IF EXISTS ledger_line_guard_update",
    "DROP TRIGGER IF EXISTS ledger_line_guard_delete",
    "DROP TRIGGER IF EXISTS ledger_line_guard_insert",
]

def _postgres_create(counted: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.status = 'posted' THEN
            RAISE EXCEPTION '{MESSAGE} (entry %)', OLD.number USING ERRCODE = '23000';
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION ledger_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
              SELECT 1 FROM ledger_journalentry WHERE id = OLD.entry_id AND status = 'posted') THEN
            RAISE EXCEPTION '{MESSAGE} (line of entry id %)', OLD.entry_id USING ERRCODE = '23000';
          END IF;
          IF TG_OP = 'UPDATE' AND EXISTS (
              SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id AND status = 'posted') THEN
            RAISE EXCEPTION '{MESSAGE} (line of entry id %)', NEW.entry_id USING ERRCODE = '23000';
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$""",
        """CREATE TRIGGER ledger_entry_guard BEFORE UPDATE OR DELETE ON ledger_journalentry
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard()""",
        """CREATE TRIGGER ledger_line_guard BEFORE UPDATE OR DELETE ON ledger_journalline
        FOR EACH ROW EXECUTE FUNCTION ledger_line_guard()""",
        # New lines are checked once per statement, all of them in one join: a batch posting
        # writes tens of thousands of lines in one COPY, and a row trigger cost a query for each.
        f"""CREATE OR REPLACE FUNCTION ledger_line_insert_guard() RETURNS trigger LANGUAGE plpgsql
        AS $$
        DECLARE ids bigint[]; posted_id bigint;
        BEGIN
          -- The entries are looked up by primary key from the array; a join with the transition
          -- table (which has no statistics) was planned as a nested loop over every entry.
          SELECT array_agg(DISTINCT entry_id) INTO ids FROM new_lines;
          SELECT e.id INTO posted_id FROM ledger_journalentry e
            WHERE e.id = ANY(ids) AND e.status = 'posted' {counted}
            LIMIT 1;
          IF FOUND THEN
            RAISE EXCEPTION '{MESSAGE} (line of entry id %)', posted_id USING ERRCODE = '23000';
          END IF;
          RETURN NULL;
        END $$""",
        """CREATE TRIGGER ledger_line_insert_guard AFTER INSERT ON ledger_journalline
        REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT
        EXECUTE FUNCTION ledger_line_insert_guard()""",
    ]


POSTGRES_CREATE = _postgres_create(POSTGRES_COUNTED)
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_guard ON ledger_journalentry",
    "DROP TRIGGER IF EXISTS ledger_line_guard ON ledger_journalline",
    "DROP TRIGGER IF EXISTS ledger_line_insert_guard ON ledger_journalline",
    "DROP FUNCTION IF EXISTS ledger_entry_guard()",
    "DROP FUNCTION IF EXISTS ledger_line_guard()",
    "DROP FUNCTION IF EXISTS ledger_line_insert_guard()",
]


def _statements(vendor: str, create: bool, line_counts: bool = True) -> list[str]:
    if vendor == "sqlite":
        if not create:
            return SQLITE_DROP
        return SQLITE_CREATE if line_counts else _sqlite_create("")
    if vendor == "postgresql":
        if not create:
            return POSTGRES_DROP
        return POSTGRES_CREATE if line_counts else _postgres_create("")
    raise NotImplementedError(f"no ledger guards for the {vendor} database")


def guards_install(connection, *, line_counts: bool = True) -> None:
    """``line_counts=False``: the guards as they were before entries had a line count (for
    the migrations that ran before the column existed)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, create=False):
            cursor.execute(sql)
        for sql in _statements(connection.vendor, create=True, line_counts=line_counts):
            cursor.execute(sql)


def guards_remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, create=False):
            cursor.execute(sql)


def guards_installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'ledger_%_guard_%'")
            return cursor.fetchone()[0] == len(SQLITE_CREATE)
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname IN ('ledger_entry_guard', "
                       "'ledger_line_guard', 'ledger_line_insert_guard') AND NOT tgisinternal")
        return cursor.fetchone()[0] == 3


@contextmanager
def guards_suspended(connection):
    """Only for flush and for tests that tamper on purpose (see the module docstring)."""
    guards_remove(connection)
    try:
        yield
    finally:
        guards_install(connection)
