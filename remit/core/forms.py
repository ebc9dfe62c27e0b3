"""Form fields shared by every app."""

from decimal import Decimal

from django import forms

from .exceptions import InvalidInput
from .money import D


class AmountField(forms.DecimalField):
    """A decimal amount as people type it: '1 234,50' or '1234.50'. Never a float."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = D(text)
        except InvalidInput:
            raise forms.ValidationError("Enter an amount, e.g. 1234.50", code="invalid") from None
        return Decimal(number)
