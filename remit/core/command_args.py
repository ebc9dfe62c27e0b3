"""Reading the options every ``remit`` sub-command shares — a legal entity code and a day —
with the same error a person gets whichever command they typed."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone

from .models import LegalEntity


def legal_entity_option(code: str) -> LegalEntity:
    found = LegalEntity.objects.filter(code=code.upper()).first()
    if found is None:
        raise CommandError(f"--entity: no legal entity {code}")
    return found


def day_option(text: str | None, option: str = "--as-of") -> date:
    """The day given as YYYY-MM-DD, else today."""
    try:
        return date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None
