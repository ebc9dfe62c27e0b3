"""What a decimal column gives back once a value is written to it.

A journal entry's checksum is taken over its lines as built, without reading them back; it is
verified later over the lines as stored. The two agree only if the built values are what the
database keeps: PostgreSQL's numeric rounds to the column's scale, half away from zero; SQLite
keeps a REAL of 15 significant digits, which Django's converter rounds back to the column's
scale. That conversion goes through a binary float on purpose — it is SQLite's own storage,
emulated — which is why this module, and only this one, is allowed a float() in
tests/unit/test_no_float.py. Amounts never need it (they fit 15 digits by AMOUNT_LIMIT);
exchange rates with more digits do.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from django.db import connection, models


def decimal_as_stored(field: models.DecimalField, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    value = field.to_python(value)
    exponent = Decimal(1).scaleb(-field.decimal_places)
    if connection.vendor == "sqlite":
        return Context(prec=15).create_decimal_from_float(float(str(value))).quantize(
            exponent, context=field.context)
    return value.quantize(exponent, rounding=ROUND_HALF_UP)
