"""Read-side queries for core: exchange rates, and the legal entities a user may work in."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from .exceptions import RuleViolation
from .money import normalize_rate
from .models import ExchangeRate, LegalEntity


class ExchangeRateMissing(RuleViolation):
    default_code = "exchange_rate_missing"


def rate_in_force(from_currency: str, to_currency: str, on: date,
                  direct: tuple[date, Decimal] | None,
                  inverse: tuple[date, Decimal] | None) -> Decimal:
    """The rule for which rate applies, given the latest direct and inverse quotes valid on
    ``on``: the newer of the two (the direct one on a tie), the inverse as 1 / rate."""
    if direct and (not inverse or direct[0] >= inverse[0]):
        return normalize_rate(direct[1])
    if inverse:
        return normalize_rate(Decimal(1) / inverse[1])
    raise ExchangeRateMissing(
        f"No exchange rate {from_currency}→{to_currency} on or before {on.isoformat()}"
    )


def exchange_rate_on(from_currency: str, to_currency: str, on: date) -> Decimal:
    """The rate in force on ``on``: the latest one valid from that date or earlier, or the
    inverse of a rate quoted the other way round, at the RATE rounding point."""
    if from_currency == to_currency:
        return Decimal(1)
    direct = (
        ExchangeRate.objects.filter(
            from_currency=from_currency, to_currency=to_currency, valid_from__lte=on
        )
        .order_by("-valid_from")
        .values_list("valid_from", "rate")
        .first()
    )
    inverse = (
        ExchangeRate.objects.filter(
            from_currency=to_currency, to_currency=from_currency, valid_from__lte=on
        )
        .order_by("-valid_from")
        .values_list("valid_from", "rate")
        .first()
    )
    return rate_in_force(from_currency, to_currency, on, direct, inverse)


class RateBook:
    """``exchange_rate_on`` for many dates at once: every quote of the pairs between the given
    currencies and one target currency read in one query, then looked up in memory by the
    same rule. For batches (an import, a bank statement) that convert thousands of amounts."""

    def __init__(self, currencies, to_currency: str,
                 between: tuple[date, date] | None = None):
        """``between``: the first and last date the book will be asked about; only the quotes
        in force then are read (the one in force on the first date and those after it)."""
        self.to_currency = to_currency
        self.between = between
        wanted = sorted(set(currencies) - {to_currency})
        self.currencies = set(wanted) | {to_currency}
        self._quotes: dict[tuple[str, str], tuple[list[date], list[Decimal]]] = {}
        self._memo: dict[tuple[str, date], Decimal] = {}
        if not wanted:
            return
        rows = (ExchangeRate.objects.filter(from_currency__in=wanted, to_currency=to_currency)
                | ExchangeRate.objects.filter(from_currency=to_currency,
                                              to_currency__in=wanted))
        if between:
            in_force_first = Subquery(ExchangeRate.objects.filter(
                from_currency=OuterRef("from_currency"), to_currency=OuterRef("to_currency"),
                valid_from__lte=between[0]).order_by("-valid_from").values("valid_from")[:1])
            rows = rows.filter(valid_from__lte=between[1]).annotate(
                first=in_force_first).filter(Q(first__isnull=True) |
                                             Q(valid_from__gte=F("first")))
        found: dict[tuple[str, str], list[tuple[date, Decimal]]] = {}
        for pair_from, pair_to, valid_from, rate in rows.values_list(
                "from_currency", "to_currency", "valid_from", "rate"):
            found.setdefault((pair_from, pair_to), []).append((valid_from, rate))
        for pair, quotes in found.items():
            quotes.sort()
            self._quotes[pair] = ([d for d, _ in quotes], [r for _, r in quotes])

    def _latest(self, pair: tuple[str, str], on: date) -> tuple[date, Decimal] | None:
        if pair not in self._quotes:
            return None
        dates, rates = self._quotes[pair]
        i = bisect_right(dates, on)
        return (dates[i - 1], rates[i - 1]) if i else None

    def rate(self, from_currency: str, on: date) -> Decimal:
        if from_currency == self.to_currency:
            return Decimal(1)
        key = (from_currency, on)
        if key not in self._memo:
            if self.between and not self.between[0] <= on <= self.between[1]:
                raise ValueError(f"{on} is outside the dates this rate book was read for")
            self._memo[key] = rate_in_force(
                from_currency, self.to_currency, on,
                self._latest((from_currency, self.to_currency), on),
                self._latest((self.to_currency, from_currency), on))
        return self._memo[key]

    def has_rate(self, from_currency: str, on: date) -> bool:
        try:
            self.rate(from_currency, on)
        except ExchangeRateMissing:
            return False
        return True


def legal_entities_for(user) -> QuerySet[LegalEntity]:
    if user is None or not user.is_authenticated:
        return LegalEntity.objects.none()
    active = LegalEntity.objects.filter(is_active=True)
    profile = getattr(user, "remit_profile", None)
    if user.is_superuser or (profile is not None and profile.all_legal_entities):
        return active
    if profile is None:
        return LegalEntity.objects.none()
    return active.filter(members=profile)
