"""The background worker keeps going (issue 18): a 50 MB upload held SQLite's write lock for
minutes, the worker `remit serve` ran crashed on "database is locked" and was never started
again, and scheduled jobs — the nightly ledger check among them — silently stopped. Now the
worker waits a locked database out with backoff, `remit serve` starts a worker that exited
again, and the home page, /jobs/ and `remit jobs status` say when no worker runs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from remit.core.management.commands.serve import WorkerKeeper
from remit.jobs.models import WorkerBeat


def test_the_keeper_starts_a_worker_that_exits_again_and_stops_cleanly():
    keeper = WorkerKeeper([sys.executable, "-c", "import sys; sys.exit(3)"], max_wait=0.2)
    keeper.start()
    deadline = time.monotonic() + 20
    while keeper.restarts < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    keeper.stop()
    assert keeper.restarts >= 3
    steady = WorkerKeeper([sys.executable, "-c", "import time; time.sleep(60)"])
    steady.start()
    time.sleep(0.5)
    steady.stop()
    assert steady.child.poll() is not None and steady.restarts == 0


def test_a_forked_web_worker_exiting_leaves_the_background_worker_alone():
    """gunicorn forks its web workers after the keeper starts, and they inherit its atexit
    hook: each one that exited (a reload, a timeout) killed the background worker."""
    keeper = WorkerKeeper([sys.executable, "-c", "import time; time.sleep(60)"])
    keeper.start()
    try:
        pid = os.fork()
        if pid == 0:  # what a web worker's atexit does
            keeper.stop()
            os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.5)
        assert keeper.child.poll() is None and keeper.restarts == 0
    finally:
        keeper.stop()
    assert keeper.child.poll() is not None


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the probe's lock is SQLite's")
def test_a_worker_waits_out_a_locked_database_and_goes_on(tmp_path, schema_template):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "COLUMNS", "REMIT_DATABASE_URL")}
    env |= {"REMIT_DATA_DIR": str(tmp_path / "var"), "REMIT_SQLITE_BUSY_SECONDS": "1"}
    remit = [sys.executable, "-m", "remit.cli"]
    database = tmp_path / "var" / "remit.sqlite3"
    schema_template.copy_to_file(database)  # a migrated database of its own
    lock = sqlite3.connect(database, isolation_level=None)
    worker = subprocess.Popen([*remit, "worker", "--interval", "0.2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _until(lambda: _beats(database), "the worker to say it is alive")
        lock.execute("BEGIN EXCLUSIVE")  # what a long import did to every other writer
        time.sleep(4)
        assert worker.poll() is None, worker.stderr.read()
        lock.execute("COMMIT")
        _until(lambda: any(error for _, error in _beats(database)),
               "the worker to record what it waited out")
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=30)
        lock.close()
    assert worker.returncode == 0, stderr
    assert "the database could not be used (database is locked)" in stderr
    assert _beats(database) == []  # a worker that stops says so


def _beats(database):
    with sqlite3.connect(database, timeout=10) as c:
        return c.execute("SELECT seen_at, last_error FROM jobs_workerbeat").fetchall()


def _until(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}")


@pytest.mark.django_db
def test_the_pages_and_the_command_say_when_no_worker_runs(make_user, entity):
    from django.test import Client

    admin = make_user("Administrator", [entity], username="boss")
    client = Client()
    client.force_login(admin)
    assert "No background worker is running" in client.get("/").content.decode()
    with pytest.raises(CommandError, match="never seen"):
        call_command("jobs", "status")
    now = timezone.now()
    beat = WorkerBeat.objects.create(worker_id="w1", host="app1", pid=42,
                                     started_at=now - timedelta(hours=1), seen_at=now)
    assert "No background worker is running" not in client.get("/").content.decode()
    assert "Background worker running: app1 (pid 42" in client.get("/jobs/").content.decode()
    out = StringIO()
    call_command("jobs", "status", stdout=out)
    beat.seen_at = now - timedelta(minutes=10)
    beat.save()
    page = client.get("/jobs/").content.decode()
    assert "No background worker is running (last seen" in page
    with pytest.raises(CommandError, match="last seen"):
        call_command("jobs", "status")
