"""What credit management does with a held order: release it (with or without posting the
step that was held), reject it, force a hold, and evaluate open holds again — clearing the
reasons that no longer apply, marking 'ready to release', and releasing automatically when
the parameters say so (never a forced hold). With release approval on, a release or rejection
waits for a second person. Every decision is in the audit log and on the hold itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import DomainError, InvalidInput, RuleViolation
from remit.receivables.services.customers import customers_lock
from remit.sales.models import OrderStatus, SalesOrder

from .checks import decide, hold_place, position_data
from .models import AutoRelease, CreditGroup, CreditHold, CreditReason, HoldStatus, ReasonType
from .rules import Reason
from .setup import credit_for, parameters_for, reason

FORCED = "forced"
ACTIVE = (HoldStatus.OPEN, HoldStatus.PENDING)


def _lock(hold: CreditHold) -> CreditHold:
    customers_lock([hold.order.customer_id])
    return (CreditHold.objects.select_for_update(of=("self",))
            .select_related("order__customer", "legal_entity").get(pk=hold.pk))


def _reason(legal_entity, kind: str, chosen: CreditReason | None) -> CreditReason | None:
    if chosen is not None and (chosen.legal_entity_id != legal_entity.pk or chosen.kind != kind):
        raise InvalidInput.field("reason", f"{chosen.code} is not a {kind} reason of "
                                 f"{legal_entity.code}")
    return chosen


def _decided(hold: CreditHold, status: str, actor: Actor) -> None:
    hold.status = status
    hold.decided_by = actor.user
    hold.decided_by_name = actor.name[:150]
    hold.decided_at = timezone.now()


@transaction.atomic
def hold_release(*, hold: CreditHold, reason: CreditReason | None = None,
                 review_date: date | None = None, posting: bool = False, on: date,
                 note: str = "", actor: Actor):
    """Release (or, with release approval, ask to). With posting, the held step is posted at
    once; its check finds the release and lets it through. Returns the posting's result or
    None."""
    actor.require("credit.release_credithold")
    locked = _lock(hold)
    if locked.status != HoldStatus.OPEN:
        raise RuleViolation(f"this hold is {locked.get_status_display()}", code="hold_closed")
    locked.release_reason = _reason(locked.legal_entity, ReasonType.RELEASE, reason)
    locked.review_date, locked.release_posting = review_date, posting
    locked.release_note = note.strip()[:255]
    if parameters_for(locked.legal_entity).release_approval and not locked.forced:
        return _request(locked, "release", actor)
    return _release(locked, on, actor)


def _request(hold: CreditHold, action: str, actor: Actor) -> None:
    hold.status, hold.requested_by, hold.requested_action = HoldStatus.PENDING, actor.user, action
    hold.save()
    audit_record(actor=actor, action=f"credit.hold.{action}_requested", obj=hold.order,
                 data={"hold": hold.pk, "reason": hold.release_reason.code
                       if hold.release_reason else None, "note": hold.release_note})


def _release(hold: CreditHold, on: date, actor: Actor):
    from remit.sales.services import sales_order_post

    _decided(hold, HoldStatus.RELEASED, actor)
    hold.order_amount = hold.order.total_amount
    hold.save()
    audit_record(actor=actor, action="credit.hold.release", obj=hold.order,
                 data={"hold": hold.pk, "step": hold.step, "posting": hold.release_posting,
                       "reason": hold.release_reason.code if hold.release_reason else None,
                       "note": hold.release_note,
                       "review_date": hold.review_date.isoformat() if hold.review_date
                       else None})
    if hold.release_posting:
        return sales_order_post(order=hold.order, step=hold.step, on=max(on, hold.held_on),
                                actor=actor)
    return None


@transaction.atomic
def hold_reject(*, hold: CreditHold, reason: CreditReason | None = None, note: str = "",
                actor: Actor) -> CreditHold:
    """Take the order off the list and mark it rejected: it posts no further step."""
    actor.require("credit.release_credithold")
    locked = _lock(hold)
    if locked.status != HoldStatus.OPEN:
        raise RuleViolation(f"this hold is {locked.get_status_display()}", code="hold_closed")
    locked.release_reason = _reason(locked.legal_entity, ReasonType.RELEASE, reason)
    locked.release_note = note.strip()[:255]
    if parameters_for(locked.legal_entity).release_approval and not locked.forced:
        _request(locked, "reject", actor)
        return locked
    return _reject(locked, actor)


def _reject(hold: CreditHold, actor: Actor) -> CreditHold:
    _decided(hold, HoldStatus.REJECTED, actor)
    hold.save()
    SalesOrder.objects.filter(pk=hold.order_id).update(credit_rejected=True)
    audit_record(actor=actor, action="credit.hold.reject", obj=hold.order,
                 data={"hold": hold.pk, "note": hold.release_note})
    return hold


@transaction.atomic
def hold_decide_request(*, hold: CreditHold, approve: bool, on: date, actor: Actor):
    """Approve (carry out) or decline a pending release or rejection; not one's own."""
    actor.require("credit.approve_credithold")
    locked = _lock(hold)
    if locked.status != HoldStatus.PENDING:
        raise RuleViolation("nothing is waiting for approval on this hold", code="not_pending")
    if actor.user is not None and locked.requested_by_id == actor.user.pk:
        raise RuleViolation("a second person approves: you asked for this one",
                            code="own_request")
    action = locked.requested_action
    if not approve:
        locked.status, locked.requested_action = HoldStatus.OPEN, ""
        locked.save()
        audit_record(actor=actor, action=f"credit.hold.{action}_declined", obj=locked.order,
                     data={"hold": locked.pk})
        return None
    if action == "reject":
        return _reject(locked, actor)
    return _release(locked, on, actor)


@transaction.atomic
def hold_force(*, order: SalesOrder, reason: CreditReason, on: date, note: str = "",
               actor: Actor) -> CreditHold:
    """A forced hold at the order's next step: only a person releases it."""
    from remit.sales.services import next_step

    actor.require("credit.release_credithold")
    customers_lock([order.customer_id])
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    _reason(locked.legal_entity, ReasonType.HOLD, reason)
    step = next_step(locked)
    if step is None or locked.status == OrderStatus.CANCELLED or locked.credit_rejected:
        raise RuleViolation(f"{locked} has no step left to hold", code="order_closed")
    text = f"Forced: {reason.description}" + (f" — {note.strip()}" if note.strip() else "")
    existing = locked.credit_holds.filter(status__in=ACTIVE).first()
    if existing is not None:
        existing.forced, existing.forced_reason = True, reason
        existing.save(update_fields=["forced", "forced_reason"])
        existing.reasons.create(code=FORCED, text=text[:255])
        audit_record(actor=actor, action="credit.hold.force", obj=locked,
                     data={"hold": existing.pk, "reason": reason.code})
        return existing
    return hold_place(locked, step, on, [Reason(FORCED, text)], {}, actor,
                      forced_reason=reason)


def holds_force(*, legal_entity, reason: CreditReason, on: date, customer=None,
                actor: Actor) -> int:
    """The periodic 'force credit hold': every open order (of one customer, if given) not on
    hold yet gets a forced hold. Running it again changes nothing."""
    orders = SalesOrder.objects.filter(
        legal_entity=legal_entity, credit_rejected=False,
        status__in=(OrderStatus.OPEN, OrderStatus.CONFIRMED, OrderStatus.PICKED,
                    OrderStatus.DELIVERED)).exclude(credit_holds__status__in=ACTIVE)
    if customer is not None:
        orders = orders.filter(customer=customer)
    count = 0
    for order in orders.order_by("pk"):
        hold_force(order=order, reason=reason, on=on, actor=actor)
        count += 1
    return count


@dataclass
class Evaluation:
    evaluated: int = 0
    cleared: int = 0
    ready: int = 0
    released: int = 0
    failed: list[str] = field(default_factory=list)  # automatic releases that could not post


def holds_evaluate(*, legal_entity, as_of: date, customer=None, holds=None,
                   actor: Actor) -> Evaluation:
    """'Evaluate for release': each open hold checked again as of ``as_of``, one transaction
    per hold (a batch that stops half-way has finished every hold it reached; a release that
    cannot post leaves its hold ready and open, and the batch goes on)."""
    qs = CreditHold.objects.filter(legal_entity=legal_entity, status=HoldStatus.OPEN)
    if customer is not None:
        qs = qs.filter(order__customer=customer)
    if holds is not None:
        qs = qs.filter(pk__in=[h.pk for h in holds])
    result = Evaluation()
    for hold in qs.order_by("pk"):
        _evaluate_one(hold, as_of, actor, result)
    return result


@transaction.atomic
def _evaluate_one(hold: CreditHold, as_of: date, actor: Actor, result: Evaluation) -> None:
    locked = _lock(hold)
    if locked.status != HoldStatus.OPEN:
        return
    order = (SalesOrder.objects.select_related(
        "customer__payment_terms", "customer__cash_discount_terms", "payment_terms",
        "cash_discount_terms", "legal_entity").get(pk=locked.order_id))
    group = credit_for(order.customer).credit_group
    if group is not None:  # the same locks, in the same order, as a posting's check
        CreditGroup.objects.select_for_update().filter(pk=group.pk).first()
    result.evaluated += 1
    decision, pos = decide(order, as_of, locked.step)
    current = {} if decision.released_by is not None else {r.code: r for r in decision.reasons}
    known = set()
    for r in locked.reasons.exclude(code=FORCED):
        known.add(r.code)
        if not r.cleared and r.code not in current:
            r.cleared = True
            r.save(update_fields=["cleared"])
            result.cleared += 1
        elif r.cleared and r.code in current:  # it applies again
            r.cleared = False
            r.save(update_fields=["cleared"])
    for code, new in current.items():  # reasons that apply now but did not when it was held
        if code not in known:
            locked.reasons.create(code=code, text=new.text[:255], rule_id=new.rule_id)
    ready = not current
    locked.evaluated_on, locked.ready_to_release = as_of, ready
    locked.exposure = position_data(pos)
    locked.save(update_fields=["evaluated_on", "ready_to_release", "exposure"])
    audit_record(actor=actor, action="credit.hold.evaluate", obj=order,
                 data={"hold": locked.pk, "still": sorted(current), "ready": ready})
    if not ready:
        return
    result.ready += 1
    mode = parameters_for(locked.legal_entity).auto_release
    if locked.forced or mode == AutoRelease.NO:
        return
    locked.release_reason = reason(locked.legal_entity, ReasonType.RELEASE, "AUTO")
    locked.release_posting = mode == AutoRelease.WITH_POSTING
    locked.released_automatically = True
    try:
        with transaction.atomic():
            posted = _release(locked, as_of, actor)
            if posted is not None and not posted.posted:
                raise RuleViolation(posted.message, code="held_again")
    except DomainError as exc:
        locked.refresh_from_db()
        result.failed.append(f"{order}: {exc.message}")
        return
    result.released += 1


def holds_close_for_cancelled(order: SalesOrder, actor: Actor) -> None:
    for hold in order.credit_holds.filter(status__in=ACTIVE):
        hold.release_note = "order cancelled"
        _decided(hold, HoldStatus.REJECTED, actor)
        hold.save()
        audit_record(actor=actor, action="credit.hold.cancelled", obj=order,
                     data={"hold": hold.pk})
