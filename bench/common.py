"""Setting up a throwaway database for a benchmark, and printing its result."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                   help="SQLite file in a temp dir, or a fresh PostgreSQL database on "
                        "127.0.0.1:5432 (default sqlite)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--keep", action="store_true",
                   help="keep the PostgreSQL database afterwards (its name is printed on "
                        "stderr) to measure again with --reuse")
    p.add_argument("--reuse", metavar="NAME",
                   help="measure on a PostgreSQL database kept by an earlier --keep run "
                        "(no data generated)")
    return p


@contextmanager
def database(kind: str, keep: bool = False, reuse: str | None = None):
    """A fresh, migrated database (or, with ``reuse``, a kept one); Django is set up against
    it. Removed afterwards unless kept.

    ``REMIT_BENCH_TEMPLATE`` names an already migrated schema of this code to copy instead of
    migrating (20 s): a SQLite file, or a PostgreSQL database to use as ``TEMPLATE``. The test
    suite passes its own (tests/dbtemplate.py); what is measured starts after it either way."""
    tmp = tempfile.mkdtemp(prefix="remit-bench-")
    os.environ["REMIT_DATA_DIR"] = tmp
    name = None
    template = os.environ.get("REMIT_BENCH_TEMPLATE")
    if (keep or reuse) and kind != "postgres":
        sys.exit("--keep and --reuse are for --database postgres")
    if kind == "postgres":
        import psycopg

        name = reuse or f"remit_bench_{uuid.uuid4().hex[:8]}"
        if not reuse:
            copied = f' TEMPLATE "{template}"' if template else ""
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"{copied}')
        if keep or reuse:
            print(f"benchmark database: {name}", file=sys.stderr)
        os.environ["REMIT_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        path = Path(tmp) / "bench.sqlite3"
        if template:
            shutil.copyfile(template, path)
        os.environ["REMIT_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "remit.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if not (template or reuse):
        call_command("migrate", verbosity=0, interactive=False)
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)  # the SQLite file (gigabytes at scale)
        if name and not (keep or reuse):
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def report(title: str, scale: dict, rows: list[tuple[str, float, str]], remit_s: float,
           baseline_s: float, as_json: bool, extra: dict | None = None) -> None:
    """Print the result; with ``REMIT_BENCH_RESULTS`` set, also keep it as a JSON file in
    that folder (CI sets it, and prints what the run's benchmarks measured at its end)."""
    result = {"benchmark": title, "scale": scale, "remit_s": round(remit_s, 4),
              "baseline_s": round(baseline_s, 4),
              "ratio": round(remit_s / baseline_s, 2) if baseline_s else None}
    result.update(extra or {})
    folder = os.environ.get("REMIT_BENCH_RESULTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        database = scale.get("database", "sqlite")
        (Path(folder) / f"{title.replace(' ', '-')}-{database}.json").write_text(
            json.dumps({**result, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
                       indent=1) + "\n")
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{title} — " + ", ".join(f"{k}={v}" for k, v in scale.items()))
    table.add_column("what")
    table.add_column("seconds", justify="right")
    table.add_column("notes")
    for what, seconds, note in rows:
        table.add_row(what, f"{seconds:.3f}", note)
    Console().print(table)
    Console().print(f"ratio remit / baseline: {result['ratio']}")
