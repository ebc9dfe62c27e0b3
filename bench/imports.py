"""Import throughput: a Nordic ERP's invoice history (part payments, credit notes and their
refunds, penny differences, a foreign currency, customers created from the file) through the
whole import pipeline — detect the formats, check every row, post in batches — beside a
baseline of the same database rows inserted with bare SQL (executemany into plain copies of
the tables: no ORM, no checks, no numbering, no indexes or triggers). Prints the peak memory
of the process: the file is streamed, never held.

    python -m bench.imports --rows 100000 [--database postgres] [--json]
"""

from __future__ import annotations

import resource
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench.common import Timer, database, parser, report

TABLES = ["ledger_journalentry", "ledger_journalline", "receivables_customer",
          "receivables_customertransaction", "receivables_settlement",
          "receivables_settlementline", "core_auditlog"]
AS_OF = date(2026, 11, 30)


def main(argv=None) -> None:
    p = parser(__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--rows", type=int, default=20000, help="invoice rows in the file")
    p.add_argument("--customers", type=int, default=0,
                   help="customers in the file (default: one per 20 rows)")
    args = p.parse_args(argv)
    if args.keep or args.reuse:
        p.error("--keep and --reuse are for benchmarks that only read (bench.aging)")
    with database(args.database):
        run(args.rows, args.customers or max(10, args.rows // 20), args.database, args.json)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def run(rows: int, customers: int, kind: str, as_json: bool) -> None:
    import os

    from django.db import connection

    from remit.core.actor import Actor
    from remit.core.services import exchange_rate_set, legal_entity_create
    from remit.demo.exports import write_nordic
    from remit.imports.pipeline import Options, import_file
    from remit.ledger.services import ledger_check_run
    from remit.receivables.services import parameters_for

    actor = Actor.system("bench")
    entity = legal_entity_create(code="BENCH", name="Bench AS", accounting_currency="NOK",
                                 country="NO", actor=actor)
    exchange_rate_set(from_currency="EUR", to_currency="NOK", valid_from=date(2015, 1, 1),
                      rate="11.20", actor=actor)
    params = parameters_for(entity)
    params.max_penny_difference = Decimal("1.00")
    params.save()
    path = Path(os.environ["REMIT_DATA_DIR"]) / "history.csv"
    with Timer() as writing:
        sums = write_nordic(path, rows=rows, customers=customers, as_of=AS_OF)
    before_mb = _peak_mb()
    with connection.cursor() as cursor:
        before = _max_ids(cursor)
    with Timer() as importing:
        result = import_file(legal_entity=entity, kind="invoices", path=path,
                             options=Options(flags={"create_customers": True}), actor=actor)
    peak_mb = _peak_mb()
    assert result.status == "done", result.message
    written, baseline_s = _bare_insert(before)
    check = ledger_check_run(actor=actor)
    size_mb = path.stat().st_size / 1e6
    report("imports", {"rows": rows, "customers": customers, "database": kind},
           [("remit: import invoice history (detect, check, post)", importing.seconds,
             f"{rows / importing.seconds:.0f} rows/s; {result.created} created"),
            ("baseline: the same rows, bare INSERTs", baseline_s,
             f"{written} database rows in {len(TABLES)} tables, executemany"),
            ("writing the file (not counted)", writing.seconds, f"{size_mb:.1f} MB"),
            ("peak memory of the process", 0.0,
             f"{peak_mb:.0f} MB (before importing: {before_mb:.0f} MB)"),
            ("ledger check afterwards", 0.0, "ok" if check.ok else "VIOLATIONS")],
           importing.seconds, baseline_s, as_json,
           extra={"rows_per_s": round(rows / importing.seconds, 1),
                  "database_rows": written, "peak_rss_mb": round(peak_mb, 1),
                  "rss_before_import_mb": round(before_mb, 1), "file_mb": round(size_mb, 1),
                  "documents": int(sum(v["documents"] for v in sums.by_currency.values())),
                  "ledger_check_ok": check.ok})


def _max_ids(cursor) -> dict[str, int]:
    out = {}
    for table in TABLES:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        out[table] = cursor.fetchone()[0]
    return out


def _bare_insert(before: dict[str, int], chunk: int = 20000) -> tuple[int, float]:
    """Copy what the import wrote into plain copies of its tables with executemany, a chunk
    at a time (only the inserts are timed), and drop the copies."""
    from django.db import connection, transaction

    written, seconds = 0, 0.0
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} AS SELECT * FROM {table} WHERE 1 = 0")
    for table in TABLES:
        last = before[table]
        while True:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id LIMIT %s",
                               [last, chunk])
                columns = [c[0] for c in cursor.description]
                data = cursor.fetchall()
            if not data:
                break
            last = data[-1][columns.index("id")]
            marks = ", ".join(["%s"] * len(columns))
            with Timer() as timer, transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO bench_{table} ({', '.join(columns)}) "
                                   f"VALUES ({marks})", data)
            seconds += timer.seconds
            written += len(data)
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE bench_{table}")
    return written, seconds


if __name__ == "__main__":
    main()
