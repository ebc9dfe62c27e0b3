"""Orders through the credit checkpoints: held with reasons, released, rejected, forced,
evaluated again — the services end to end on the database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.core.exceptions import RuleViolation
from remit.core.models import AuditLog
from remit.credit import holds
from remit.credit.models import CreditCheck, CreditHold, HoldStatus
from remit.credit.setup import reason
from remit.sales.models import OrderStatus
from tests.helpers import SYSTEM

from .conftest import DAY


def test_order_within_the_limit_passes_and_one_over_it_is_held(cs):
    customer = cs.customer(limit=5000)
    first = cs.order(customer, "3000.00")
    assert cs.post(first).posted
    second = cs.order(customer, "2500.00")
    result = cs.post(second)
    assert not result.posted
    assert result.message.startswith("Order has been sent to credit management")
    hold = second.credit_holds.get()
    assert hold.status == HoldStatus.OPEN and hold.step == "confirmation"
    assert [r.code for r in hold.reasons.all()] == ["limit_used"]
    assert "110.00 % of the customer credit limit used" in hold.reasons.get().text
    assert Decimal(hold.exposure["open_orders"]) == Decimal(3000)
    second.refresh_from_db()
    assert second.status == OrderStatus.OPEN


def test_a_held_order_cannot_be_posted_until_released(cs):
    customer = cs.customer(limit=100)
    order = cs.order(customer, "500.00")
    cs.post(order)
    with pytest.raises(RuleViolation, match="credit hold"):
        cs.post(order)


def test_release_with_posting_posts_the_held_step_and_records_who_and_why(cs, make_user, entity):
    manager = make_user("Credit manager", [entity])
    customer = cs.customer(limit=100)
    order = cs.order(customer, "500.00")
    hold = cs.post(order).hold
    from remit.core.actor import Actor
    result = holds.hold_release(hold=hold, reason=reason(cs.entity, "release", "APPROVED"),
                                posting=True, on=DAY, note="Known customer",
                                review_date=DAY + timedelta(days=30), actor=Actor.web(manager))
    assert result.posted
    hold.refresh_from_db()
    assert hold.status == HoldStatus.RELEASED and hold.decided_by == manager
    assert hold.release_reason.code == "APPROVED" and hold.release_note == "Known customer"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert AuditLog.objects.filter(action="credit.hold.release", actor=manager).exists()
    # the next checkpoint checks again, and holds again: the release was for confirmation
    result = cs.post(order, "packing_slip")
    assert not result.posted and result.hold.step == "packing_slip"


def test_release_without_posting_lets_the_same_step_through_once(cs):
    customer = cs.customer(limit=100)
    order = cs.order(customer, "500.00")
    hold = cs.post(order).hold
    holds.hold_release(hold=hold, on=DAY, actor=SYSTEM)
    assert cs.post(order).posted
    assert CreditCheck.objects.filter(order=order, outcome="released").exists()


def test_an_order_grown_after_release_is_checked_again(cs):
    from remit.receivables.services import LineSpec
    from remit.sales.services import sales_order_lines_replace
    customer = cs.customer(limit=100)
    order = cs.order(customer, "500.00")
    holds.hold_release(hold=cs.post(order).hold, on=DAY, actor=SYSTEM)
    sales_order_lines_replace(order=order, lines=[LineSpec("More", Decimal(900),
                                                           tax_code=cs.zero_tax)], actor=SYSTEM)
    assert not cs.post(order).posted
    # allowed by the parameter: the release stands
    cs.params(allow_edit_after_release=True)
    order2 = cs.order(customer, "500.00")
    holds.hold_release(hold=cs.post(order2).hold, on=DAY, actor=SYSTEM)
    sales_order_lines_replace(order=order2, lines=[LineSpec("More", Decimal(900),
                                                            tax_code=cs.zero_tax)], actor=SYSTEM)
    assert cs.post(order2).posted


def test_reject_marks_the_order_and_it_posts_nothing_more(cs):
    customer = cs.customer(limit=100)
    order = cs.order(customer, "500.00")
    holds.hold_reject(hold=cs.post(order).hold, note="No", actor=SYSTEM)
    order.refresh_from_db()
    assert order.credit_rejected
    with pytest.raises(RuleViolation, match="rejected"):
        cs.post(order)


def test_release_approval_needs_a_second_person(cs, make_user, entity):
    from remit.core.actor import Actor
    cs.params(release_approval=True)
    a = Actor.web(make_user("Credit manager", [entity]))
    b = Actor.web(make_user("Credit manager", [entity]))
    customer = cs.customer(limit=100)
    order = cs.order(customer, "500.00")
    hold = cs.post(order).hold
    holds.hold_release(hold=hold, posting=True, on=DAY, actor=a)
    hold.refresh_from_db()
    assert hold.status == HoldStatus.PENDING
    with pytest.raises(RuleViolation, match="second person"):
        holds.hold_decide_request(hold=hold, approve=True, on=DAY, actor=a)
    result = holds.hold_decide_request(hold=hold, approve=True, on=DAY, actor=b)
    assert result.posted
    hold.refresh_from_db()
    assert hold.status == HoldStatus.RELEASED and hold.decided_by == b.user


def test_forced_hold_is_never_released_automatically(cs):
    cs.params(auto_release="without_posting")
    customer = cs.customer(limit=100_000)
    order = cs.order(customer, "500.00")
    hold = holds.hold_force(order=order, reason=reason(cs.entity, "hold", "FORCED"), on=DAY,
                            actor=SYSTEM)
    assert hold.forced and hold.step == "confirmation"
    result = holds.holds_evaluate(legal_entity=cs.entity, as_of=DAY, actor=SYSTEM)
    hold.refresh_from_db()
    assert result.ready == 1 and result.released == 0
    assert hold.ready_to_release and hold.status == HoldStatus.OPEN
    # the periodic force is idempotent: the order is already on hold
    assert holds.holds_force(legal_entity=cs.entity, reason=hold.forced_reason, on=DAY,
                             actor=SYSTEM) == 0


def test_evaluate_clears_reasons_and_auto_releases_with_posting(cs):
    cs.params(auto_release="with_posting")
    customer = cs.customer(limit=1000)
    order = cs.order(customer, "1500.00")
    hold = cs.post(order).hold
    none = holds.holds_evaluate(legal_entity=cs.entity, as_of=DAY, actor=SYSTEM)
    assert none.ready == 0 and none.cleared == 0
    cs.set_limit(customer, 2000)
    result = holds.holds_evaluate(legal_entity=cs.entity, as_of=DAY, actor=SYSTEM)
    assert (result.cleared, result.ready, result.released) == (1, 1, 1)
    hold.refresh_from_db()
    order.refresh_from_db()
    assert hold.status == HoldStatus.RELEASED and hold.release_reason.code == "AUTO"
    assert order.status == OrderStatus.CONFIRMED


def test_cancelling_a_held_order_closes_its_hold(cs):
    from remit.sales.services import sales_order_cancel
    customer = cs.customer(limit=100)
    order = cs.order(customer, "500.00")
    hold = cs.post(order).hold
    sales_order_cancel(order=order, actor=SYSTEM)
    hold.refresh_from_db()
    assert hold.status == HoldStatus.REJECTED


def test_invoice_step_posts_a_receivables_invoice_with_the_order_terms(cs):
    customer = cs.customer(limit=10_000)
    order = cs.order(customer, "800.00")
    result = cs.post(order, "invoice", on=DAY + timedelta(days=1))
    assert result.posted
    order.refresh_from_db()
    assert order.status == OrderStatus.INVOICED and order.invoice.total_amount == Decimal(800)
    assert order.confirmed_on == order.delivered_on == DAY + timedelta(days=1)
    item = order.invoice.transactions.get()
    assert item.amount == Decimal(800) and item.attributes["sales_order"] == order.number


def test_exempt_orders_and_customers_skip_credit(cs):
    excluded = cs.customer(limit=0, exclude=True)
    assert cs.post(cs.order(excluded, "500.00")).posted
    ignored = cs.customer(limit=0, ignore_until=DAY)
    assert cs.post(cs.order(ignored, "500.00")).posted
    assert not cs.post(cs.order(ignored, "500.00"), on=DAY + timedelta(days=1)).posted
    plain = cs.customer(limit=0)
    assert cs.post(cs.order(plain, "500.00", exclude_from_credit=True)).posted


def test_exclude_from_credit_on_an_order_needs_credit_staff(cs, make_user, entity):
    from remit.core.actor import Actor
    from remit.core.exceptions import AccessDenied
    from remit.sales.services import sales_order_create
    rep = Actor.web(make_user("Sales rep", [entity]))
    customer = cs.customer(limit=0)
    with pytest.raises(AccessDenied, match="exclude_order"):
        sales_order_create(customer=customer, order_date=DAY, lines=[], actor=rep,
                           exclude_from_credit=True)


def test_grace_days_skip_the_next_checkpoint_until_they_pass(cs):
    for step in ("confirmation", "packing_slip", "invoice"):
        cs.checkpoint(step, grace_days=2)
    customer = cs.customer(limit=1000)
    order = cs.order(customer, "900.00", on=date(2026, 3, 1))
    assert cs.post(order, on=date(2026, 3, 1)).posted
    cs.set_limit(customer, 100)  # would now hold
    assert cs.post(order, "packing_slip", on=date(2026, 3, 3)).posted  # within grace
    last = CreditCheck.objects.filter(order=order).first()
    assert last.outcome == "skipped" and "grace" in last.detail
    # day 4: the grace days have passed, the invoice step is checked again and held
    assert not cs.post(order, "invoice", on=date(2026, 3, 4)).posted


def test_no_checkpoint_at_picking_by_default(cs):
    customer = cs.customer(limit=1000)
    order = cs.order(customer, "900.00")
    cs.post(order)
    cs.set_limit(customer, 10)
    assert cs.post(order, "picking").posted


def test_pro_forma_checks_without_holding(cs):
    cs.checkpoint("confirmation", on_pro_forma=True)
    customer = cs.customer(limit=10)
    order = cs.order(customer, "900.00")
    result = cs.post(order, pro_forma=True)
    assert not result.posted and not CreditHold.objects.filter(order=order).exists()
    check = CreditCheck.objects.get(order=order)
    assert check.outcome == "held" and check.detail.startswith("pro forma:")


def test_the_nightly_task_scores_and_evaluates_holds(cs):
    from remit.credit.models import BalanceStatistic
    from remit.credit.tasks import credit_nightly

    cs.params(auto_release="without_posting")
    customer = cs.customer(limit=100)
    hold = cs.post(cs.order(customer, "500.00", on=date.today()), on=date.today()).hold
    cs.set_limit(customer, 1000)
    done = credit_nightly.call()
    assert done[cs.entity.code]["released"] == 1
    assert BalanceStatistic.objects.filter(customer_credit__customer=customer).exists()
    hold.refresh_from_db()
    assert hold.status == HoldStatus.RELEASED


def test_the_credit_command_runs_the_periodic_tasks(cs, capsys):
    from django.core.management import call_command

    customer = cs.customer(limit=100)
    cs.post(cs.order(customer, "500.00"))
    call_command("credit", "statistics", "--entity", "NO01", "--as-of", "2026-03-02")
    call_command("credit", "risk", "--entity", "NO01", "--as-of", "2026-03-02")
    call_command("credit", "evaluate", "--entity", "NO01", "--as-of", "2026-03-02")
    call_command("credit", "holds")
    out = capsys.readouterr().out
    assert "statistics for 1 customers" in out and "1 evaluated" in out
    assert "SO-000001" in out and "2026-03-02" in out
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="no hold reason"):
        call_command("credit", "force", "--entity", "NO01", "--reason", "NOPE")
