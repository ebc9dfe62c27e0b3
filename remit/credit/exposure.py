"""Where a customer stands: balance, packing slips and open orders (in a few aggregate queries),
the limits that apply (temporary limits, insurance, the credit group's shared limit), and the
facts a credit check decides on. Read-only: the check locks before it reads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Min, Q

from remit.core.db import ExactSum
from remit.core.money import RoundingPoint, quantize
from remit.core.selectors import exchange_rate_on
from remit.receivables.models import Customer, CustomerTransaction
from remit.sales.models import UNDELIVERED, OrderStatus, SalesOrder

from . import rules
from .models import CreditGroup, CustomerCredit, Insurance, TemporaryLimit
from .setup import credit_for, parameters_read

ZERO = Decimal(0)


def _convert(amount: Decimal, from_currency: str, to_currency: str, on: date) -> Decimal:
    if from_currency == to_currency or not amount:
        return amount
    return quantize(amount * exchange_rate_on(from_currency, to_currency, on), to_currency,
                    RoundingPoint.CONVERSION)


def orders_by_customer(customer_ids, exclude_order_id, on: date,
                        to_currency_of: dict[int, str]) -> dict[int, rules.Exposure]:
    """Packing slips (delivered, not invoiced) and open orders of these customers, converted
    to each customer's limit currency: one grouped query."""
    rows = (SalesOrder.objects.filter(customer_id__in=customer_ids, credit_rejected=False,
                                      status__in=(*UNDELIVERED, OrderStatus.DELIVERED))
            .exclude(pk=exclude_order_id or 0)
            .values("customer_id", "currency", "status")
            .annotate(total=ExactSum(F("total_amount"), zero=True)))
    packing: dict[int, Decimal] = defaultdict(lambda: ZERO)
    open_: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        amount = _convert(Decimal(row["total"]), row["currency"],
                          to_currency_of[row["customer_id"]], on)
        target = packing if row["status"] == OrderStatus.DELIVERED else open_
        target[row["customer_id"]] += amount
    return {cid: rules.Exposure(ZERO, packing[cid], open_[cid]) for cid in customer_ids}


def _balances(customer_ids, as_of: date) -> dict[int, dict]:
    """Balance, overdue amount and oldest overdue due date per customer, in the accounting
    currency: one grouped query over the open items."""
    open_acc = F("amount_acc") - F("settled_acc")
    rows = (CustomerTransaction.objects.filter(customer_id__in=customer_ids, is_open=True)
            .values("customer_id")
            .annotate(balance=ExactSum(open_acc, zero=True),
                      overdue=ExactSum(open_acc, filter=Q(amount__gt=0, due_date__lt=as_of),
                                       zero=True),
                      oldest=Min("due_date", filter=Q(amount__gt=0, due_date__lt=as_of))))
    found = {r["customer_id"]: r for r in rows}
    return {cid: found.get(cid, {"balance": ZERO, "overdue": ZERO, "oldest": None})
            for cid in customer_ids}


def customer_limit(credit: CustomerCredit, as_of: date) -> tuple[Decimal, Decimal | None,
                                                                  Decimal]:
    """(normal limit, active temporary limit or None, total limit) in the accounting currency."""
    currency = credit.customer.legal_entity.accounting_currency
    temporary = (TemporaryLimit.objects.filter(customer_credit=credit, valid_from__lte=as_of,
                                               valid_to__gte=as_of)
                 .order_by("-valid_from", "-id").values_list("credit_limit", flat=True).first())
    covers = [rules.Cover(_convert(i.value, i.currency, currency, as_of), i.update_percent,
                          i.included_in_exposure)
              for i in Insurance.objects.filter(customer_credit=credit, effective__lte=as_of,
                                                expires__gte=as_of)]
    return credit.credit_limit, temporary, rules.total_limit(credit.credit_limit, temporary,
                                                              covers)


def group_limit(group: CreditGroup, as_of: date) -> Decimal:
    temporary = (TemporaryLimit.objects.filter(credit_group=group, valid_from__lte=as_of,
                                               valid_to__gte=as_of)
                 .order_by("-valid_from", "-id").values_list("credit_limit", flat=True).first())
    return temporary if temporary is not None else group.credit_limit


@dataclass
class GroupPosition:
    group: CreditGroup
    limit: Decimal
    exposure: Decimal | None     # in the group's currency, the order included
    used: Decimal | None
    members: int


@dataclass
class Position:
    """Everything the customer credit page and a credit check need, in the accounting
    currency."""
    customer: Customer
    credit: CustomerCredit
    as_of: date
    currency: str
    limit_type: str
    normal_limit: Decimal
    temporary_limit: Decimal | None
    total_limit: Decimal
    amounts: rules.Exposure
    order_amount: Decimal
    exposure: Decimal | None          # per limit type, the order included
    checks: list[rules.LimitCheck]
    uses: list[tuple[str, Decimal]] = field(default_factory=list)
    overdue: Decimal = ZERO
    days_overdue: int = 0
    group: GroupPosition | None = None
    headroom: list[Decimal] = field(default_factory=list)  # per check, accounting currency

    @property
    def effective_limit(self) -> Decimal | None:
        """The lowest limit that applies, in the accounting currency (a group's converted)."""
        return rules.effective_limit(self.checks)

    @property
    def available(self) -> Decimal | None:
        """Credit remaining: the smallest headroom of the limits that apply — a group's is its
        limit less every member's exposure (None: unlimited or unchecked)."""
        return min(self.headroom, default=None)


def position(customer: Customer, as_of: date, *, order: SalesOrder | None = None,
             credit: CustomerCredit | None = None) -> Position:
    """The customer's credit position as of ``as_of``; with ``order``, as the check sees it:
    that order counted once, in full, whatever its step. ``credit``: the customer's record,
    when the caller has just read it."""
    params = parameters_read(customer.legal_entity)
    credit = credit or credit_for(customer)
    currency = customer.legal_entity.accounting_currency
    normal, temporary, total = customer_limit(credit, as_of)
    money = _balances([customer.pk], as_of)[customer.pk]
    orders = orders_by_customer([customer.pk], order.pk if order else None, as_of,
                                 {customer.pk: currency})[customer.pk]
    amounts = rules.Exposure(money["balance"], orders.packing_slips, orders.open_orders)
    order_amount = (_convert(order.total_amount, order.currency, currency, as_of)
                    if order is not None else ZERO)
    base = rules.exposure(params.limit_type, amounts, credit.mandatory)
    with_order = None if base is None else base + order_amount
    group_pos = None
    group = credit.credit_group if params.check_credit_groups else None
    if group is not None and base is not None:
        group_pos = _group_position(group, params.limit_type, as_of, order)
    group_limit_acc = (_convert(group_pos.limit, group.currency, currency, as_of)
                       if group_pos else None)
    own = temporary if temporary is not None else normal
    checks = ([] if with_order is None else rules.limit_checks(
        rules.CustomerLimit(total, credit.unlimited, credit.mandatory, own),
        (group.code, group_limit_acc) if group_pos else None, params.check_credit_groups))
    uses, headroom = [], []
    for check in checks:
        if check.who == "customer":
            uses.append((check.who, rules.used_percent(with_order, check.limit)))
            headroom.append(check.limit - with_order)
        elif group_pos is not None:
            uses.append((check.who, group_pos.used))
            headroom.append(_convert(group_pos.limit - group_pos.exposure, group.currency,
                                     currency, as_of))
    oldest = money["oldest"]
    return Position(customer=customer, credit=credit, as_of=as_of, currency=currency,
                    limit_type=params.limit_type, normal_limit=normal, temporary_limit=temporary,
                    total_limit=total, amounts=amounts, order_amount=order_amount,
                    exposure=with_order, checks=checks, uses=uses, overdue=money["overdue"],
                    days_overdue=(as_of - oldest).days if oldest else 0, group=group_pos,
                    headroom=headroom)


def _group_position(group: CreditGroup, limit_type: str, as_of: date,
                    order: SalesOrder | None) -> GroupPosition:
    """The group's exposure over all its members, in every legal entity, converted to the
    group's currency: two grouped queries whatever the number of members."""
    members = list(CustomerCredit.objects.filter(credit_group=group)
                   .select_related("customer__legal_entity"))
    ids = [m.customer_id for m in members]
    acc = {m.customer_id: m.customer.legal_entity.accounting_currency for m in members}
    balances = _balances(ids, as_of)
    orders = orders_by_customer(ids, order.pk if order else None, as_of, acc)
    total = ZERO
    for cid in ids:
        amounts = rules.Exposure(balances[cid]["balance"], orders[cid].packing_slips,
                                 orders[cid].open_orders)
        total += _convert(rules.exposure(limit_type, amounts, True), acc[cid], group.currency,
                          as_of)
    if order is not None:
        total += _convert(order.total_amount, order.currency, group.currency, as_of)
    limit = group_limit(group, as_of)
    return GroupPosition(group, limit, total, rules.used_percent(total, limit), len(ids))
