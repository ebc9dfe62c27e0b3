"""An import killed with SIGKILL, at any point, and started again finishes what was missing and
posts no row twice; the books prove themselves at every point. Real processes against a real
database of their own (a file for SQLite, a fresh database on the PostgreSQL server CI uses).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from remit.demo.exports import write_nordic

pytestmark = [pytest.mark.slow]
ROWS = 3000


class Installation:
    """A database and the environment for ``remit`` commands that use it."""

    def __init__(self, tmp_path: Path, schema):
        """A migrated database: a copy of the suite's schema template (``remit migrate``
        itself is proved by test_setup and CI's smoke)."""
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DJANGO_SETTINGS_MODULE", "COLUMNS")}
        self.env.update(REMIT_DATA_DIR=str(tmp_path / "var"), REMIT_IMPORT_CHUNK_ROWS="100")
        self.pg = connection.vendor == "postgresql"
        self.name = f"remit_kill_{uuid.uuid4().hex[:10]}"
        if self.pg:
            server = os.environ["REMIT_DATABASE_URL"].rsplit("/", 1)[0]
            schema.copy_to_pg(self.name)
            self.env["REMIT_DATABASE_URL"] = f"{server}/{self.name}"
        else:
            self.env.pop("REMIT_DATABASE_URL", None)
            self.sqlite = tmp_path / "var" / "remit.sqlite3"
            schema.copy_to_file(self.sqlite)

    def _admin(self, sql: str) -> None:
        import psycopg

        server = os.environ["REMIT_DATABASE_URL"].rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
            c.execute(sql)

    def drop(self) -> None:
        if self.pg:
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def remit(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "remit.cli", *args], env=self.env,
                              capture_output=True, text=True, timeout=600)
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "remit.cli", *args], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def query(self, sql: str) -> list[tuple]:
        if self.pg:
            import psycopg

            with psycopg.connect(self.env["REMIT_DATABASE_URL"]) as c:
                return c.execute(sql).fetchall()
        with sqlite3.connect(self.sqlite, timeout=30) as c:
            return c.execute(sql).fetchall()


@pytest.fixture
def installation(tmp_path, schema_template):
    made = Installation(tmp_path, schema_template)
    try:
        made.remit("entity", "create", "NO01", "Nordlys AS", "--currency", "NOK",
                   "--country", "NO")
        made.remit("shell", "-c", "from remit.core.services import exchange_rate_set as s; "
                   "from remit.core.actor import Actor; import datetime as d; "
                   "s(from_currency='EUR', to_currency='NOK', valid_from=d.date(2015, 1, 1), "
                   "rate='11.2', actor=Actor.cli()); "
                   "from remit.receivables.models import ReceivablesParameters as P; "
                   "P.objects.update(max_penny_difference=1)")
        yield made
    finally:
        made.drop()


def _kill_when(installation: Installation, process: subprocess.Popen, ready) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the import ended before it could be killed: "
                        + process.stderr.read().decode()[-2000:])
        try:
            if ready(installation.query("SELECT status, rows_checked, rows_posted "
                                        "FROM imports_importrun ORDER BY id DESC LIMIT 1")):
                break
        except Exception:  # the table is busy or the run not there yet
            pass
        time.sleep(0.05)
    else:
        pytest.fail("the import never reached the point to kill it at")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_an_import_killed_while_checking_and_while_posting_resumes_and_posts_nothing_twice(
        installation, tmp_path):
    path = tmp_path / "history.csv"
    sums = write_nordic(path, rows=ROWS, customers=150, as_of=date(2026, 11, 30), seed=21)
    command = ("import", "invoices", str(path), "--entity", "NO01", "--create-customers")

    first = installation.start(*command)
    _kill_when(installation, first,
               lambda rows: rows and rows[0][0] == "checking" and rows[0][1] >= 200)
    installation.remit("ledger", "check")
    assert installation.query("SELECT COUNT(*) FROM receivables_customertransaction") == [(0,)]

    second = installation.start(*command)
    _kill_when(installation, second,
               lambda rows: rows and rows[0][0] == "posting" and 300 <= rows[0][2] < ROWS)
    installation.remit("ledger", "check")
    (posted,), = installation.query("SELECT rows_posted FROM imports_importrun")
    items = installation.query("SELECT COUNT(*) FROM receivables_customertransaction WHERE "
                               "kind IN ('invoice', 'credit_note')")[0][0]
    assert 0 < items == posted < ROWS  # every committed chunk is whole, with its checkpoint

    done = installation.remit(*command)
    assert f"{ROWS} created" in done.stdout and "(run 1)" in done.stdout
    # resumed after the last whole chunk, not started over: one chunk record per 100 rows
    assert installation.query("SELECT COUNT(*) FROM core_auditlog WHERE action = "
                              "'receivables.history.post'") == [(ROWS // 100,)]
    runs = installation.query("SELECT status, rows, rows_posted, created FROM "
                              "imports_importrun")
    assert runs == [("done", ROWS, ROWS, ROWS)]
    installation.remit("ledger", "check")
    totals = installation.query(
        "SELECT currency, COUNT(*), SUM(amount), SUM(amount - settled_amount) FROM "
        "receivables_customertransaction WHERE kind IN ('invoice', 'credit_note') "
        "GROUP BY currency ORDER BY currency")
    assert [(c, n, Decimal(str(a)).quantize(Decimal("0.01")),
             Decimal(str(o)).quantize(Decimal("0.01"))) for c, n, a, o in totals] == [
        (c, int(sums.decimal(c, "documents")), sums.decimal(c, "amount"),
         sums.decimal(c, "open")) for c in sorted(sums.by_currency)]
    paid = installation.query("SELECT COUNT(*), COUNT(DISTINCT document_number) FROM "
                              "receivables_customertransaction WHERE kind = 'payment'")
    assert paid[0][0] == paid[0][1]

    again = installation.remit(*command)
    assert f"0 created, 0 updated, {ROWS} already there" in again.stdout
