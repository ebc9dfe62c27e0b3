"""Database helpers that keep amounts exact on both backends.

Why ``ExactSum``: SQLite stores DECIMAL columns as binary floating point, and Django reads any
computed decimal on SQLite through a 15-significant-digit float conversion. Summing a million
amounts that way can move a cent. ``ExactSum`` sums on SQLite in integer units of 0.0001
(every amount column has four decimals, so each value round-trips exactly) and reads the
integer back into a Decimal; on PostgreSQL it is a plain ``SUM`` over ``numeric``.
"""

from __future__ import annotations

import zlib
from decimal import Decimal

from django.conf import settings
from django.db import connection, models
from django.db.models import Case, When

PLACES = settings.AMOUNT_DECIMAL_PLACES
SCALE = 10**PLACES
EXPONENT = Decimal(1).scaleb(-PLACES)


class ExactDecimalField(models.DecimalField):
    """Output type of ExactSum; its own internal type keeps SQLite's float converter away."""

    def get_internal_type(self) -> str:
        return "ExactDecimalField"

    def get_db_prep_value(self, value, connection, prepared=False):
        # a value compared with an ExactSum (in HAVING) must be in the same units
        value = super().get_db_prep_value(value, connection, prepared)
        if value is not None and connection.vendor == "sqlite":
            return int((Decimal(value) * SCALE).to_integral_value())
        return value

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if connection.vendor == "sqlite":
            return Decimal(int(value)).scaleb(-PLACES)
        return Decimal(value).quantize(EXPONENT)  # the same scale on both databases


class ExactSum(models.Aggregate):
    """SUM of an amount expression, exact on SQLite and PostgreSQL. ``zero=True`` gives 0 for
    no rows instead of None."""

    function = "SUM"
    name = "ExactSum"

    def __init__(self, expression, *, filter=None, zero: bool = False, **extra):
        if filter is not None:
            expression = Case(When(filter, then=expression), default=None)
        self.zero = zero
        extra.setdefault("output_field", ExactDecimalField(max_digits=32, decimal_places=PLACES))
        super().__init__(expression, **extra)

    def _combine(self, other, connector, reversed):
        raise TypeError("ExactSum cannot take part in arithmetic in SQL (on SQLite it counts in "
                        "units of 0.0001); combine the results in Python")

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        sql = f"SUM({sql})"
        return (f"COALESCE({sql}, 0)" if self.zero else sql), params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        sql = f"SUM(CAST(ROUND(({sql}) * {SCALE}) AS INTEGER))"
        return (f"COALESCE({sql}, 0)" if self.zero else sql), params


def transaction_lock(name: str, key: int) -> None:
    """Serialize one kind of work (``name``) per key, e.g. per legal entity, until the current
    transaction ends, without locking any row other use cases need. On PostgreSQL a
    transaction-scoped advisory lock; SQLite runs every write transaction alone already
    (``BEGIN IMMEDIATE``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("transaction_lock outside a transaction would be released at once")
    if connection.vendor == "postgresql":
        space = zlib.crc32(name.encode()) - 2**31  # the first of two 32-bit keys
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space, key])
