"""Posting throughput: N invoices and N payments settled against them, through remit's
services, beside a baseline of the same rows inserted with bare SQL (executemany into plain
copies of the tables: no ORM, no checks, no numbering, no indexes or triggers).

    python -m bench.posting --n 1000 [--database postgres] [--json]
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bench.common import Timer, database, parser, report

TABLES = ["ledger_journalentry", "ledger_journalline", "receivables_invoice",
          "receivables_invoiceline", "receivables_customertransaction",
          "receivables_paymentjournal", "receivables_paymentline", "receivables_paymentmark",
          "receivables_settlement", "receivables_settlementline", "core_auditlog"]


def main(argv=None) -> None:
    p = parser(__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--n", type=int, default=500, help="invoices (and as many payments)")
    args = p.parse_args(argv)
    if args.keep or args.reuse:
        p.error("--keep and --reuse are for benchmarks that only read (bench.aging)")
    with database(args.database):
        run(args.n, args.database, args.json)


def _setup():
    from remit.core.actor import Actor
    from remit.core.services import legal_entity_create
    from remit.receivables.models import CashDiscountTerms, CustomerGroup
    from remit.receivables.services import customer_create

    actor = Actor.system("bench")
    entity = legal_entity_create(code="BENCH", name="Bench AS", accounting_currency="NOK",
                                 country="NO", actor=actor)
    group = CustomerGroup.objects.create(legal_entity=entity, code="DOM", name="Domestic")
    discount = CashDiscountTerms.objects.get(legal_entity=entity, code="2/10")
    customers = [customer_create(legal_entity=entity, account_number=str(1000 + i),
                                 name=f"Customer {i}", group=group, actor=actor,
                                 cash_discount_terms=discount if i % 2 else None)
                 for i in range(20)]
    return actor, entity, customers


def _max_ids(cursor) -> dict[str, int]:
    out = {}
    for table in TABLES:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        out[table] = cursor.fetchone()[0]
    return out


def run(n: int, kind: str, as_json: bool) -> None:
    from django.db import connection

    from remit.core.money import Money
    from remit.ledger.services import ledger_check_run
    from remit.receivables.models import CustomerTransaction
    from remit.receivables.services import LineSpec, MarkSpec, invoice_issue, payment_register

    actor, entity, customers = _setup()
    start = date(2026, 1, 5)
    with connection.cursor() as cursor:
        before = _max_ids(cursor)
    with Timer() as invoicing:
        invoices = [invoice_issue(customer=customers[i % len(customers)],
                                  invoice_date=start + timedelta(days=i % 60), actor=actor,
                                  lines=[LineSpec("Goods", Decimal(1000 + i % 500)),
                                         LineSpec("Freight", Decimal(95))])
                    for i in range(n)]
    # their open items, read once outside the timing (posting is measured, not reading back)
    items = list(CustomerTransaction.objects.filter(invoice__in=invoices).order_by("invoice_id"))
    customer_of = {c.pk: c for c in customers}
    with Timer() as paying:
        for i, item in enumerate(items):
            on = item.document_date + timedelta(days=5 if i % 2 else 25)
            payment_register(customer=customer_of[item.customer_id], payment_date=on, actor=actor,
                             amount=Money(item.amount * Decimal("0.98") if i % 2
                                          else item.amount, "NOK").rounded_money(),
                             marks=[MarkSpec(item)])
    remit_s = invoicing.seconds + paying.seconds
    rows = _written(before)
    baseline_s = _bare_insert(rows)
    bulk_s = _bulk(entity, customers, n, actor)
    check = ledger_check_run(actor=actor)
    written = sum(len(r[1]) for r in rows.values())
    report("posting", {"invoices": n, "payments": n, "database": kind},
           [("remit: invoices through the services", invoicing.seconds,
             f"{n / invoicing.seconds:.0f} invoices/s"),
            ("remit: payments settled through the services", paying.seconds,
             f"{n / paying.seconds:.0f} payments/s (half with cash discount)"),
            ("baseline: the same rows, bare INSERTs", baseline_s,
             f"{written} rows in {len(rows)} tables, executemany"),
            ("remit bulk path: the same number of open invoices", bulk_s,
             f"{n / bulk_s:.0f} items/s (ledger.bulk; no settlement)"),
            ("ledger check afterwards", 0.0, "ok" if check.ok else "VIOLATIONS")],
           remit_s, baseline_s, as_json,
           extra={"rows_written": written, "ledger_check_ok": check.ok,
                  "bulk_open_items_s": round(bulk_s, 4),
                  "invoices_per_s": round(n / invoicing.seconds, 1),
                  "payments_per_s": round(n / paying.seconds, 1)})


def _bulk(entity, customers, n, actor) -> float:
    from remit.core.money import Money
    from remit.ledger.models import AccountRole, JournalType
    from remit.ledger.selectors import account_for_role, journal_for_type
    from remit.receivables.bulk import OpenItemSpec, open_items_post_bulk

    specs = [OpenItemSpec(customers[i % len(customers)], "invoice", f"BULK-{i}",
                          date(2026, 3, 1), date(2026, 3, 31), Money.of(f"{1000 + i}.50", "NOK"))
             for i in range(n)]
    with Timer() as timer:
        open_items_post_bulk(legal_entity=entity, items=specs, actor=actor, source="bench",
                             counter_account=account_for_role(entity, AccountRole.OPENING_BALANCE),
                             journal=journal_for_type(entity, JournalType.OPENING))
    return timer.seconds


def _written(before: dict[str, int]) -> dict[str, tuple[list[str], list[tuple]]]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [before[table]])
            columns = [c[0] for c in cursor.description]
            out[table] = (columns, cursor.fetchall())
    return out


def _bare_insert(rows) -> float:
    """Copies of the tables without constraints or indexes, then executemany of every row."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        for table in rows:
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} AS SELECT * FROM {table} WHERE 1 = 0")
    with Timer() as timer, transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, data) in rows.items():
            if not data:
                continue
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO bench_{table} ({', '.join(columns)}) "
                               f"VALUES ({marks})", data)
    with connection.cursor() as cursor:
        for table in rows:
            cursor.execute(f"DROP TABLE bench_{table}")
    return timer.seconds


if __name__ == "__main__":
    main()
