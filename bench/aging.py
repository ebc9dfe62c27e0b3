"""Aging snapshot: remit's set-based snapshot (one grouped query inserted into the snapshot
table) beside a bare SQL GROUP BY computing the same period buckets and totals over the same
open items (plain sums, rows fetched, nothing stored).

    python -m bench.aging --items 1000000 --customers 100000 [--database postgres] [--json]
"""

from __future__ import annotations

from datetime import date

from bench.common import Timer, database, parser, report


def main(argv=None) -> None:
    p = parser(__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--items", type=int, default=100_000, help="open items")
    p.add_argument("--customers", type=int, default=10_000, help="customers")
    p.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    args = p.parse_args(argv)
    with database(args.database, keep=args.keep, reuse=args.reuse):
        run(args.items, args.customers, args.database, args.repeat, args.json,
            reuse=bool(args.reuse))


def run(items: int, customers: int, kind: str, repeat: int, as_json: bool,
        reuse: bool = False) -> None:
    from django.db import connection

    from remit.collections.services import definition_for, snapshot_create
    from remit.core.actor import Actor
    from remit.core.services import legal_entity_create
    from remit.demo.scale import demo_scale

    from remit.core.models import LegalEntity
    from remit.receivables.models import Customer, CustomerTransaction

    actor = Actor.system("bench")
    as_of = date(2026, 11, 23)
    if reuse:  # measure again on the data an earlier run kept
        entity = LegalEntity.objects.get(code="BENCH")
        items = CustomerTransaction.objects.filter(legal_entity=entity, is_open=True).count()
        customers = Customer.objects.filter(legal_entity=entity).count()
        generating = Timer()
        generating.seconds = 0.0
    else:
        entity = legal_entity_create(code="BENCH", name="Bench AS", accounting_currency="NOK",
                                     country="NO", actor=actor)
        with Timer() as generating:
            demo_scale(legal_entity=entity, customers=customers, open_items=items, as_of=as_of)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE receivables_customertransaction") if \
                connection.connection.autocommit else None
    definition = definition_for(entity)

    remit_runs, bare_runs = [], []
    for _ in range(repeat):
        with Timer() as t:
            snapshot = snapshot_create(legal_entity=entity, as_of=as_of, definition=definition,
                                       actor=actor)
        remit_runs.append(t.seconds)
        with Timer() as t:
            rows = _bare(entity, definition, as_of)
        bare_runs.append(t.seconds)
    remit_s, baseline_s = min(remit_runs), min(bare_runs)
    assert snapshot.customers == len(rows)
    report("aging snapshot", {"open_items": items, "customers": customers, "database": kind},
           [("generating the data (bulk posting, not timed below)", generating.seconds,
             f"{items} open items, {customers} customers"),
            ("remit: snapshot_create (grouped query, stored; parallel on PostgreSQL)", remit_s,
             f"best of {repeat}; {snapshot.customers} customer lines stored"),
            ("baseline: the same GROUP BY, plain sums, fetched not stored", baseline_s,
             f"best of {repeat}; float sums on SQLite")],
           remit_s, baseline_s, as_json)


def _bare(entity, definition, as_of: date):
    """The same SELECT without remit's exact arithmetic and without storing anything."""
    from django.db import connection

    from remit.collections.services import snapshot_select

    sql, params = snapshot_select(entity, definition, as_of, 0, exact=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


if __name__ == "__main__":
    main()
