"""The migrated schema, built once and copied for every test database that needs one.

Migrating an empty database takes about 20 s: Django renders model state some 19,000 times for
remit's hundred-odd migrations. Every pytest-xdist worker, and every test that starts real
``remit`` processes against a database of its own, used to pay that. Now the suite migrates
once into a template and copies it: SQLite by the backup API (or a file copy), PostgreSQL by
``CREATE DATABASE … TEMPLATE`` — the two ways Django's own parallel runner clones.

A template is named by a hash of the code that can shape the schema: every remit module (the
data migrations import constants and trigger SQL from them) and Django's version. A changed
model or migration gets a new template, so a stale schema is never used. Workers take a file
lock while one of them builds it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection

REMIT = Path(__file__).resolve().parents[1] / "remit"
HOME = Path(tempfile.gettempdir()) / "remit-test-templates"


def schema_key() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(REMIT.rglob("*.py")):
        digest.update(str(path.relative_to(REMIT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def _locked():
    HOME.mkdir(parents=True, exist_ok=True)
    with open(HOME / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _pointed_at(name: str):
    """Run the default connection against another database for a while."""
    saved = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved


def _migrate() -> None:
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)


class Template:
    """The migrated schema of this code, on the database the suite runs against."""

    def __init__(self):
        self.key = schema_key()
        self.postgres = connection.vendor == "postgresql"

    # -- where it lives -------------------------------------------------------------------
    @property
    def sqlite_file(self) -> Path:
        return HOME / f"remit-{self.key}.sqlite3"

    @property
    def pg_name(self) -> str:
        return f"remit_tpl_{self.key}"

    # -- building it once -----------------------------------------------------------------
    def ensure(self) -> Template:
        with _locked():
            if self.postgres:
                self._ensure_pg()
            elif not self.sqlite_file.exists():
                self._build_sqlite()
            else:
                os.utime(self.sqlite_file)  # in use: see _build_sqlite
        return self

    def _build_sqlite(self) -> None:
        building = self.sqlite_file.with_suffix(f".{os.getpid()}.building")
        building.unlink(missing_ok=True)
        with _pointed_at(str(building)):
            _migrate()
            with connection.cursor() as cursor:  # one self-contained file, no -wal beside it
                cursor.execute("PRAGMA journal_mode=DELETE")
        os.replace(building, self.sqlite_file)
        for old in HOME.glob("remit-*.sqlite3"):  # another run of older code may still copy
            try:                                  # one it used within the hour: it stays
                if old != self.sqlite_file and time.time() - old.stat().st_mtime > 3600:
                    old.unlink(missing_ok=True)
            except FileNotFoundError:
                pass

    def _admin(self, *statements: str) -> list:
        """Statements on the server's maintenance database, outside Django's connection (and
        so outside pytest-django's guard, for tests that start processes of their own)."""
        import psycopg

        given = connection.settings_dict
        params = {"dbname": "postgres", "user": given["USER"], "password": given["PASSWORD"],
                  "host": given["HOST"], "port": given["PORT"]}
        rows = []
        with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as db:
            for sql in statements:
                cursor = db.execute(sql)
                if cursor.description:
                    rows.extend(cursor.fetchall())
        return rows

    def _ensure_pg(self) -> None:
        import psycopg

        names = {row[0] for row in self._admin(
            "SELECT datname FROM pg_database WHERE datname LIKE 'remit\\_tpl\\_%'")}
        if self.pg_name in names:
            return
        building = f"{self.pg_name}_building"
        self._admin(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)',
                    f'CREATE DATABASE "{building}"')
        with _pointed_at(building):
            _migrate()
        self._admin(f'ALTER DATABASE "{building}" RENAME TO "{self.pg_name}"')
        for old in names - {building}:
            try:  # another checkout's run may still be copying it: then it stays
                self._admin(f'DROP DATABASE IF EXISTS "{old}"')
            except psycopg.Error:
                pass

    # -- copies ---------------------------------------------------------------------------
    def copy_to_pg(self, name: str) -> None:
        with _locked():  # a template being copied may not be connected to
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                        f'CREATE DATABASE "{name}" TEMPLATE "{self.pg_name}"')

    def copy_to_file(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.sqlite_file, path)

    def install_test_database(self) -> str:
        """Make the test database a copy of the template; return the name it was before."""
        creation = connection.creation
        test_name = creation._get_test_db_name()
        if self.postgres:
            self.copy_to_pg(test_name)
        elif not creation.is_in_memory_db(test_name):
            self.copy_to_file(Path(test_name))
        old_name = connection.settings_dict["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = test_name
        settings.DATABASES[connection.alias]["NAME"] = test_name
        if not self.postgres and creation.is_in_memory_db(test_name):
            connection.ensure_connection()
            source = sqlite3.connect(self.sqlite_file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
        return old_name

    def remove_test_database(self, old_name: str) -> None:
        """Drop the copy, even where a thread a test started still holds a connection."""
        test_name = connection.settings_dict["NAME"]
        connection.close()
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{test_name}" WITH (FORCE)')
        elif not connection.creation.is_in_memory_db(test_name):
            Path(test_name).unlink(missing_ok=True)
        connection.settings_dict["NAME"] = old_name
        settings.DATABASES[connection.alias]["NAME"] = old_name


_current: Template | None = None


def current() -> Template:
    """The template this run's test databases were copied from (built on first use)."""
    global _current
    if _current is None:
        _current = Template().ensure()
    return _current
