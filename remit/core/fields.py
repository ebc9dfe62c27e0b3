"""Column types shared by every app: amounts, rates and currency codes.

Why here: one definition of an amount column (max digits, decimal places) keeps every table
able to hold every ISO 4217 currency exactly, and keeps floats out of the schema.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .money import is_currency


def validate_currency(value: str) -> None:
    if not is_currency(value):
        raise ValidationError(f"{value!r} is not an active ISO 4217 currency code", code="currency")


class CurrencyField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("validators", [validate_currency])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs


class AmountField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", settings.AMOUNT_MAX_DIGITS)
        kwargs.setdefault("decimal_places", settings.AMOUNT_DECIMAL_PLACES)
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)


class RateField(models.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 24)
        kwargs.setdefault("decimal_places", 12)
        super().__init__(*args, **kwargs)
