"""Sales orders over the API: create one, read it, post a step through the credit checkpoint
(a held order answers 200 with ``posted: false``, its hold and reasons)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from remit.api_auth import Rule, body_field, plausible_date
from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput, NotFound
from remit.core.scope import scope_of
from remit.receivables import selectors as receivables
from remit.receivables.api import InvoiceLineIn, Strict, line_specs
from remit.receivables.models import CashDiscountTerms, PaymentTerms

from . import services
from .models import SalesOrder

router = Router(tags=["sales"])


class OrderIn(Strict):
    customer: str = Field(..., description="Customer account number")
    order_date: date
    payment_terms: str | None = Field(None, description="Code; default: the customer's")
    cash_discount_terms: str | None = Field(None, description="Code; default: the customer's")
    your_reference: str = ""
    exclude_from_credit: bool = False
    lines: list[InvoiceLineIn]


class OrderLineOut(Schema):
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    tax_amount: Decimal


class HoldOut(Schema):
    id: int
    step: str
    status: str
    held_on: date
    forced: bool
    reasons: list[str]


class OrderOut(Schema):
    number: str
    customer: str = Field(..., alias="customer.account_number")
    order_date: date
    status: str
    currency: str
    total_amount: Decimal
    credit_rejected: bool
    invoice: str | None = Field(None, alias="invoice.number")
    lines: list[OrderLineOut]
    holds: list[HoldOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_holds(obj):
        return [{"id": h.pk, "step": h.step, "status": h.status, "held_on": h.held_on,
                 "forced": h.forced, "reasons": [r.text for r in h.reasons.all()]}
                for h in obj.credit_holds.prefetch_related("reasons")]


class StepIn(Strict):
    step: str = Field(..., description="confirmation, picking, packing_slip or invoice")
    on: date
    pro_forma: bool = False


class StepOut(Schema):
    posted: bool
    message: str
    order: OrderOut


def _order(request, number: str) -> SalesOrder:
    found = (SalesOrder.objects.filter(scope_of(request).q(), legal_entity=request.legal_entity,
                                       number=number)
             .select_related("customer", "invoice").first())
    if found is None:
        raise NotFound(f"no sales order {number}")
    return found


def _terms(model, entity, field, code):
    if not code:
        return None
    found = model.objects.filter(legal_entity=entity, code=code).first()
    if found is None:
        raise InvalidInput.field(field, f"no {field.replace('_', ' ')} {code}")
    return found


@router.post("/orders", response={201: OrderOut}, auth=Rule("sales.add_salesorder"))
def order_create(request, body: OrderIn):
    entity = request.legal_entity
    customer = body_field("customer", receivables.customer_by_number, scope_of(request),
                          body.customer)
    plausible_date("order_date", body.order_date)
    order = services.sales_order_create(
        customer=customer, order_date=body.order_date,
        payment_terms=_terms(PaymentTerms, entity, "payment_terms", body.payment_terms),
        cash_discount_terms=_terms(CashDiscountTerms, entity, "cash_discount_terms",
                                   body.cash_discount_terms),
        your_reference=body.your_reference, exclude_from_credit=body.exclude_from_credit,
        lines=line_specs(entity, body.lines), actor=Actor.api(request.user))
    return Status(201, _order(request, order.number))


@router.get("/orders/{number}", response=OrderOut, auth=Rule("sales.view_salesorder"))
def order(request, number: str):
    return _order(request, number)


@router.post("/orders/{number}/post", response=StepOut, auth=Rule("sales.post_salesorder"))
def order_post(request, number: str, body: StepIn):
    found = _order(request, number)
    plausible_date("on", body.on)
    result = services.sales_order_post(order=found, step=body.step, on=body.on,
                                       pro_forma=body.pro_forma, actor=Actor.api(request.user))
    return {"posted": result.posted, "message": result.message,
            "order": _order(request, number)}
