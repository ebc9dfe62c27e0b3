"""Small builders for tests: post an entry from a compact description."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from remit.core.actor import Actor
from remit.core.money import Money
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_by_number, journal_by_code
from remit.ledger.services import journal_entry_post

SYSTEM = Actor.system("test")


def post(entity, lines: list[tuple[str, str]], *, on: date = date(2026, 3, 16),
         currency: str | None = None, journal: str = "GJ", description: str = "test entry",
         actor: Actor = SYSTEM, **kwargs):
    """``lines``: (account number, signed amount) pairs, e.g. [("6300", "100"), ("1920", "-100")]."""
    cur = currency or entity.accounting_currency
    return journal_entry_post(
        legal_entity=entity, journal=journal_by_code(entity, journal), entry_date=on,
        description=description,
        lines=[PostingLine(account_by_number(entity, number), Money(Decimal(amount), cur))
               for number, amount in lines],
        actor=actor, **kwargs)
