"""Form fields shared by every app."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone

from .exceptions import InvalidInput
from .money import parse_typed_amount


class AmountField(forms.DecimalField):
    """A decimal amount as people type it ('1 234,50', '1,234.50', '1234.50'; see
    ``parse_typed_amount``). Never a float."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_typed_amount(value)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None
        return Decimal(number)


def posted_date(request, field: str, data=None) -> date:
    """A date from a posted form (or ``data``, such as ``request.GET``; today when blank),
    refused when not a date or surely a typo (years away)."""
    from remit.api_auth import plausible_date

    text = (request.POST if data is None else data).get(field, "").strip()
    try:
        on = date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        raise InvalidInput.field(field, "give the date as YYYY-MM-DD") from None
    plausible_date(field, on)
    return on


def whole_number(text: str) -> int | None:
    """A record id or version typed or posted as plain ASCII digits, else None. ``str.isdigit``
    alone also accepts digits like "²" that ``int`` then refuses (a 500)."""
    return int(text) if text.isascii() and text.isdigit() else None
