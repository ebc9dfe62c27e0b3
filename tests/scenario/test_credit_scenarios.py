"""Spec §2 worked examples as stories on the database: real customers, limits posted through
adjustment journals, real orders at the confirmation checkpoint.

Credit-limit-scenarios.md: individual and group limits (group checked first, the lower wins,
0 means 'use the group' unless mandatory or unlimited); §2.3 insurance; §2.7 the evaluation
order with an exclusion that releases the order."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.credit import services
from remit.credit.models import ManagementGroup
from remit.credit.rules_setup import blocking_rule_create
from remit.credit.setup import credit_for
from remit.receivables.services import LineSpec, invoice_issue
from tests.credit.conftest import DAY, CreditStory
from tests.helpers import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_story(entity):
    story = CreditStory(entity)
    story.params(allow_manual_limit_edit=True)
    group = services.credit_group_create(code="G15", description="Group of 15,000",
                                         currency="NOK", credit_limit=15_000,
                                         limit_expires=date(2027, 12, 31), actor=SYSTEM)
    return story, group


def _member(story, group, limit, **flags):
    customer = story.customer(limit=limit, **flags)
    services.credit_group_add(group=group, customer=customer, actor=SYSTEM)
    return customer


def _passes(story, customer, amount) -> bool:
    return story.post(story.order(customer, amount)).posted


@pytest.mark.parametrize("limit,flags,passes,held", [
    (10_000, {}, "10000.00", "10000.01"),                   # 1: the individual 10,000 binds
    (20_000, {}, "15000.00", "15000.01"),                   # 2: the group's 15,000 binds first
    (0, {"mandatory": True}, None, "0.01"),                 # 3: 0 and mandatory: no credit
    (0, {"unlimited": True}, "1000000.00", None),           # 4: unlimited, even in a group
    (0, {}, "15000.00", "15000.01"),                        # 5: 0 uses the group's limit
])
def test_the_five_credit_group_scenarios(group_story, limit, flags, passes, held):
    story, group = group_story
    if passes is not None:
        assert _passes(story, _member(story, group, limit, **flags), passes)
    if held is not None:
        assert not _passes(story, _member(story, group, limit, **flags), held)


def test_insurance_worked_example_raises_the_limit_to_125000(entity):
    story = CreditStory(entity)
    customer = story.customer(limit=100_000)
    services.insurance_add(customer=customer, kind="insurance", insurer="Atradius",
                           effective=date(2026, 1, 1), expires=date(2026, 12, 31),
                           value=50_000, currency="NOK", update_percent=50, actor=SYSTEM)
    assert _passes(story, customer, "125000.00")
    assert not _passes(story, story.customer(limit=100_000), "125000.00")
    included = story.customer(limit=100_000)
    services.insurance_add(customer=included, kind="insurance", insurer="Atradius",
                           effective=date(2026, 1, 1), expires=date(2026, 12, 31),
                           value=50_000, currency="NOK", update_percent=50,
                           included_in_exposure=True, actor=SYSTEM)
    assert not _passes(story, included, "75000.01")
    assert _passes(story, story.customer(limit=100_000), "75000.00")


def test_evaluation_order_on_real_orders(entity):
    """Block everyone over 61 days overdue; a key customer is excluded while under 100 days;
    and a release exclusion lets any customer with little overdue through at once, over its
    limit or not."""
    story = CreditStory(entity)
    key_group = ManagementGroup.objects.create(legal_entity=entity, code="KEY", name="Key")
    blocking_rule_create(legal_entity=entity, rule_type="days_overdue", value=Decimal(61),
                         actor=SYSTEM)
    blocking_rule_create(legal_entity=entity, rule_type="days_overdue", scope="group",
                         management_group=key_group, kind="exclusion", value=Decimal(100),
                         actor=SYSTEM)

    def overdue_customer(days, amount="1000.00", **credit):
        customer = story.customer(limit=1_000_000, **credit)
        invoice_issue(customer=customer, invoice_date=date(2025, 1, 1),
                      due_date=DAY - timedelta(days=days), actor=SYSTEM,
                      lines=[LineSpec("Old", Decimal(amount), tax_code=story.zero_tax)])
        return customer

    plain = overdue_customer(80)
    key = overdue_customer(80, management_group=key_group)
    very_late_key = overdue_customer(120, management_group=key_group)
    held = story.post(story.order(plain, "10.00"))
    assert not held.posted and held.hold.reasons.get().text.startswith(
        "Oldest open item overdue 80 days")
    assert _passes(story, key, "10.00")
    assert not _passes(story, very_late_key, "10.00")

    blocking_rule_create(legal_entity=entity, rule_type="days_overdue", kind="exclusion",
                         value_type="amount", value=Decimal(5000), release_order=True,
                         actor=SYSTEM)
    small = overdue_customer(150, amount="400.00")
    credit = credit_for(small)
    credit.credit_limit = Decimal(10)
    credit.save()
    result = story.post(story.order(small, "900.00"))
    assert result.posted  # released by the exclusion before the limit rule was looked at
    assert "released by exclusion rule" in small.sales_orders.get().credit_checks.first().detail
