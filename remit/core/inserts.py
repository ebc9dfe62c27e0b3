"""Inserting a use case's model objects with one INSERT per model, compiled once.

Why: a payment posted and settled writes ten rows; ``save()``/``bulk_create`` compile every
INSERT again and pass every value through ``get_db_prep_save``, which was a quarter of a
payment's time in ``bench.posting`` (the database's own work was a twentieth). Here the SQL is
built once per model, column set and row count, and a value whose type is already what the
column stores (a ``str`` for text, an ``int`` for a key, a ``Decimal``...) is passed as it is;
any other value — dates, JSON, enum members, a number given as text — goes through the
field's own ``get_db_prep_save``, so what reaches the database is what the ORM would send.

What it does not do: call a model's own ``save()`` or send ``pre_save``/``post_save`` (no
receiver in remit listens to them). It is for objects built by a service, not yet saved, with
an automatic primary key, with no column the database fills (``db_default``, generated) and no
parent model; a model whose ``save()`` adds something is inserted by its caller only if the
caller does that something (``JournalEntry``: see ``ledger.services``). SQLite older than
3.35 (no ``RETURNING``) gets ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import connection, models, transaction

# the value types each kind of column takes unchanged (what get_db_prep_save returns as is)
_AS_IS: list[tuple[type[models.Field], frozenset[type]]] = [
    (models.BooleanField, frozenset({bool, type(None)})),
    (models.DecimalField, frozenset({Decimal, type(None)})),
    (models.IntegerField, frozenset({int, type(None)})),  # also Auto/BigAuto/PositiveInteger
    (models.CharField, frozenset({str, type(None)})),
    (models.TextField, frozenset({str, type(None)})),
]
# statements with up to this many rows are kept; more rows are built each time (batch paths)
_KEEP_ROWS = 16


class _Plan:
    def __init__(self, model: type[models.Model]):
        meta = model._meta
        if (meta.parents or not isinstance(meta.pk, models.AutoField)
                or any(f.generated or f.db_default is not models.NOT_PROVIDED
                       for f in meta.concrete_fields)):
            raise TypeError(f"insert() writes models with an automatic key and every column "
                            f"set by Python; use save() for {model.__name__}")
        self.model = model
        self.fields = [f for f in meta.concrete_fields if f is not meta.pk]
        self.columns: list[tuple[str, models.Field | None, frozenset | None, models.Field]] = []
        for field in self.fields:
            presave = field if type(field).pre_save is not models.Field.pre_save else None
            self.columns.append((field.attname, presave, _as_is(field), field))
        self.relations = [f for f in self.fields if f.is_relation]
        quote = connection.ops.quote_name
        self.head = (f"INSERT INTO {quote(meta.db_table)} "
                     f"({', '.join(quote(f.column) for f in self.fields)}) VALUES ")
        self.row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.tail = f" RETURNING {quote(meta.pk.column)}"
        self.max_rows = max(1, 30000 // max(1, len(self.fields)))  # under both drivers' limits
        self._sql: dict[int, str] = {}

    def sql(self, rows: int) -> str:
        found = self._sql.get(rows)
        if found is None:
            found = self.head + ", ".join([self.row] * rows) + self.tail
            if rows <= _KEEP_ROWS:
                self._sql[rows] = found
        return found


def _as_is(field: models.Field) -> frozenset | None:
    if isinstance(field, models.ForeignKey):
        return _as_is(field.target_field)
    if isinstance(field, models.JSONField):
        return None
    for kind, types in _AS_IS:
        if isinstance(field, kind):
            return types
    return None


_plans: dict[tuple[type[models.Model], str], _Plan] = {}


def _plan_for(model: type[models.Model]) -> _Plan:
    key = (model, connection.vendor)
    plan = _plans.get(key)
    if plan is None:
        plan = _plans[key] = _Plan(model)
    return plan


def insert(objs: Sequence[models.Model]) -> Sequence[models.Model]:
    """Insert unsaved objects of one model; each gets its id, as after ``save()``."""
    if not objs:
        return objs
    model = type(objs[0])
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35
        return model._default_manager.bulk_create(objs)
    plan = _plan_for(model)
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(f"insert() takes objects of one model, not {model.__name__} and "
                            f"{type(obj).__name__}")
        if obj.pk is not None or not obj._state.adding:
            raise ValueError(f"{obj!r} is saved already")
        if plan.relations:
            # a related object saved after it was assigned gives its id now (as save() does)
            obj._prepare_related_fields_for_save(operation_name="insert")
    for start in range(0, len(objs), plan.max_rows):
        _write(plan, objs[start:start + plan.max_rows])
    return objs


def _write(plan: _Plan, objs: Sequence[models.Model]) -> None:
    values: list = []
    add = values.append
    for obj in objs:
        for attname, presave, as_is, field in plan.columns:
            value = presave.pre_save(obj, True) if presave is not None else getattr(obj, attname)
            if as_is is None or type(value) not in as_is:
                if hasattr(value, "resolve_expression"):
                    raise TypeError(f"{field.name}: insert() takes values, not expressions")
                value = field.get_db_prep_save(value, connection)
            add(value)
    # as save() does: a failed statement inside atomic() marks the transaction for rollback
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(plan.sql(len(objs)), values)
        ids = cursor.fetchall()
    if len(ids) != len(objs):
        raise RuntimeError(f"{plan.model.__name__}: {len(objs)} rows inserted, "
                           f"{len(ids)} ids returned")
    alias = connection.alias
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias

