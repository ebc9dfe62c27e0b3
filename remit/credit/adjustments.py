"""Credit limit adjustment journals: the way limits change when manual editing is off. A
journal holds lines for customers or credit groups (made by hand, generated from the current
limits by a fixed value or a percentage with rounding, or from the automatic credit limit
rules), is submitted and approved when the parameters ask for it, and posting applies every
line at once: new limits and expiry dates, or temporary limits for a period."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.money import amount_in_range
from remit.core.sequences import sequence_next_by_code
from remit.receivables.models import Customer
from remit.receivables.services.customers import customers_lock

from . import rules
from .models import (
    Adjustment,
    AdjustmentLine,
    AdjustmentStatus,
    AdjustmentType,
    AutomaticLimit,
    CreditGroup,
    CustomerCredit,
    CustomerScore,
    TemporaryLimit,
)
from .setup import ADJUSTMENT_SEQUENCE, credit_for, parameters_for

MAX_OFFSET_DAYS = 3660  # ten years: more is a typo


@transaction.atomic
def adjustment_create(*, legal_entity, kind: str, description: str = "",
                      actor: Actor) -> Adjustment:
    actor.require("credit.add_adjustment")
    if kind not in AdjustmentType.values:
        raise InvalidInput.field("kind", f"choose one of {', '.join(AdjustmentType.values)}")
    _, number = sequence_next_by_code(legal_entity, ADJUSTMENT_SEQUENCE)
    adjustment = Adjustment.objects.create(legal_entity=legal_entity, number=number, kind=kind,
                                           description=description.strip()[:200],
                                           created_by=actor.user)
    audit_record(actor=actor, action="credit.adjustment.create", obj=adjustment,
                 data={"kind": kind})
    return adjustment


def _draft(adjustment: Adjustment) -> Adjustment:
    locked = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
    if locked.status not in (AdjustmentStatus.DRAFT, AdjustmentStatus.REJECTED):
        raise RuleViolation(f"{locked} is {locked.get_status_display()}; its lines are final",
                            code="adjustment_not_draft")
    return locked


def _dates(adjustment: Adjustment, new_from: date | None, new_to: date | None):
    if new_to is None:
        raise InvalidInput.field("new_to", "give the new expiry date (temporary limits: the "
                                 "last day)")
    if adjustment.kind == AdjustmentType.TEMPORARY:
        if new_from is None:
            raise InvalidInput.field("new_from", "a temporary limit needs its first day")
        if new_from > new_to:
            raise InvalidInput.field("new_to", "cannot be before the first day")
    else:
        new_from = None
    return new_from, new_to


@transaction.atomic
def adjustment_line_add(*, adjustment: Adjustment, new_limit, new_to: date | None,
                        new_from: date | None = None, customer: Customer | None = None,
                        credit_group: CreditGroup | None = None, actor: Actor) -> AdjustmentLine:
    """A line for a customer or a credit group — one of them, never both."""
    actor.require("credit.change_adjustment")
    locked = _draft(adjustment)
    if (customer is None) == (credit_group is None):
        raise InvalidInput.field("customer", "a line is for a customer or a credit group")
    if customer is not None and customer.legal_entity_id != locked.legal_entity_id:
        raise InvalidInput.field("customer", f"{customer} is not in {locked.legal_entity.code}")
    limit = amount_in_range("new_limit", new_limit)
    if limit < 0:
        raise InvalidInput.field("new_limit", "cannot be negative")
    new_from, new_to = _dates(locked, new_from, new_to)
    credit = credit_for(customer) if customer is not None else None
    target = credit or credit_group
    return AdjustmentLine.objects.create(adjustment=locked, customer_credit=credit,
                                         credit_group=credit_group,
                                         current_limit=target.credit_limit, new_limit=limit,
                                         new_from=new_from, new_to=new_to)


@transaction.atomic
def adjustment_generate(*, adjustment: Adjustment, value, value_type: str = "fixed",
                        round_off=None, rounding: str = "nearest", method: str = "absolute",
                        new_from: date | None = None, new_to: date | None = None,
                        from_days: int = 0, to_days: int = 0, customers=None,
                        credit_groups=None, actor: Actor) -> int:
    """Lines from the current limits of the customers given (all of the legal entity's when
    neither customers nor groups are given) or of credit groups: + value or + value %,
    rounded; dates absolute, or relative to the current ones."""
    actor.require("credit.change_adjustment")
    locked = _draft(adjustment)
    if value_type not in ("fixed", "percent"):
        raise InvalidInput.field("value_type", "fixed or percent")
    if rounding not in ("up", "down", "nearest"):
        raise InvalidInput.field("rounding", "up, down or nearest")
    if method not in ("absolute", "relative"):
        raise InvalidInput.field("method", "absolute or relative")
    value = amount_in_range("value", value)
    round_off = amount_in_range("round_off", round_off) if round_off not in (None, "") else None
    if abs(from_days) > MAX_OFFSET_DAYS or abs(to_days) > MAX_OFFSET_DAYS:
        raise InvalidInput.field("to_days", f"relative dates move at most {MAX_OFFSET_DAYS} "
                                 "days")
    if method == "absolute":
        _dates(locked, new_from, new_to)
    targets: list = []
    if credit_groups is not None:
        targets = list(credit_groups)
    else:
        qs = Customer.objects.filter(legal_entity=locked.legal_entity)
        if customers is not None:
            qs = qs.filter(pk__in=[c.pk for c in customers])
        targets = [credit_for(c) for c in qs.order_by("account_number")]
    made = 0
    for target in targets:
        group = isinstance(target, CreditGroup)
        current_end = target.limit_expires
        temporary = None
        if locked.kind == AdjustmentType.TEMPORARY:
            temporary = (TemporaryLimit.objects.filter(
                **({"credit_group": target} if group else {"customer_credit": target}))
                .order_by("-valid_to").first())
        if method == "relative":
            start = temporary.valid_from if temporary else None
            end = temporary.valid_to if temporary else current_end
            if end is None:
                continue  # nothing to be relative to
            window = rules.adjusted_dates(rules.Window(start, end), method="relative",
                                          new_from=new_from, new_to=new_to,
                                          from_days=from_days, to_days=to_days)
            if locked.kind == AdjustmentType.TEMPORARY and window.start is None:
                continue
        else:
            window = rules.Window(new_from, new_to)
        base = temporary.credit_limit if temporary else target.credit_limit
        new = rules.adjusted_limit(base, value, value_type, round_off, rounding)
        AdjustmentLine.objects.create(
            adjustment=locked, customer_credit=None if group else target,
            credit_group=target if group else None, current_limit=target.credit_limit,
            new_limit=new,
            new_from=window.start if locked.kind == AdjustmentType.TEMPORARY else None,
            new_to=window.end)
        made += 1
    audit_record(actor=actor, action="credit.adjustment.generate", obj=locked,
                 data={"lines": made, "value": value, "value_type": value_type})
    return made


@transaction.atomic
def adjustment_generate_automatic(*, adjustment: Adjustment, new_to: date,
                                  new_from: date | None = None, actor: Actor) -> int:
    """Lines from the automatic credit limit rules: for each customer whose risk group has a
    rule in the accounting currency and whose data matches a line of it (its scores are those
    of the last risk score update)."""
    actor.require("credit.change_adjustment")
    locked = _draft(adjustment)
    new_from, new_to = _dates(locked, new_from, new_to)
    currency = locked.legal_entity.accounting_currency
    limits = {r.risk_group_id: r for r in AutomaticLimit.objects.filter(
        legal_entity=locked.legal_entity, currency=currency).prefetch_related("lines")}
    made = 0
    credits = (CustomerCredit.objects.filter(legal_entity=locked.legal_entity,
                                             risk_group_id__in=limits.keys())
               .order_by("customer__account_number"))
    for credit in credits:
        rule = limits[credit.risk_group_id]
        measured = dict(CustomerScore.objects.filter(customer_credit=credit)
                        .values_list("group_id", "measured"))
        new = rules.automatic_limit(
            [rules.LimitLine(x.scoring_group_id, x.operator, x.value, x.credit_limit)
             for x in rule.lines.all()], measured,
            revenue=credit.annual_revenue, max_revenue=rule.max_revenue)
        if new is None:
            continue
        AdjustmentLine.objects.create(adjustment=locked, customer_credit=credit,
                                      current_limit=credit.credit_limit, new_limit=new,
                                      new_from=new_from, new_to=new_to)
        made += 1
    audit_record(actor=actor, action="credit.adjustment.generate_automatic", obj=locked,
                 data={"lines": made})
    return made


@transaction.atomic
def adjustment_submit(*, adjustment: Adjustment, actor: Actor) -> Adjustment:
    actor.require("credit.change_adjustment")
    locked = _draft(adjustment)
    if not locked.lines.exists():
        raise RuleViolation(f"{locked} has no lines", code="adjustment_empty")
    locked.status, locked.submitted_by = AdjustmentStatus.SUBMITTED, actor.user
    locked.save(update_fields=["status", "submitted_by"])
    audit_record(actor=actor, action="credit.adjustment.submit", obj=locked)
    return locked


@transaction.atomic
def adjustment_approve(*, adjustment: Adjustment, approve: bool, actor: Actor) -> Adjustment:
    actor.require("credit.approve_adjustment")
    locked = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
    if locked.status != AdjustmentStatus.SUBMITTED:
        raise RuleViolation(f"{locked} is not waiting for approval", code="not_submitted")
    if actor.user is not None and locked.submitted_by_id == actor.user.pk:
        raise RuleViolation("a second person approves: you submitted this journal",
                            code="own_request")
    locked.status = AdjustmentStatus.APPROVED if approve else AdjustmentStatus.REJECTED
    locked.approved_by = actor.user
    locked.save(update_fields=["status", "approved_by"])
    audit_record(actor=actor, action=f"credit.adjustment.{'approve' if approve else 'reject'}",
                 obj=locked)
    return locked


@transaction.atomic
def adjustment_post(*, adjustment: Adjustment, on: date, actor: Actor) -> Adjustment:
    """Apply every line: limit and expiry (credit limit journals) or a temporary limit for
    [from, to] (temporary journals). Members' rows are locked customer-first."""
    actor.require("credit.post_adjustment")
    locked = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
    needs_approval = parameters_for(locked.legal_entity).adjustment_approval
    allowed = ((AdjustmentStatus.APPROVED,) if needs_approval
               else (AdjustmentStatus.DRAFT, AdjustmentStatus.APPROVED))
    if locked.status not in allowed:
        raise RuleViolation(f"{locked} is {locked.get_status_display()}"
                            + ("; it needs approval first" if needs_approval else ""),
                            code="adjustment_not_postable")
    lines = list(locked.lines.select_related("customer_credit", "credit_group"))
    if not lines:
        raise RuleViolation(f"{locked} has no lines", code="adjustment_empty")
    customers_lock([line.customer_credit.customer_id for line in lines if line.customer_credit])
    # then the credit records and the groups, each in key order: two journals naming the same
    # rows in different orders wait for each other instead of deadlocking
    list(CustomerCredit.objects.select_for_update().order_by("pk").filter(
        pk__in=[line.customer_credit_id for line in lines if line.customer_credit_id])
        .values_list("pk", flat=True))
    list(CreditGroup.objects.select_for_update().order_by("pk").filter(
        pk__in=[line.credit_group_id for line in lines if line.credit_group_id])
        .values_list("pk", flat=True))
    for line in lines:
        target = line.customer_credit or line.credit_group
        model = type(target)
        if locked.kind == AdjustmentType.TEMPORARY:
            TemporaryLimit.objects.create(
                customer_credit=line.customer_credit, credit_group=line.credit_group,
                credit_limit=line.new_limit, valid_from=line.new_from, valid_to=line.new_to,
                adjustment_line=line)
            model.objects.filter(pk=target.pk).update(limit_date=on)
        else:
            model.objects.filter(pk=target.pk).update(credit_limit=line.new_limit,
                                                      limit_expires=line.new_to, limit_date=on)
    locked.status, locked.posted_by, locked.posted_on = AdjustmentStatus.POSTED, actor.user, on
    locked.save(update_fields=["status", "posted_by", "posted_on"])
    audit_record(actor=actor, action="credit.adjustment.post", obj=locked,
                 data={"lines": [{"customer": line.customer_credit.customer.account_number
                                  if line.customer_credit else None,
                                  "group": line.credit_group.code if line.credit_group
                                  else None,
                                  "from": str(line.current_limit), "to": str(line.new_limit)}
                                 for line in lines]})
    return locked
