"""The demo's credit management: opening credit limits posted through an adjustment journal,
a seasonal temporary limit, credit insurance, a credit group sharing one limit, scoring and
risk groups with automatic limits, blocking rules, and sales orders in every state — passed,
delivered, invoiced, held for several reasons, released by the credit manager, rejected and
force-held — so the credit holds list has work on it the first time it opens."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth import get_user_model
from django.db.models import F, Q

from remit.core.actor import Actor
from remit.core.db import ExactSum
from remit.credit import adjustments, holds, risk
from remit.credit.models import (
    AccountStatus,
    AutomaticLimit,
    InvoicingHold,
    ManagementGroup,
    RiskGroup,
    ScoringGroup,
)
from remit.credit.rules_setup import blocking_rule_create
from remit.credit.services import credit_group_add, credit_group_create, insurance_add
from remit.credit.setup import credit_for, reason
from remit.receivables.models import Customer, CustomerStatus, CustomerTransaction, SalesTaxCode
from remit.receivables.services import LineSpec
from remit.sales.services import sales_order_create, sales_order_post

PRODUCTS = [("Hydraulic pump HP-200", Decimal("18500.00")),
            ("Valve set V-12", Decimal("2450.00")),
            ("Pressure sensor PS-4", Decimal("1890.00")),
            ("Service visit", Decimal("6200.00")),
            ("Filter cartridge pack", Decimal("740.00")),
            ("Control unit CU-9", Decimal("42000.00"))]
TEN_THOUSAND = Decimal(10000)
ZERO = Decimal(0)


def _round_up(amount: Decimal, step: Decimal = TEN_THOUSAND) -> Decimal:
    return (amount / step).quantize(Decimal(1), ROUND_CEILING) * step


def demo_credit(entity, as_of: date, rng: random.Random, actor: Actor) -> None:
    customers = list(Customer.objects.filter(legal_entity=entity).select_related("group")
                     .order_by("account_number"))
    balances = dict(CustomerTransaction.objects.filter(legal_entity=entity, is_open=True)
                    .values("customer_id")
                    .annotate(b=ExactSum(F("amount_acc") - F("settled_acc"), zero=True))
                    .values_list("customer_id", "b"))
    sales = dict(CustomerTransaction.objects.filter(
        legal_entity=entity, kind="invoice", document_date__gt=as_of - timedelta(days=90))
        .values("customer_id").annotate(s=ExactSum("amount_acc", zero=True))
        .values_list("customer_id", "s"))
    _setup(entity, customers, as_of, actor)
    _limits(entity, customers, balances, sales, as_of, actor)
    risk.balance_statistics_calculate(legal_entity=entity, as_of=as_of, actor=actor)
    risk.risk_scores_update(legal_entity=entity, as_of=as_of, actor=actor)
    _orders(entity, customers, as_of, rng, actor)


def _setup(entity, customers, as_of: date, actor: Actor) -> None:
    key = ManagementGroup.objects.create(legal_entity=entity, code="KEY", name="Key accounts")
    standard = ManagementGroup.objects.create(legal_entity=entity, code="STD",
                                              name="Standard terms")
    legal = AccountStatus.objects.create(legal_entity=entity, code="LEGAL",
                                         description="With the debt collection agency",
                                         hold=InvoicingHold.ALL)
    AccountStatus.objects.create(legal_entity=entity, code="WATCH",
                                 description="On the credit watch list")
    for customer in customers:
        credit = credit_for(customer)
        credit.management_group = key if customer.group.code == "KEY" else standard
        if customer.status == CustomerStatus.BLOCKED:
            credit.account_status = legal
        credit.business_started = (customer.customer_since or as_of) - timedelta(
            days=365 * (customer.pk % 17))
        credit.save()
    # blocking rules beside the default "credit limit used over 100 %"
    blocking_rule_create(legal_entity=entity, rule_type="days_overdue", value_type="days",
                         value=Decimal(60), actor=actor)
    blocking_rule_create(legal_entity=entity, rule_type="days_overdue", scope="group",
                         management_group=key, kind="exclusion", value_type="days",
                         value=Decimal(90), actor=actor)
    blocking_rule_create(legal_entity=entity, rule_type="account_status", account_status=legal,
                         actor=actor)
    blocking_rule_create(legal_entity=entity, rule_type="order_amount", value_type="amount",
                         value=Decimal(250000), actor=actor)
    # risk scoring
    tenure = ScoringGroup.objects.create(legal_entity=entity, name="Years as customer",
                                         group_type="customer_years", score_type="range")
    for low, high, score in ((0, Decimal("0.99"), 5), (1, Decimal("2.99"), 15), (3, None, 25)):
        tenure.lines.create(from_value=low, to_value=high, score=score)
    paying = ScoringGroup.objects.create(legal_entity=entity, name="Average payment days",
                                         group_type="avg_payment_days", score_type="range")
    for low, high, score in ((0, 30, 35), (Decimal("30.01"), 45, 20), (Decimal("45.01"), 60, 10),
                             (Decimal("60.01"), None, 0)):
        paying.lines.create(from_value=low, to_value=high, score=score)
    dso = ScoringGroup.objects.create(legal_entity=entity, name="DSO 12 months",
                                      group_type="dso", score_type="range")
    for low, high, score in ((0, 45, 25), (Decimal("45.01"), 90, 10), (Decimal("90.01"), None, 0)):
        dso.lines.create(from_value=low, to_value=high, score=score)
    groups = {code: RiskGroup.objects.create(legal_entity=entity, code=code, description=text,
                                             score_from=low, score_to=high, indicator=colour)
              for code, text, low, high, colour in (
                  ("LOW", "Low risk", 60, 1000, "green"),
                  ("MEDIUM", "Medium risk", 35, Decimal("59.99"), "yellow"),
                  ("HIGH", "High risk", -1000, Decimal("34.99"), "red"))}
    rule = AutomaticLimit.objects.create(legal_entity=entity, risk_group=groups["LOW"],
                                         currency=entity.accounting_currency)
    rule.lines.create(scoring_group=tenure, operator=">=", value="1", credit_limit=250000)
    rule.lines.create(scoring_group=tenure, operator=">=", value="3", credit_limit=500000)


def _limits(entity, customers, balances, sales, as_of: date, actor: Actor) -> None:
    """Limits a credit manager would set: the open balance and three months of sales with
    room to spare, rounded up to 10,000; more for key accounts; none for blocked customers."""
    journal = adjustments.adjustment_create(legal_entity=entity, kind="limit",
                                            description="Opening credit limits", actor=actor)
    expires = date(as_of.year + 1, 12, 31)
    for customer in customers:
        if customer.status == CustomerStatus.BLOCKED:
            continue
        balance = max(balances.get(customer.pk, ZERO), ZERO)
        base = balance + sales.get(customer.pk, ZERO) / 2
        limit = _round_up(max(base * Decimal("1.2"), Decimal(20000)))
        if customer.group.code == "KEY":
            limit *= 2
        if customer.pk % 11 == 0:  # a few customers whose limit ran out last month
            limit = _round_up(balance * Decimal("0.9")) or TEN_THOUSAND
        adjustments.adjustment_line_add(adjustment=journal, customer=customer, new_limit=limit,
                                        new_to=expires, actor=actor)
    adjustments.adjustment_post(adjustment=journal, on=as_of - timedelta(days=60), actor=actor)
    key = [c for c in customers if c.group.code == "KEY" and c.status == CustomerStatus.ACTIVE]
    if len(key) >= 3:
        seasonal = adjustments.adjustment_create(legal_entity=entity, kind="temporary",
                                                 description="Spring season", actor=actor)
        adjustments.adjustment_line_add(
            adjustment=seasonal, customer=key[0],
            new_limit=credit_for(key[0]).credit_limit * 2, new_from=as_of - timedelta(days=14),
            new_to=as_of + timedelta(days=45), actor=actor)
        adjustments.adjustment_post(adjustment=seasonal, on=as_of - timedelta(days=15),
                                    actor=actor)
        insurance_add(customer=key[1], kind="insurance", insurer="Atradius Kredittforsikring",
                      policy_number=f"ATR-{entity.code}-0042", coverage_type="whole turnover",
                      effective=as_of - timedelta(days=200), expires=as_of + timedelta(days=165),
                      value=Decimal(500000), currency=entity.accounting_currency,
                      update_percent=Decimal(50), actor=actor)
        if entity.code == "NO01":
            group = credit_group_create(code="NORDLYS-RETAIL",
                                        description="Retail chain: head office and outlets",
                                        currency=entity.accounting_currency,
                                        credit_limit=Decimal(400000), limit_expires=expires,
                                        actor=actor)
            for member in key[1:3]:
                credit_group_add(group=group, customer=member, actor=actor)


def _orders(entity, customers, as_of: date, rng: random.Random, actor: Actor) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["credit", "rep"]).filter(
        Q(remit_profile__legal_entities=entity) | Q(remit_profile__all_legal_entities=True))}
    rep = Actor.web(users["rep"]) if "rep" in users else actor
    manager = Actor.web(users["credit"]) if "credit" in users else actor
    tax = SalesTaxCode.objects.filter(legal_entity=entity, rate__gt=0).order_by("-rate").first()
    active = [c for c in customers if c.currency == entity.accounting_currency
              and c.status != CustomerStatus.BLOCKED]
    rng.shuffle(active)
    held = []
    for i, customer in enumerate(active[:28]):
        day = as_of - timedelta(days=rng.randint(0, 20))
        lines = [LineSpec(name, price, Decimal(rng.randint(1, 6)), tax_code=tax)
                 for name, price in rng.sample(PRODUCTS, rng.randint(1, 3))]
        if i % 7 == 3:  # a big order that runs past the limit
            lines.append(LineSpec("Control unit CU-9, project delivery", Decimal("42000.00"),
                                  Decimal(rng.randint(4, 9)), tax_code=tax))
        order = sales_order_create(customer=customer, order_date=day, lines=lines,
                                   actor=rep if entity.code == "NO01" else actor)
        target = ("confirmation", "packing_slip", "invoice", "confirmation")[i % 4]
        result = sales_order_post(order=order, step=target, on=day, actor=actor)
        if not result.posted and result.hold is not None:
            held.append(result.hold)
    if not held:
        return
    approved = reason(entity, "release", "APPROVED")
    # invoicing is the AR clerks' (segregation of duties): the credit manager releases a
    # held confirmation or delivery with posting, and an invoice hold without
    held.sort(key=lambda h: h.step == "invoice")
    first = held[0]
    holds.hold_release(hold=first, reason=approved, posting=first.step != "invoice",
                       on=first.held_on,
                       note="Long-standing customer; the overdue invoice is disputed, not "
                            "unpaid", review_date=as_of + timedelta(days=30), actor=manager)
    if len(held) > 2:
        holds.hold_reject(hold=held[1], reason=reason(entity, "release", "REJECTED"),
                          note="Ask for prepayment instead", actor=manager)
    open_orders = [o for o in _open_orders(entity) if not o.credit_holds.exists()]
    if open_orders:
        holds.hold_force(order=open_orders[0], reason=reason(entity, "hold", "FORCED"),
                         on=as_of, note="Waiting for the new annual accounts", actor=manager)


def _open_orders(entity):
    from remit.sales.models import OrderStatus, SalesOrder

    return list(SalesOrder.objects.filter(legal_entity=entity, status=OrderStatus.CONFIRMED)
                .order_by("number"))
