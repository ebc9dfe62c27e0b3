"""Money: a Decimal amount with an ISO 4217 currency, and the only rounding remit does.

Why a value object: an amount without its currency is how books go wrong (adding NOK to EUR,
rounding JPY to two decimals). Floats are refused at construction, so a float can never reach
the ledger through this type. Rounding happens only at *named points* (``RoundingPoint``), each
with a documented mode, so a reader can find every place where a fraction of a cent may move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from enum import Enum

from .exceptions import InvalidInput, RuleViolation
from .iso4217 import CURRENCIES

ZERO = Decimal(0)


class CurrencyMismatch(RuleViolation):
    default_code = "currency_mismatch"


class UnknownCurrency(InvalidInput):
    default_code = "unknown_currency"


class InvalidAmount(InvalidInput):
    default_code = "invalid_amount"


def is_currency(code: object) -> bool:
    return isinstance(code, str) and code in CURRENCIES


def currency_decimals(code: str) -> int:
    """ISO 4217 minor units: 2 for NOK, 0 for JPY, 3 for KWD."""
    try:
        return CURRENCIES[code][0]
    except KeyError:
        raise UnknownCurrency(f"Unknown currency {code!r}: not an active ISO 4217 code") from None


def currency_name(code: str) -> str:
    currency_decimals(code)
    return CURRENCIES[code][1]


def D(value: Decimal | int | str) -> Decimal:
    """The one way to make an amount: from Decimal, int or a string, never from float."""
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidAmount(f"Amounts must be Decimal, int or text, not {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(" ", "").replace("\u00a0", ""))
        except InvalidOperation:
            raise InvalidAmount(f"{value!r} is not a number") from None
    else:
        raise InvalidAmount(f"Amounts must be Decimal, int or text, not {type(value).__name__}")
    if not result.is_finite():
        raise InvalidAmount(f"{value!r} is not a finite amount")
    return result


def _grouped(text: str, sep: str) -> bool:
    """Digits in thousands groups: '1,250,000' (sep ',') or '-12.500' (sep '.')."""
    return re.fullmatch(r"[+-]?\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", text) is not None


def parse_typed_amount(text: str) -> Decimal:
    """An amount as a person types it, in the Norwegian or the English way: '1 234,50',
    '1.234,50', '1,234.50', '1234.50'. With both separators the last is the decimal one;
    several of one are thousands separators. One separator followed by exactly three digits
    after one to three others ('1,250', '1.250') is refused: it is one thousand two hundred
    and fifty the way one country writes it and one and a quarter the other way. So is an
    exponent ('1e5'), which no one means when typing an amount."""
    typed = str(text).strip()
    cleaned = typed
    for space in (" ", "\u00a0", "\u202f", "\u2009"):
        cleaned = cleaned.replace(space, "")
    if any(c in cleaned for c in "eE") or not cleaned.isascii():
        raise InvalidAmount(f"{typed!r}: write the amount in digits, e.g. 1234.50")
    commas, dots = cleaned.count(","), cleaned.count(".")
    if commas and dots:
        decimal, thousands = (".", ",") if cleaned.rfind(".") > cleaned.rfind(",") else (",", ".")
        whole, _, fraction = cleaned.rpartition(decimal)
        if not _grouped(whole, thousands):
            raise InvalidAmount(f"{typed!r} is not an amount (thousands in groups of three)")
        cleaned = whole.replace(thousands, "") + "." + fraction
    elif commas > 1 or dots > 1:
        sep = "," if commas else "."
        if not _grouped(cleaned, sep):
            raise InvalidAmount(f"{typed!r} is not an amount")
        cleaned = cleaned.replace(sep, "")
    elif commas == 1 or dots == 1:
        sep = "," if commas else "."
        whole, fraction = cleaned.split(sep)
        if _grouped(cleaned, sep) and whole.lstrip("+-") not in ("0", ""):
            raise InvalidAmount(f"{typed!r} is ambiguous (thousands or decimals?): write "
                                f"{whole}{fraction} for the thousands, or give two decimals")
        cleaned = f"{whole}.{fraction}"
    try:
        return D(cleaned)
    except InvalidAmount:
        raise InvalidAmount(f"{typed!r} is not an amount") from None


def amount_in_range(field, value) -> Decimal:
    """``D(value)``, refused — naming the field — when it does not fit an amount column (a
    typo like 1e30 must be bad input, not a database error)."""
    from django.conf import settings

    try:
        number = D(value)
    except InvalidAmount:
        raise InvalidAmount.field(field, "enter an amount, e.g. 1234.50") from None
    whole = settings.AMOUNT_MAX_DIGITS - settings.AMOUNT_DECIMAL_PLACES
    if abs(number) >= Decimal(10) ** whole:
        raise InvalidAmount.field(field, f"too large: at most {whole} digits before the "
                                         "decimal point")
    return number


def typed_amount(field, text) -> Decimal:
    """An amount typed on a page into ``field``: read by ``parse_typed_amount`` (so '1e5' and
    '1,250' are refused on every page alike) and refused when it does not fit an amount
    column; the message names the field."""
    try:
        number = parse_typed_amount(text)
    except InvalidAmount as exc:
        raise InvalidAmount.field(field, exc.message) from None
    return amount_in_range(field, number)


class RoundingPoint(Enum):
    """Where an amount may be rounded, and how. Mode is 'normal' (half away from zero) except
    where an allocation must never hand out more than it has."""

    DOCUMENT = ("document line and total", ROUND_HALF_UP)
    CONVERSION = ("currency conversion to accounting or payment currency", ROUND_HALF_UP)
    TAX = ("sales tax per line", ROUND_HALF_UP)
    DISCOUNT = ("cash discount", ROUND_HALF_UP)
    INTEREST = ("interest and fees", ROUND_HALF_UP)
    ALLOCATION = ("share of an amount split by weights", ROUND_DOWN)

    def __init__(self, label: str, mode: str) -> None:
        self.label = label
        self.mode = mode


_WIDE = Context(prec=60)  # quantizing never fails for lack of digits (28 is Decimal's default)


RATE_PLACES = 12
RATE_SIGNIFICANT = 15
_RATE_CONTEXT = Context(prec=RATE_SIGNIFICANT, rounding=ROUND_HALF_UP)


def normalize_rate(rate: Decimal) -> Decimal:
    """The named rounding point for exchange rates: at most 15 significant digits and 12
    decimals (half up), so the rate used to convert is exactly the rate both databases store
    (SQLite keeps 15 significant digits, PostgreSQL's numeric(24, 12) twelve decimals)."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise InvalidAmount(f"Exchange rate must be a positive Decimal, got {rate!r}")
    short = _RATE_CONTEXT.plus(rate)
    if short.as_tuple().exponent < -RATE_PLACES:
        short = short.quantize(Decimal(1).scaleb(-RATE_PLACES), rounding=ROUND_HALF_UP,
                               context=_WIDE)
    return short


def quantize(amount: Decimal, currency: str, point: RoundingPoint) -> Decimal:
    exponent = Decimal(1).scaleb(-currency_decimals(currency))
    return amount.quantize(exponent, rounding=point.mode, context=_WIDE)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or isinstance(self.amount, bool):
            raise InvalidAmount(
                f"Money amount must be a Decimal, got {type(self.amount).__name__}"
            )
        if not self.amount.is_finite():
            raise InvalidAmount("Money amount must be finite")
        if not is_currency(self.currency):
            raise UnknownCurrency(
                f"Unknown currency {self.currency!r}: not an active ISO 4217 code"
            )

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        return cls(D(amount), (currency or "").strip().upper())

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(ZERO, currency)

    # arithmetic -------------------------------------------------------------------------
    def _same(self, other: object, op: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {op} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"Cannot {op} {self.currency} and {other.currency}: convert one of them first"
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other, "add").amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other, "subtract").amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, (Decimal, int)):
            raise TypeError(f"Money can be multiplied by Decimal or int, not {type(factor).__name__}")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    # comparison (only within one currency) ----------------------------------------------
    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other, "compare").amount

    # rounding and conversion ------------------------------------------------------------
    @property
    def decimals(self) -> int:
        return currency_decimals(self.currency)

    def rounded_amount(self) -> Decimal:
        """The amount at the currency's own decimals (to test that none were lost)."""
        return quantize(self.amount, self.currency, RoundingPoint.DOCUMENT)

    def rounded_money(self) -> Money:
        """At the currency's own decimals (the DOCUMENT rounding point)."""
        return self.rounded(RoundingPoint.DOCUMENT)

    def rounded(self, point: RoundingPoint) -> Money:
        return Money(quantize(self.amount, self.currency, point), self.currency)

    def is_zero(self) -> bool:
        return quantize(self.amount, self.currency, RoundingPoint.DOCUMENT) == 0

    def convert(
        self, to_currency: str, rate: Decimal, point: RoundingPoint = RoundingPoint.CONVERSION
    ) -> Money:
        """``rate`` is units of ``to_currency`` for one unit of this currency."""
        if not isinstance(rate, Decimal) or rate <= 0:
            raise InvalidAmount(f"Exchange rate must be a positive Decimal, got {rate!r}")
        return Money(self.amount * rate, to_currency).rounded(point)

    def allocate(self, weights: list[Decimal | int]) -> list[Money]:
        """Split by weights so the parts add up exactly (largest remainder, at the currency's
        smallest unit). Used wherever one amount is spread over lines."""
        if not weights or any(isinstance(w, float) for w in weights):
            raise InvalidAmount("allocate needs a non-empty list of Decimal or int weights")
        total_weight = sum((Decimal(w) for w in weights), ZERO)
        if total_weight == 0:
            raise InvalidAmount("allocate weights must not sum to zero")
        unit = Decimal(1).scaleb(-self.decimals)
        whole = quantize(self.amount, self.currency, RoundingPoint.DOCUMENT)
        raw = [whole * Decimal(w) / total_weight for w in weights]
        parts = [quantize(r, self.currency, RoundingPoint.ALLOCATION) for r in raw]
        remainder = whole - sum(parts, ZERO)
        step = unit if remainder >= 0 else -unit
        order = sorted(range(len(raw)), key=lambda i: abs(raw[i] - parts[i]), reverse=True)
        i = 0
        while remainder != 0:
            parts[order[i % len(order)]] += step
            remainder -= step
            i += 1
        return [Money(p, self.currency) for p in parts]

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency, RoundingPoint.DOCUMENT):f} {self.currency}"
