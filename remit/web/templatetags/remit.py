"""Template filters for amounts: always at the currency's own decimals, never via float."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from remit.core.money import RoundingPoint, currency_decimals, is_currency, quantize

register = template.Library()


def _format(value: Decimal, currency: str) -> str:
    places = currency_decimals(currency) if is_currency(currency) else 2
    q = quantize(Decimal(value), currency, RoundingPoint.DOCUMENT) if is_currency(currency) \
        else Decimal(value).quantize(Decimal(1).scaleb(-places))
    return f"{q:,.{places}f}".replace("-", "−")


@register.filter
def amount(value, currency="NOK"):
    """1,234.50 — for table cells; empty for zero when used with blank_zero."""
    if value is None or value == "":
        return ""
    return _format(value, currency)


@register.filter
def amount_or_blank(value, currency="NOK"):
    if value is None or value == "" or Decimal(value) == 0:
        return ""
    return _format(value, currency)


@register.filter
def rate(value):
    """An exchange rate as stored, without trailing zeros: 11.5, 0.000610351563."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text


@register.filter
def signed_class(value):
    try:
        return "neg" if Decimal(value) < 0 else ""
    except Exception:  # noqa: BLE001 - a template filter must never break a page
        return ""


@register.simple_tag
def money(value, currency):
    return format_html('<span class="money">{} <small>{}</small></span>',
                       _format(value, currency), currency)


@register.filter
def pairs(mapping):
    """(key, value) pairs of a dict, even when it has a key called 'items'."""
    return list(mapping.items()) if isinstance(mapping, dict) else []


@register.filter
def count(value):
    """12,345 — a whole number of things (rows, documents), grouped like amounts."""
    if value is None or value == "":
        return ""
    return f"{int(Decimal(value)):,}"


@register.filter
def quantity(value):
    """7.5 and 2, not 7.5000 and 2.0000."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text


# --- payment predictions -------------------------------------------------------------------

@register.filter
def pct(value) -> str:
    """A probability as a whole percentage: 0.4213 → '42 %'."""
    if value in (None, ""):
        return ""
    return f"{(Decimal(value) * 100).quantize(Decimal(1))} %"


@register.filter
def pct_width(value) -> str:
    """A probability as a width class: 0.4213 → 'w-42' (remit.css has w-0 … w-100). A class,
    not a style attribute: the Content-Security-Policy allows no inline styles."""
    return percent_width(Decimal(value or 0) * 100)


@register.filter
def percent_width(value) -> str:
    """A percentage (0-100) as a width class: 42.6 → 'w-43'."""
    number = Decimal(value or 0)
    whole = int(number.quantize(Decimal(1)))
    return f"w-{min(max(whole, 0), 100)}"


@register.filter
def sub(value, other):
    return Decimal(value or 0) - Decimal(other or 0)


@register.filter
def history_bars(history: dict) -> list[dict]:
    """A customer's settled invoices by class, as bar rows (widths relative to the largest)."""
    rows = [("on time", "on", history.get("on_time", 0)), ("late", "late",
            history.get("late", 0)), ("very late", "very", history.get("very_late", 0))]
    top = max((n for _, _, n in rows), default=0) or 1
    return [{"label": label, "css": css, "count": n,
             "width": percent_width(Decimal(n * 100) / top)} for label, css, n in rows]


@register.filter
def shares(row: dict) -> dict:
    """Expected amounts of a customer as shares of its balance, for the gauge."""
    balance = row.get("balance") or 0
    if not balance:
        return {"on_time": 0, "late": 0, "very_late": 0}
    return {k: row[k] / balance for k in ("on_time", "late", "very_late")}


@register.filter
def step_label(code: str) -> str:
    """A sales order posting step in words ('packing_slip' → 'packing slip')."""
    from remit.sales.models import PostingStep

    try:
        return PostingStep(code).label
    except ValueError:
        return str(code).replace("_", " ")
