"""The arithmetic of a settlement, apart from reading and writing rows, so that settling one
payment at a time and posting a file of history at once follow the same rules to the unit.

A *change* is what a settlement does to one open item: ``(item, delta, discount, write_off,
write_off_kind)``, amounts signed like the item. From the changes come each item's share in
the accounting currency (its own rate, the exact remainder when it closes), the item's new
settled state, and the voucher: each receivable account moves by exactly what its items'
open amounts changed; discounts, write-offs and the realized exchange difference balance it.
Items are anything with the open-item attributes (saved rows or rows about to be inserted);
accounts are found through ``account_for(role)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from remit.core.money import ZERO, Money, RoundingPoint, normalize_rate, quantize
from remit.ledger.models import AccountRole
from remit.ledger.rules import PostingLine

Change = tuple  # (item, delta, discount, write-off, write-off kind)
AccountFor = Callable[[str], object]


def acc_share(row, part: Decimal, accounting: str) -> Decimal:
    return quantize(part * row.amount_acc / row.amount, accounting, RoundingPoint.CONVERSION)


def delta_acc(row, delta: Decimal, accounting: str) -> Decimal:
    """The accounting-currency share of closing ``delta``: the exact remainder when it closes
    the item, else the item's own rate (so each item leaves the subledger at its own rate)."""
    if row.settled_amount + delta == row.amount:
        return row.amount_acc - row.settled_acc
    return acc_share(row, delta, accounting)


def apply_change(row, delta: Decimal, delta_in_acc: Decimal, discount: Decimal,
                 on: date) -> None:
    """Move the item's settled state by one change (the caller saves it)."""
    row.settled_amount += delta
    row.settled_acc += delta_in_acc
    row.discount_taken += discount
    row.is_open = row.settled_amount != row.amount
    row.closed_on = None if row.is_open else on


def _receivable_lines(account, amount: Decimal, acc: Decimal, currency: str) -> list[PostingLine]:
    if amount == 0 and acc == 0:
        return []
    if amount * acc < 0:  # an exchange difference larger than the move: two lines
        return [PostingLine(account, Money(amount, currency), "settlement", amount_acc=ZERO),
                PostingLine(account, Money(ZERO, currency), "exchange difference",
                            amount_acc=acc)]
    return [PostingLine(account, Money(amount, currency), "settlement", amount_acc=acc)]


def voucher_lines(changes: Sequence[Change], *, currency: str, accounting: str,
                  account_for: AccountFor, write_off_split=None) -> list[PostingLine]:
    """The settlement voucher's lines for these changes (computed before any item moves);
    empty when nothing needs posting (a payment against an invoice on one account, at one
    rate). ``write_off_split(row, amount)`` names the accounts a 'write_off' write-off goes to."""
    moves: dict = defaultdict(lambda: [ZERO, ZERO])
    discount, discount_acc = ZERO, ZERO
    write_offs: dict = defaultdict(lambda: [ZERO, ZERO])
    for row, delta, disc, write_off, kind in changes:
        account = row.receivable_account
        moves[account][0] -= delta
        moves[account][1] -= delta_acc(row, delta, accounting)
        discount += disc
        discount_acc += acc_share(row, disc, accounting) if disc else ZERO
        if write_off and kind == "write_off":
            parts = write_off_split(row, write_off)
            left_acc = delta_acc(row, write_off, accounting)  # the item's exact remainder
            for i, (account, part) in enumerate(parts):
                acc = left_acc if i == len(parts) - 1 else acc_share(row, part, accounting)
                left_acc -= acc
                write_offs[(account, "write-off")][0] += part
                write_offs[(account, "write-off")][1] += acc
        elif write_off:
            role = (AccountRole.PENNY_DIFFERENCE if kind == "penny"
                    else AccountRole.CASH_DISCOUNT)
            key = (account_for(role), "penny difference" if kind == "penny" else "write-off")
            write_offs[key][0] += write_off
            write_offs[key][1] += acc_share(row, write_off, accounting)
    lines: list[PostingLine] = []
    for account, (amount, acc) in sorted(moves.items(), key=lambda kv: kv[0].number):
        lines += _receivable_lines(account, amount, acc, currency)
    if discount or discount_acc:
        lines.append(PostingLine(account_for(AccountRole.CASH_DISCOUNT),
                                 Money(discount, currency), "cash discount",
                                 amount_acc=discount_acc))
    for (account, text), (amount, acc) in write_offs.items():
        lines.append(PostingLine(account, Money(amount, currency), text, amount_acc=acc))
    residual = sum((line.amount_acc for line in lines), ZERO)
    if residual:
        role = AccountRole.EXCHANGE_GAIN if residual > 0 else AccountRole.EXCHANGE_LOSS
        lines.append(PostingLine(account_for(role), Money(-residual, accounting),
                                 "realized exchange difference", amount_acc=-residual))
    return lines


def tolerances(params, rate: Decimal, currency: str):
    """The parameters' penny and over/underpayment limits (accounting currency) in the
    transaction currency at ``rate``."""
    from .rules import Tolerances

    return Tolerances(
        penny=quantize(params.max_penny_difference / rate, currency, RoundingPoint.CONVERSION),
        over_under=quantize(params.max_over_under / rate, currency, RoundingPoint.CONVERSION))


def voucher_rates(changes: Sequence[Change], currency: str, accounting: str) -> dict:
    """The rates the voucher's entry records: the first item's own rate."""
    reference = changes[0][0]
    rate = (normalize_rate(abs(reference.amount_acc / reference.amount))
            if reference.amount_acc else Decimal(1))
    return {currency: rate, accounting: Decimal(1)}
