"""Limits that move: adjustments (permanent, temporary, generated, automatic, approved),
insurance, credit groups across legal entities, manual editing, and the periodic tasks."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.credit import adjustments, risk, services
from remit.credit.exposure import position
from remit.credit.models import (
    AutomaticLimit,
    BalanceStatistic,
    RiskGroup,
    ScoringGroup,
    TemporaryLimit,
)
from remit.credit.setup import credit_for
from remit.receivables.models import SalesTaxCode
from remit.receivables.services import LineSpec, invoice_issue
from tests.helpers import SYSTEM

from .conftest import DAY


def test_temporary_limit_applies_in_its_period_then_the_normal_one_returns(cs):
    customer = cs.customer(limit=1000)
    journal = adjustments.adjustment_create(legal_entity=cs.entity, kind="temporary",
                                            actor=SYSTEM)
    with pytest.raises(InvalidInput, match="new from"):
        adjustments.adjustment_line_add(adjustment=journal, customer=customer, new_limit=5000,
                                        new_to=date(2026, 3, 31), actor=SYSTEM)
    adjustments.adjustment_line_add(adjustment=journal, customer=customer, new_limit=5000,
                                    new_from=date(2026, 3, 10), new_to=date(2026, 3, 31),
                                    actor=SYSTEM)
    adjustments.adjustment_post(adjustment=journal, on=DAY, actor=SYSTEM)
    assert position(customer, date(2026, 3, 9)).total_limit == Decimal(1000)
    assert position(customer, date(2026, 3, 10)).total_limit == Decimal(5000)
    assert position(customer, date(2026, 4, 1)).total_limit == Decimal(1000)
    assert credit_for(customer).credit_limit == Decimal(1000)


def test_insurance_adds_to_the_total_limit_while_in_force(cs, eur_rate):
    customer = cs.customer(limit=100_000)
    services.insurance_add(customer=customer, kind="insurance", insurer="Atradius",
                           effective=DAY, expires=DAY + timedelta(days=365), value=50_000,
                           currency="NOK", update_percent=50, actor=SYSTEM)
    assert position(customer, DAY).total_limit == Decimal(125_000)
    assert position(customer, DAY - timedelta(days=1)).total_limit == Decimal(100_000)
    services.insurance_add(customer=customer, kind="guarantee", insurer="Parent AS",
                           effective=DAY, expires=DAY + timedelta(days=365), value=1000,
                           currency="EUR", update_percent=40, actor=SYSTEM)
    # EUR 1,000 at 11.5 is NOK 11,500; 40 % of it raises the limit by 4,600
    assert position(customer, DAY).total_limit == Decimal(129_600)
    with pytest.raises(InvalidInput, match="coverage type"):
        services.insurance_add(customer=customer, kind="guarantee", insurer="X", effective=DAY,
                               expires=DAY, value=1, currency="NOK", update_percent=1,
                               coverage_type="all risks", actor=SYSTEM)


def test_manual_limit_editing_off_means_adjustments_only(cs, make_user, entity):
    customer = cs.customer(limit=1000)
    manager = Actor.web(make_user("Credit manager", [entity]))
    with pytest.raises(RuleViolation, match="adjustments"):
        services.customer_credit_update(customer=customer, on=DAY, credit_limit=Decimal(2000),
                                        actor=manager)
    services.customer_credit_update(customer=customer, on=DAY, notes="Good payer",
                                    actor=manager)
    cs.params(allow_manual_limit_edit=True)
    credit = services.customer_credit_update(customer=customer, on=DAY,
                                             credit_limit=Decimal(2000), actor=manager)
    assert credit.credit_limit == Decimal(2000) and credit.limit_date == DAY
    rep = Actor.web(make_user("Sales rep", [entity]))
    from remit.core.exceptions import AccessDenied
    with pytest.raises(AccessDenied):
        services.customer_credit_update(customer=customer, on=DAY, credit_limit=Decimal(9),
                                        actor=rep)


def test_adjustment_approval_workflow(cs, make_user, entity):
    cs.params(adjustment_approval=True)
    a = Actor.web(make_user("Credit manager", [entity]))
    b = Actor.web(make_user("Credit manager", [entity]))
    customer = cs.customer()
    journal = adjustments.adjustment_create(legal_entity=cs.entity, kind="limit", actor=a)
    adjustments.adjustment_line_add(adjustment=journal, customer=customer, new_limit=3000,
                                    new_to=date(2026, 12, 31), actor=a)
    with pytest.raises(RuleViolation, match="approval"):
        adjustments.adjustment_post(adjustment=journal, on=DAY, actor=a)
    adjustments.adjustment_submit(adjustment=journal, actor=a)
    with pytest.raises(RuleViolation, match="second person"):
        adjustments.adjustment_approve(adjustment=journal, approve=True, actor=a)
    adjustments.adjustment_approve(adjustment=journal, approve=True, actor=b)
    adjustments.adjustment_post(adjustment=journal, on=DAY, actor=a)
    credit = credit_for(customer)
    credit.refresh_from_db()
    assert (credit.credit_limit, credit.limit_expires) == (Decimal(3000), date(2026, 12, 31))
    with pytest.raises(RuleViolation):
        adjustments.adjustment_post(adjustment=journal, on=DAY, actor=a)


def test_generate_percentage_with_rounding_for_chosen_customers(cs):
    a, b, c = cs.customer(limit=12_345), cs.customer(limit=1000), cs.customer(limit=500)
    journal = adjustments.adjustment_create(legal_entity=cs.entity, kind="limit", actor=SYSTEM)
    made = adjustments.adjustment_generate(adjustment=journal, value=10, value_type="percent",
                                           round_off=100, rounding="up", customers=[a, b],
                                           new_to=date(2027, 6, 30), actor=SYSTEM)
    assert made == 2
    assert sorted(journal.lines.values_list("new_limit", flat=True)) == [Decimal(1100),
                                                                         Decimal(13_600)]
    adjustments.adjustment_post(adjustment=journal, on=DAY, actor=SYSTEM)
    assert credit_for(c).credit_limit == Decimal(500)


def test_generate_temporary_relative_dates(cs):
    customer = cs.customer(limit=1000, expires=date(2026, 6, 30))
    journal = adjustments.adjustment_create(legal_entity=cs.entity, kind="temporary",
                                            actor=SYSTEM)
    adjustments.adjustment_line_add(adjustment=journal, customer=customer, new_limit=2000,
                                    new_from=date(2026, 4, 1), new_to=date(2026, 4, 30),
                                    actor=SYSTEM)
    adjustments.adjustment_post(adjustment=journal, on=DAY, actor=SYSTEM)
    again = adjustments.adjustment_create(legal_entity=cs.entity, kind="temporary",
                                          actor=SYSTEM)
    adjustments.adjustment_generate(adjustment=again, value=500, method="relative",
                                    from_days=30, to_days=31, customers=[customer],
                                    actor=SYSTEM)
    line = again.lines.get()
    assert (line.new_limit, line.new_from, line.new_to) == (Decimal(2500), date(2026, 5, 1),
                                                            date(2026, 5, 31))


def test_a_line_is_for_a_customer_or_a_group_never_both(cs):
    customer = cs.customer()
    group = services.credit_group_create(code="G1", description="Group", currency="NOK",
                                         credit_limit=1000, limit_expires=date(2027, 1, 1),
                                         actor=SYSTEM)
    journal = adjustments.adjustment_create(legal_entity=cs.entity, kind="limit", actor=SYSTEM)
    with pytest.raises(InvalidInput, match="customer or a credit group"):
        adjustments.adjustment_line_add(adjustment=journal, customer=customer,
                                        credit_group=group, new_limit=1,
                                        new_to=date(2027, 1, 1), actor=SYSTEM)


def test_credit_group_shares_one_limit_across_legal_entities(cs, other_entity):
    group = services.credit_group_create(code="NORD", description="Nordlys group",
                                         currency="NOK", credit_limit=15_000,
                                         limit_expires=date(2027, 6, 30), actor=SYSTEM)
    from remit.core.services import exchange_rate_set
    exchange_rate_set(from_currency="DKK", to_currency="NOK", valid_from=date(2026, 1, 1),
                      rate=Decimal("1.5"), actor=SYSTEM)
    norway = cs.customer(limit=0, number="30001")
    denmark = cs.customer(limit=0, number="30001", entity=other_entity)
    added = services.credit_group_add(group=group, customer=norway, same_account_everywhere=True,
                                      actor=SYSTEM)
    assert len(added) == 2 and credit_for(denmark).limit_expires == date(2027, 6, 30)
    # DKK 6,000 of orders in Denmark is NOK 9,000 of the group's 15,000
    from remit.sales.services import sales_order_create
    dk_tax = SalesTaxCode.objects.get(legal_entity=other_entity, code="Z")
    dk_order = sales_order_create(customer=denmark, order_date=DAY, actor=SYSTEM,
                                  lines=[LineSpec("Goods", Decimal(6000), tax_code=dk_tax)])
    assert cs.post(dk_order).posted
    assert cs.post(cs.order(norway, "6000.00")).posted
    held = cs.post(cs.order(norway, "0.01"))
    assert not held.posted and "group NORD" in held.hold.reasons.get().text
    single = cs.customer(limit=0)
    services.credit_group_add(group=group, customer=single, actor=SYSTEM)
    with pytest.raises(RuleViolation, match="already in credit group"):
        other = services.credit_group_create(code="G2", description="x", currency="NOK",
                                             credit_limit=1, limit_expires=DAY, actor=SYSTEM)
        services.credit_group_add(group=other, customer=single, actor=SYSTEM)


def test_balance_statistics_and_dso(cs):
    from remit.core.models import LegalEntity  # noqa: F401
    customer = cs.customer(limit=100_000, customer_since=None)
    tax = cs.zero_tax
    invoice_issue(customer=customer, invoice_date=date(2025, 11, 1), actor=SYSTEM,
                  lines=[LineSpec("Goods", Decimal(100_000), tax_code=tax)])
    invoice_issue(customer=customer, invoice_date=date(2026, 2, 1), actor=SYSTEM,
                  lines=[LineSpec("Goods", Decimal(50_000), tax_code=tax)])
    as_of = date(2026, 3, 2)
    assert risk.balance_statistics_calculate(legal_entity=cs.entity, as_of=as_of,
                                             actor=SYSTEM) == 1
    stat = BalanceStatistic.objects.get(customer_credit__customer=customer)
    days12, days6 = (as_of - date(2025, 3, 2)).days, (as_of - date(2025, 9, 2)).days
    assert stat.balance == Decimal(150_000)
    assert stat.dso1 == (Decimal(150_000) / Decimal(150_000) * days12).quantize(Decimal("0.01"))
    assert stat.dso2 == Decimal(days6)
    # running it again for the same day replaces, never doubles
    risk.balance_statistics_calculate(legal_entity=cs.entity, as_of=as_of, actor=SYSTEM)
    assert BalanceStatistic.objects.count() == 1
    with pytest.raises(InvalidInput, match="until"):
        risk.balance_statistics_delete(legal_entity=cs.entity, until=date(2026, 1, 1),
                                       as_of=as_of, actor=SYSTEM)
    assert risk.balance_statistics_delete(legal_entity=cs.entity, until=date(2025, 3, 1),
                                          as_of=as_of, actor=SYSTEM) == 0


def test_risk_scores_groups_and_automatic_limits(cs):
    years = ScoringGroup.objects.create(legal_entity=cs.entity, name="In business",
                                        group_type="business_years", score_type="range")
    years.lines.create(from_value=0, to_value=Decimal("4.99"), score=10)
    years.lines.create(from_value=5, to_value=None, score=40)
    rating = ScoringGroup.objects.create(legal_entity=cs.entity, name="Rating",
                                         group_type="user_defined", score_type="value")
    rating.lines.create(value="A1", score=40)
    rating.lines.create(value="A2", score=20)
    low = RiskGroup.objects.create(legal_entity=cs.entity, code="LOW", description="Low risk",
                                   score_from=60, score_to=1000)
    RiskGroup.objects.create(legal_entity=cs.entity, code="HIGH", description="High risk",
                             score_from=0, score_to=Decimal("59.99"))
    rule = AutomaticLimit.objects.create(legal_entity=cs.entity, risk_group=low, currency="NOK")
    rule.lines.create(scoring_group=years, operator=">=", value="5", credit_limit=100_000)
    rule.lines.create(scoring_group=years, operator=">=", value="10", credit_limit=200_000)
    old = cs.customer(business_started=date(2012, 1, 1))
    young = cs.customer(business_started=date(2024, 1, 1))
    credit_for(old).score_values.create(group=rating, value="A2")
    credit_for(young).score_values.create(group=rating, value="A1")
    result = risk.risk_scores_update(legal_entity=cs.entity, as_of=DAY, actor=SYSTEM)
    assert result.customers == 2
    old_credit, young_credit = credit_for(old), credit_for(young)
    old_credit.refresh_from_db()
    young_credit.refresh_from_db()
    assert (old_credit.risk_score, old_credit.risk_group.code) == (Decimal(60), "LOW")
    assert (young_credit.risk_score, young_credit.risk_group.code) == (Decimal(50), "HIGH")
    journal = adjustments.adjustment_create(legal_entity=cs.entity, kind="limit", actor=SYSTEM)
    assert adjustments.adjustment_generate_automatic(adjustment=journal,
                                                     new_to=date(2027, 3, 1),
                                                     actor=SYSTEM) == 1
    assert journal.lines.get().new_limit == Decimal(200_000)


def test_temporary_limit_rows_need_one_owner(cs):
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        TemporaryLimit.objects.create(credit_limit=1, valid_from=DAY, valid_to=DAY)
