"""Collections use cases: default aging definitions for a new legal entity, and aging
snapshots computed set-based — one aggregate query over the open items, inserted straight into
the snapshot table (INSERT … SELECT), whatever the number of customers."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.db import SCALE
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.receivables.models import CollectionStatus, CustomerTransaction, TransactionKind
from remit.receivables.services.customers import customers_lock

from . import rules
from .models import (
    MAX_PERIODS,
    AgingCriteria,
    AgingPeriod,
    AgingPeriodDefinition,
    AgingSnapshot,
    AgingSnapshotLine,
    Indicator,
)

DEFAULT_DEFINITIONS = [
    ("30-60-90", "Due date: current, 1–30, 31–60, 61–90, over 90 days", AgingCriteria.DUE_DATE,
     True, [("Current", 0, "day", Indicator.GREEN), ("1–30", -30, "day", Indicator.GREEN),
            ("31–60", -30, "day", Indicator.YELLOW), ("61–90", -30, "day", Indicator.YELLOW),
            ("Over 90", -1, "unlimited", Indicator.RED)]),
    ("MONTHS", "Due date by calendar month: current, 1, 2, 3 months, older",
     AgingCriteria.DUE_DATE, False,
     [("Current", 0, "day", Indicator.GREEN), ("1 month", -1, "month", Indicator.GREEN),
      ("2 months", -1, "month", Indicator.YELLOW), ("3 months", -1, "month", Indicator.RED),
      ("Older", -1, "unlimited", Indicator.RED)]),
]


def collections_setup_default(*, legal_entity: LegalEntity) -> None:
    for code, name, criteria, default, periods in DEFAULT_DEFINITIONS:
        definition, made = AgingPeriodDefinition.objects.get_or_create(
            legal_entity=legal_entity, code=code,
            defaults={"name": name, "criteria": criteria, "is_default": default})
        if made:
            AgingPeriod.objects.bulk_create(
                AgingPeriod(definition=definition, position=i, label=label, unit=unit,
                            interval=interval, indicator=indicator)
                for i, (label, unit, interval, indicator) in enumerate(periods))


def definition_for(legal_entity: LegalEntity, code: str | None = None) -> AgingPeriodDefinition:
    """The one named, else the legal entity's default, else its first."""
    qs = AgingPeriodDefinition.objects.filter(legal_entity=legal_entity)
    found = (qs.filter(code=code).first() if code else
             qs.filter(is_default=True).first() or qs.order_by("code").first())
    if found is None:
        raise InvalidInput.field("definition", f"{legal_entity.code} has no aging period "
                                 f"definition{' ' + code if code else ''}")
    return found


def period_lines(definition: AgingPeriodDefinition) -> list[rules.PeriodLine]:
    return [rules.PeriodLine(p.label, p.unit, p.interval)
            for p in definition.periods.order_by("position")]


def _case(bound: rules.Bound, column: str, params: list) -> str:
    conditions = []
    if bound.start is not None:
        conditions.append(f"{column} >= %s")
        params.append(bound.start)
    if bound.end is not None:
        conditions.append(f"{column} <= %s")
        params.append(bound.end)
    return " AND ".join(conditions) or "1 = 1"


SNAPSHOT_COLUMNS = (["snapshot_id", "customer_id", "total_due", "overdue", "open_items",
                     "oldest_due", "disputed_count", "disputed_amount"]
                    + [f"bucket_{i}" for i in range(MAX_PERIODS)])


def snapshot_select(legal_entity: LegalEntity, definition: AgingPeriodDefinition, as_of: date,
                    snapshot_id: int, customer_ids=None, exact: bool = True) -> tuple[str, list]:
    """The snapshot's SELECT, in the column order of SNAPSHOT_COLUMNS: an inner pass reads each
    open item once and turns its open accounting amount into an exact value (integer units of
    0.0001 on SQLite, numeric on PostgreSQL); the outer pass sums those per customer and period.
    Written in SQL because it is the hot path — every open item of the legal entity in one
    statement. ``exact=False`` gives the same query with plain sums (the benchmark's baseline)."""
    periods = rules.bounds(period_lines(definition), as_of)
    scaled = exact and connection.vendor == "sqlite"
    value = (f"CAST(ROUND((t.amount_acc - t.settled_acc) * {SCALE}) AS INTEGER)" if scaled
             else "(t.amount_acc - t.settled_acc)")
    unscale = f" / {SCALE}.0" if scaled else ""
    date_column = {"due_date": "t.due_date", "document_date": "t.document_date",
                   "transaction_date": "e.entry_date"}[definition.criteria]
    join = ("JOIN ledger_journalentry e ON e.id = t.journal_entry_id"
            if definition.criteria == "transaction_date" else "")
    outer_params: list = []
    buckets = [f"SUM(CASE WHEN {_case(bound, 'q.aged_on', outer_params)} THEN q.v ELSE 0 END)"
               f"{unscale}" for bound in periods]
    buckets += ["0"] * (MAX_PERIODS - len(periods))
    inner_params: list = [legal_entity.pk]
    where = "t.legal_entity_id = %s AND t.is_open"
    if isinstance(customer_ids, QuerySet):  # a pool: its customers as a subquery
        sub_sql, sub_params = customer_ids.values("pk").query.sql_with_params()
        where += f" AND t.customer_id IN ({sub_sql})"
        inner_params += list(sub_params)
    elif customer_ids is not None:
        ids = [int(i) for i in customer_ids] or [0]
        where += f" AND t.customer_id IN ({', '.join(['%s'] * len(ids))})"
        inner_params += ids
    outputs = [
        "%s", "q.customer_id", f"SUM(q.v){unscale}",
        f"SUM(CASE WHEN q.debit = 1 AND q.due_date < %s THEN q.v ELSE 0 END){unscale}",
        "COUNT(*)", "MIN(CASE WHEN q.debit = 1 THEN q.due_date END)",
        "SUM(CASE WHEN q.status = %s THEN 1 ELSE 0 END)",
        f"SUM(CASE WHEN q.status = %s THEN q.v ELSE 0 END){unscale}", *buckets]
    named = ", ".join(f"{expr} AS {name}" for expr, name in zip(outputs, SNAPSHOT_COLUMNS))
    sql = (
        f"SELECT {named} "
        f"FROM (SELECT t.customer_id, t.due_date, {date_column} AS aged_on, "
        f"CASE WHEN t.amount > 0 THEN 1 ELSE 0 END AS debit, t.collection_status AS status, "
        f"{value} AS v FROM receivables_customertransaction t {join} WHERE {where}) q "
        f"GROUP BY q.customer_id")
    params = [snapshot_id, as_of, CollectionStatus.DISPUTED, CollectionStatus.DISPUTED,
              *outer_params, *inner_params]
    return sql, params


@transaction.atomic
def snapshot_create(*, legal_entity: LegalEntity, as_of: date,
                    definition: AgingPeriodDefinition | None = None, customer_ids=None,
                    pool=None, actor: Actor) -> AgingSnapshot:
    """Age customer balances as of a date: replaces the definition's current snapshot (of all
    customers, or of the pool's). Promises to pay whose date has passed become 'promise to pay
    broken'."""
    from .pools import pool_customers

    actor.require("collections.add_agingsnapshot")
    if pool is not None:
        if pool.legal_entity_id != legal_entity.pk:
            raise InvalidInput.field("pool", "belongs to another legal entity")
        definition = definition or pool.aging_definition
        customer_ids = pool_customers(pool, as_of)
    definition = definition or definition_for(legal_entity)
    if definition.legal_entity_id != legal_entity.pk:
        raise InvalidInput.field("definition", "belongs to another legal entity")
    started = time.perf_counter()
    CustomerTransaction.objects.filter(
        legal_entity=legal_entity, is_open=True, collection_status=CollectionStatus.PROMISED,
        promise_date__lt=as_of).update(collection_status=CollectionStatus.PROMISE_BROKEN)
    AgingSnapshot.objects.filter(definition=definition, pool=pool,
                                 is_current=True).update(is_current=False)
    periods = rules.bounds(period_lines(definition), as_of)
    snapshot = AgingSnapshot.objects.create(
        legal_entity=legal_entity, definition=definition, pool=pool, as_of=as_of,
        criteria=definition.criteria, labels=[p.label for p in periods], created_by=actor.user)
    select, params = snapshot_select(legal_entity, definition, as_of, snapshot.pk, customer_ids)
    table = AgingSnapshotLine._meta.db_table
    columns = ", ".join(SNAPSHOT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL plans INSERT … SELECT without parallel workers; CREATE TABLE AS gets
            # them, so the aggregate runs in parallel and the insert copies finished rows
            scratch = f"aging_lines_{snapshot.pk}"
            cursor.execute(f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS {select}", params)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {scratch}")
            inserted = cursor.rowcount
            cursor.execute(f"DROP TABLE {scratch}")
        else:
            cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
            inserted = cursor.rowcount
    _snapshot_extras(snapshot, legal_entity, as_of)
    snapshot.customers = inserted
    snapshot.seconds = Decimal(f"{time.perf_counter() - started:.3f}")
    snapshot.save(update_fields=["customers", "seconds"])
    audit_record(actor=actor, action="collections.snapshot.create", obj=snapshot,
                 legal_entity=legal_entity,
                 data={"definition": definition.code, "as_of": as_of, "customers": inserted})
    return snapshot


def _snapshot_extras(snapshot: AgingSnapshot, legal_entity: LegalEntity, as_of: date) -> None:
    """The last payment, the credit limit and the sales order amounts of each snapshot line:
    one grouped UPDATE over the payments, one join to the credit limits (when the legal entity
    has any), and the customers with open orders from one grouped query (converted to the
    accounting currency; a handful of customers, not every one)."""
    from remit.credit.exposure import orders_by_customer
    from remit.credit.models import CustomerCredit
    from remit.sales.models import UNDELIVERED, OrderStatus, SalesOrder

    table = AgingSnapshotLine._meta.db_table
    items = CustomerTransaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_payment = p.last FROM (SELECT customer_id, "
            f"MAX(document_date) AS last FROM {items} WHERE legal_entity_id = %s AND kind = %s "
            f"GROUP BY customer_id) p WHERE {table}.snapshot_id = %s "
            f"AND {table}.customer_id = p.customer_id",
            [legal_entity.pk, TransactionKind.PAYMENT, snapshot.pk])
        if CustomerCredit.objects.filter(legal_entity=legal_entity, unlimited=False).exists():
            cursor.execute(
                f"UPDATE {table} SET credit_limit = c.credit_limit FROM "
                f"{CustomerCredit._meta.db_table} c WHERE {table}.snapshot_id = %s "
                f"AND c.customer_id = {table}.customer_id AND NOT c.unlimited", [snapshot.pk])
    with_orders = set(SalesOrder.objects.filter(
        legal_entity=legal_entity, credit_rejected=False,
        status__in=(*UNDELIVERED, OrderStatus.DELIVERED)).values_list("customer_id", flat=True))
    if not with_orders:
        return
    lines = list(AgingSnapshotLine.objects.filter(snapshot=snapshot, customer_id__in=with_orders))
    amounts = orders_by_customer([line.customer_id for line in lines], None, as_of,
                                 {line.customer_id: legal_entity.accounting_currency
                                  for line in lines})
    for line in lines:
        line.open_orders = amounts[line.customer_id].open_orders
        line.packing_slips = amounts[line.customer_id].packing_slips
    AgingSnapshotLine.objects.bulk_update(lines, ["open_orders", "packing_slips"],
                                          batch_size=500)


def snapshot_current(legal_entity: LegalEntity, definition: AgingPeriodDefinition) -> AgingSnapshot:
    found = AgingSnapshot.objects.filter(legal_entity=legal_entity, definition=definition,
                                         is_current=True).first()
    if found is None:
        raise RuleViolation(f"no aging snapshot for {definition.code} yet; age the customer "
                            "balances first", code="no_snapshot")
    return found


def aging_for_customer(customer, definition: AgingPeriodDefinition, as_of: date) -> dict:
    """One customer's aging computed now (the Collections page header), with the same SQL as
    the snapshot so the two always agree."""
    select, params = snapshot_select(customer.legal_entity, definition, as_of, 0,
                                     customer_ids=[customer.pk])
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        row = cursor.fetchone()
    labels = [p.label for p in rules.bounds(period_lines(definition), as_of)]
    if row is None:
        return {"labels": labels, "buckets": [Decimal(0)] * len(labels), "total_due": Decimal(0),
                "overdue": Decimal(0), "open_items": 0, "disputed_count": 0,
                "disputed_amount": Decimal(0)}
    values = dict(zip(SNAPSHOT_COLUMNS, row))

    def amount(value):
        return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else Decimal(0)

    return {"labels": labels,
            "buckets": [amount(values[f"bucket_{i}"]) for i in range(len(labels))],
            "total_due": amount(values["total_due"]), "overdue": amount(values["overdue"]),
            "open_items": values["open_items"], "disputed_count": values["disputed_count"],
            "disputed_amount": amount(values["disputed_amount"])}


@transaction.atomic
def collection_status_set(*, items, status: str, actor: Actor, promise_date: date | None = None,
                          note: str = "") -> int:
    """Mark open items disputed, promised to pay (with the date), resolved or not disputed."""
    actor.require("collections.change_collection_status")
    if status not in CollectionStatus.values or status == CollectionStatus.PROMISE_BROKEN:
        raise InvalidInput.field("status", "choose not disputed, disputed, promised to pay or "
                                 "resolved (a broken promise is found by the aging snapshot)")
    if status == CollectionStatus.PROMISED and promise_date is None:
        raise InvalidInput.field("promise_date", "when did the customer promise to pay?")
    customers_lock({i.customer_id for i in items})  # the receivables lock order
    rows = list(CustomerTransaction.objects.select_for_update().filter(
        pk__in=[i.pk for i in items]).order_by("pk"))
    if not rows:
        raise InvalidInput.field("items", "choose at least one open item")
    for row in rows:
        if not row.is_open:
            raise RuleViolation(f"{row.document_number} is settled", code="not_open")
        before = row.collection_status
        row.collection_status = status
        row.promise_date = promise_date if status == CollectionStatus.PROMISED else None
        row.save(update_fields=["collection_status", "promise_date"])
        audit_record(actor=actor, action="collections.status.set", obj=row,
                     data={"from": before, "to": status, "promise_date": promise_date,
                           "note": note})
    return len(rows)
