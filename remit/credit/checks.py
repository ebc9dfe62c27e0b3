"""The credit check at a posting checkpoint: is the order exempt, within grace days, already
released for this step, or on hold; if not, evaluate the blocking rules on the customer's
position and pass it or put it on hold with its reasons. The caller (sales order posting)
has locked the customer; this locks the credit group, so two orders of one customer — or of
one credit group — cannot both pass on the same headroom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from remit.core import config
from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import RuleViolation
from remit.sales.models import SalesOrder

from . import rules
from .exposure import Position, position
from .models import (
    BlockingRule,
    Checkpoint,
    CreditCheck,
    CreditGroup,
    CreditHold,
    HoldReason,
    HoldStatus,
)
from .setup import credit_for, credit_setup_default, parameters_read

HELD_MESSAGE = "Order has been sent to credit management"


@dataclass
class Outcome:
    outcome: str                      # passed, held, skipped, released
    detail: str = ""
    hold: CreditHold | None = None

    @property
    def held(self) -> bool:
        return self.outcome == "held"


def rules_for(legal_entity) -> list[rules.Rule]:
    """The active blocking rules (kept while configuration is unchanged)."""
    return config.cached(("credit.rules", legal_entity.pk), lambda: _rules(legal_entity))


def _rules(legal_entity) -> list[rules.Rule]:
    return [rules.Rule(
        id=r.pk, rule_type=r.rule_type, scope=r.scope, customer_id=r.customer_id,
        group_id=r.management_group_id, risk_group_id=r.risk_group_id, kind=r.kind,
        value_type=r.value_type, value=r.value, limit_threshold=r.limit_threshold,
        account_status_id=r.account_status_id, payment_terms_id=r.payment_terms_id,
        release_order=r.release_order)
        for r in BlockingRule.objects.filter(legal_entity=legal_entity, is_active=True)]


def facts_for(order: SalesOrder, pos: Position, as_of: date, step: str = "") -> rules.Facts:
    params = parameters_read(order.legal_entity)
    credit, customer = pos.credit, order.customer
    status = credit.account_status
    return rules.Facts(
        as_of=as_of, customer_id=customer.pk, order_amount=pos.order_amount,
        group_id=credit.management_group_id, risk_group_id=credit.risk_group_id,
        account_status_id=credit.account_status_id,
        account_status=status.code if status else "",
        terms_id=order.payment_terms_id,
        terms=order.payment_terms.code if order.payment_terms else "",
        terms_rank=order.payment_terms.rank if order.payment_terms else None,
        customer_terms_rank=customer.payment_terms.rank if customer.payment_terms else None,
        discount=order.cash_discount_terms.code if order.cash_discount_terms else "",
        discount_rank=order.cash_discount_terms.rank if order.cash_discount_terms else None,
        customer_discount_rank=(customer.cash_discount_terms.rank
                                if customer.cash_discount_terms else None),
        days_overdue=pos.days_overdue, overdue_amount=pos.overdue,
        limit=pos.effective_limit, uses=tuple(pos.uses), limit_expires=credit.limit_expires,
        ignore_blank_expiry=params.ignore_blank_expiry,
        check_limit_used=params.check_sales_order_limit,
        check_terms_increase=params.check_terms_increase,
        check_discount_increase=params.check_discount_increase, step=step,
        status_hold=status.hold if status else "none")


def exemption(order: SalesOrder, as_of: date, credit=None) -> str | None:
    """Why credit management does not look at this order at all, if it doesn't (``credit``:
    the customer's record, when the caller has read it already)."""
    if not parameters_read(order.legal_entity).enabled:
        return "credit management is off"
    credit = credit or credit_for(order.customer)
    if credit.exclude:
        return "customer excluded from credit management"
    if credit.ignore_until is not None and as_of <= credit.ignore_until:
        return f"customer ignored by credit management until {credit.ignore_until}"
    if order.exclude_from_credit:
        return "order excluded from credit management"
    return None


def decide(order: SalesOrder, as_of: date, step: str,
           credit=None) -> tuple[rules.Decision, Position]:
    pos = position(order.customer, as_of, order=order, credit=credit)
    return (rules.evaluate(rules_for(order.legal_entity), facts_for(order, pos, as_of, step)),
            pos)


def position_data(pos: Position) -> dict:
    return {"as_of": pos.as_of.isoformat(), "currency": pos.currency,
            "limit_type": pos.limit_type, "balance": str(pos.amounts.balance),
            "packing_slips": str(pos.amounts.packing_slips),
            "open_orders": str(pos.amounts.open_orders), "order": str(pos.order_amount),
            "exposure": None if pos.exposure is None else str(pos.exposure),
            "limit": None if pos.effective_limit is None else str(pos.effective_limit),
            "uses": [[who, str(rules.shown(u))] for who, u in pos.uses],
            "overdue": str(pos.overdue), "days_overdue": pos.days_overdue}


def _log(order, step, as_of, outcome, detail="", data=None) -> None:
    CreditCheck.objects.create(legal_entity=order.legal_entity, order=order, step=step,
                               as_of=as_of, outcome=outcome, detail=detail[:255],
                               data=data or {})


def hold_place(order: SalesOrder, step: str, as_of: date, reasons, data: dict, actor: Actor, *,
               forced_reason=None) -> CreditHold:
    hold = CreditHold.objects.create(
        legal_entity=order.legal_entity, order=order, step=step, held_on=as_of,
        order_amount=order.total_amount, exposure=data, forced=forced_reason is not None,
        forced_reason=forced_reason)
    HoldReason.objects.bulk_create(HoldReason(hold=hold, code=r.code, text=r.text[:255],
                                              rule_id=r.rule_id) for r in reasons)
    audit_record(actor=actor, action="credit.hold.place", obj=order,
                 data={"step": step, "reasons": [r.text for r in reasons],
                       "forced": forced_reason.code if forced_reason else None, **data})
    return hold


def _checkpoints(legal_entity) -> dict[str, rules.Checkpoint]:
    """The checkpoints by step (kept while configuration is unchanged)."""
    def load():
        return {c.step: rules.Checkpoint(c.step, c.on_posting, c.on_pro_forma, c.grace_days)
                for c in Checkpoint.objects.filter(legal_entity=legal_entity)}

    found = config.cached(("credit.checkpoints", legal_entity.pk), load)
    if not found:  # a legal entity from before credit management: set it up, read it afresh
        credit_setup_default(legal_entity=legal_entity)
        found = load()
    return found


def order_check(*, order: SalesOrder, step: str, as_of: date, pro_forma: bool = False,
                actor: Actor) -> Outcome:
    """Run the checkpoint of ``step`` on a locked order (inside the posting transaction).
    The order's holds and the customer's credit record are read once: the customer is locked,
    so neither changes under the check."""
    holds = list(order.credit_holds.filter(
        Q(status__in=(HoldStatus.OPEN, HoldStatus.PENDING))
        | Q(step=step, status=HoldStatus.RELEASED, released_automatically=False)))
    open_hold = next((h for h in holds if h.status != HoldStatus.RELEASED), None)
    if open_hold is not None:
        raise RuleViolation(f"{order} is on credit hold ({open_hold.get_status_display()}); "
                            "credit management must release it first", code="credit_hold")
    credit = (credit_for(order.customer) if parameters_read(order.legal_entity).enabled
              else None)
    why = exemption(order, as_of, credit)
    if why:
        _log(order, step, as_of, "skipped", why)
        return Outcome("skipped", why)
    cp = _checkpoints(order.legal_entity).get(step)
    needed, why = rules.check_needed(cp, pro_forma=pro_forma,
                                     grace_until=order.credit_grace_until, as_of=as_of)
    if not needed:
        _log(order, step, as_of, "skipped", why)
        return Outcome("skipped", why)
    params = parameters_read(order.legal_entity)
    # a person's release authorizes the held step once; an automatic release does not (the
    # step is checked again, so two orders released by one evaluation cannot share headroom)
    released = next((h for h in holds if h.status == HoldStatus.RELEASED), None)  # the latest
    if released is not None and not pro_forma and (
            params.allow_edit_after_release or order.total_amount <= released.order_amount):
        detail = f"released by {released.decided_by_name or 'credit management'}"
        _log(order, step, as_of, "released", detail)
        return Outcome("released", detail)
    group = credit.credit_group
    if group is not None:  # the shared headroom: one check of the group at a time
        CreditGroup.objects.select_for_update().filter(pk=group.pk).first()
    decision, pos = decide(order, as_of, step, credit)
    data = position_data(pos)
    if decision.released_by is not None:
        detail = f"released by exclusion rule {decision.released_by}"
        _log(order, step, as_of, "passed", detail, data)
        return Outcome("passed", detail)
    if decision.held and not pro_forma:
        hold = hold_place(order, step, as_of, decision.reasons, data, actor)
        _log(order, step, as_of, "held", decision.detail, data)
        return Outcome("held", decision.detail, hold)
    if decision.held:
        _log(order, step, as_of, "held", f"pro forma: {decision.detail}", data)
        return Outcome("held", decision.detail)
    if cp is not None:
        order.credit_grace_until = rules.grace_until(cp, as_of)
        order.save(update_fields=["credit_grace_until"])
    _log(order, step, as_of, "passed", "", data)
    return Outcome("passed")
