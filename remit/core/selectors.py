"""Read-side queries for core: exchange rates, and the legal entities a user may work in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from .exceptions import RuleViolation
from .money import normalize_rate
from .models import ExchangeRate, LegalEntity


class ExchangeRateMissing(RuleViolation):
    default_code = "exchange_rate_missing"


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
    if direct and (not inverse or direct[0] >= inverse[0]):
        return normalize_rate(direct[1])
    if inverse:
        return normalize_rate(Decimal(1) / inverse[1])
    raise ExchangeRateMissing(
        f"No exchange rate {from_currency}→{to_currency} on or before {on.isoformat()}"
    )


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
