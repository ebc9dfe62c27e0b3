"""Turning typed-in entry lines (API body, page form) into PostingLines, with an error that
names the row and field of any bad value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from remit.core.exceptions import InvalidInput
from remit.core.models import LegalEntity
from remit.core.money import D, Money, is_currency

from .models import Account
from .rules import PostingLine


def posting_lines(legal_entity: LegalEntity, rows: Iterable[Mapping], *,
                  default_currency: str | None = None) -> list[PostingLine]:
    rows = list(rows)
    numbers = {str(r.get("account") or "").strip() for r in rows}
    accounts = {a.number: a for a in Account.objects.filter(legal_entity=legal_entity,
                                                            number__in=numbers)}
    lines, errors = [], []
    for i, row in enumerate(rows):
        number = str(row.get("account") or "").strip()
        account = accounts.get(number)
        if account is None:
            errors.append((("lines", i, "account"),
                           f"no account {number!r} in {legal_entity.code}" if number
                           else "choose an account"))
        currency = (row.get("currency") or default_currency
                    or legal_entity.accounting_currency).strip().upper()
        if not is_currency(currency):
            errors.append((("lines", i, "currency"), f"{currency!r} is not an ISO 4217 code"))
        try:
            debit = _amount(row.get("debit"))
            credit = _amount(row.get("credit"))
        except InvalidInput as exc:
            errors.append((("lines", i, "amount"), exc.message))
            continue
        if debit < 0 or credit < 0:
            errors.append((("lines", i, "amount"), "debit and credit cannot be negative"))
        elif (debit > 0) == (credit > 0):
            errors.append((("lines", i, "amount"), "give either a debit or a credit"))
        if account is not None and is_currency(currency) and not errors:
            lines.append(PostingLine(account, Money(debit - credit, currency),
                                     str(row.get("description") or "")))
    if errors:
        raise InvalidInput("; ".join(f"line {loc[1] + 1} {loc[2]}: {msg}" for loc, msg in errors),
                           errors=errors)
    return lines


def _amount(value) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    return D(value if not isinstance(value, str) else value.replace(",", "."))
