"""Credit over the API: a customer's credit position, the holds list, release and reject —
the same services as the pages."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Router, Schema

from remit.api_auth import Rule
from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput, NotFound
from remit.core.scope import across, scope_of
from remit.core.selectors import legal_entities_for
from remit.receivables import selectors as receivables
from remit.receivables.api import Strict

from . import holds
from .exposure import position
from .models import CreditHold, CreditReason, HoldStatus, ReasonType

router = Router(tags=["credit"])


class PositionOut(Schema):
    customer: str
    as_of: date
    currency: str
    limit_type: str
    unlimited: bool
    credit_limit: Decimal
    temporary_limit: Decimal | None
    total_limit: Decimal
    effective_limit: Decimal | None
    balance: Decimal
    packing_slips: Decimal
    open_orders: Decimal
    exposure: Decimal | None
    available: Decimal | None
    overdue: Decimal
    days_overdue: int
    credit_group: str | None
    risk_score: Decimal | None
    risk_group: str | None


@router.get("/customers/{account_number}", response=PositionOut,
            auth=Rule("credit.view_customercredit"))
def customer_position(request, account_number: str, as_of: date | None = None):
    customer = receivables.customer_by_number(scope_of(request), account_number)
    pos = position(customer, as_of or timezone.localdate())
    credit = pos.credit
    return {"customer": customer.account_number, "as_of": pos.as_of, "currency": pos.currency,
            "limit_type": pos.limit_type, "unlimited": credit.unlimited,
            "credit_limit": pos.normal_limit, "temporary_limit": pos.temporary_limit,
            "total_limit": pos.total_limit, "effective_limit": pos.effective_limit,
            "balance": pos.amounts.balance, "packing_slips": pos.amounts.packing_slips,
            "open_orders": pos.amounts.open_orders, "exposure": pos.exposure,
            "available": pos.available, "overdue": pos.overdue,
            "days_overdue": pos.days_overdue,
            "credit_group": credit.credit_group.code if credit.credit_group else None,
            "risk_score": credit.risk_score,
            "risk_group": credit.risk_group.code if credit.risk_group else None}


class HoldOut(Schema):
    id: int
    legal_entity: str = Field(..., alias="legal_entity.code")
    order: str = Field(..., alias="order.number")
    customer: str = Field(..., alias="order.customer.account_number")
    step: str
    status: str
    held_on: date
    order_amount: Decimal
    forced: bool
    ready_to_release: bool
    reasons: list[str]
    decided_by: str = Field("", alias="decided_by_name")

    @staticmethod
    def resolve_reasons(obj):
        return [r.text + (" (cleared)" if r.cleared else "") for r in obj.reasons.all()]


@router.get("/holds", response=list[HoldOut], auth=Rule("credit.view_credithold"))
def holds_list(request, status: str = "open"):
    """Holds in every legal entity the caller may work in (``status``: open, all, or one of
    open, pending, released, rejected)."""
    entities = legal_entities_for(request.user)
    qs = (CreditHold.objects.filter(across(request.user, entities, "order__customer"),
                                    legal_entity__in=entities)
          .select_related("legal_entity", "order__customer").prefetch_related("reasons"))
    if status == "open":
        qs = qs.filter(status__in=(HoldStatus.OPEN, HoldStatus.PENDING))
    elif status != "all":
        if status not in HoldStatus.values:
            raise InvalidInput.field("status", "open, all, pending, released or rejected")
        qs = qs.filter(status=status)
    return list(qs.order_by("-held_at")[:500])


class DecisionIn(Strict):
    reason: str | None = Field(None, description="A release reason code")
    note: str = ""
    posting: bool = Field(False, description="Release with posting: post the held step now")
    on: date | None = None
    review_date: date | None = None


class DecisionOut(Schema):
    hold: HoldOut
    posted: bool | None = None
    message: str = ""


def _hold(request, hold_id: int) -> CreditHold:
    entities = legal_entities_for(request.user)
    found = (CreditHold.objects.filter(across(request.user, entities, "order__customer"),
                                       pk=hold_id, legal_entity__in=entities)
             .select_related("legal_entity", "order__customer").first())
    if found is None:
        raise NotFound(f"no credit hold {hold_id}")
    return found


def _release_reason(hold: CreditHold, code: str | None) -> CreditReason | None:
    if not code:
        return None
    found = CreditReason.objects.filter(legal_entity=hold.legal_entity, kind=ReasonType.RELEASE,
                                        code=code).first()
    if found is None:
        raise InvalidInput.field("reason", f"no release reason {code}")
    return found


@router.post("/holds/{hold_id}/release", response=DecisionOut,
             auth=Rule("credit.release_credithold"))
def hold_release(request, hold_id: int, body: DecisionIn):
    hold = _hold(request, hold_id)
    result = holds.hold_release(hold=hold, reason=_release_reason(hold, body.reason),
                                posting=body.posting, on=body.on or timezone.localdate(),
                                note=body.note, review_date=body.review_date,
                                actor=Actor.api(request.user))
    return {"hold": _hold(request, hold_id), "posted": result.posted if result else None,
            "message": result.message if result else ""}


@router.post("/holds/{hold_id}/reject", response=DecisionOut,
             auth=Rule("credit.release_credithold"))
def hold_reject(request, hold_id: int, body: DecisionIn):
    hold = _hold(request, hold_id)
    holds.hold_reject(hold=hold, reason=_release_reason(hold, body.reason), note=body.note,
                      actor=Actor.api(request.user))
    return {"hold": _hold(request, hold_id)}
