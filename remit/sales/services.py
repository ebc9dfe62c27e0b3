"""Sales order use cases: create and edit an order, post its steps through the credit
checkpoints, cancel it. The invoice step posts a receivables invoice with the order's lines
and terms; an order held by credit stays where it was, with its hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.config import config_scope
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.money import ZERO, D
from remit.core.sequences import sequence_next_by_code
from remit.receivables import rules as receivables_rules
from remit.receivables.models import Customer, CustomerStatus
from remit.receivables.services import DEFAULT_TAX, LineSpec, invoice_issue
from remit.receivables.services.customers import customers_lock
from remit.receivables.services.setup import parameters_for

from .models import STATUS_AFTER, STEP_ORDER, OrderStatus, PostingStep, SalesOrder, SalesOrderLine

ORDER_SEQUENCE = "sales_order"
STEP_OF_STATUS = {OrderStatus.OPEN: -1, OrderStatus.CONFIRMED: 0, OrderStatus.PICKED: 1,
                  OrderStatus.DELIVERED: 2, OrderStatus.INVOICED: 3}
STEP_DATE = {PostingStep.CONFIRMATION: "confirmed_on", PostingStep.PICKING: "picked_on",
             PostingStep.PACKING_SLIP: "delivered_on", PostingStep.INVOICE: "invoiced_on"}


def _lines(order: SalesOrder, specs: Sequence[LineSpec]) -> list[SalesOrderLine]:
    if not specs:
        raise InvalidInput.field("lines", "an order needs at least one line")
    default_tax = (order.customer.tax_code
                   or parameters_for(order.legal_entity).default_tax_code)
    rows = []
    for i, spec in enumerate(specs):
        if not spec.description.strip():
            raise InvalidInput.field(("lines", i, "description"), "describe what is sold")
        quantity, price = D(spec.quantity), D(spec.unit_price)
        if quantity <= 0:
            raise InvalidInput.field(("lines", i, "quantity"), "must be greater than zero")
        if price < 0:
            raise InvalidInput.field(("lines", i, "unit_price"), "cannot be negative")
        tax = default_tax if spec.tax_code is DEFAULT_TAX else spec.tax_code
        if tax is not None and tax.legal_entity_id != order.legal_entity_id:
            raise InvalidInput.field(("lines", i, "tax_code"), f"{tax.code} is not a tax code "
                                     "of this legal entity")
        amount = receivables_rules.line_amount(quantity, price, order.currency)
        rows.append(SalesOrderLine(
            order=order, line_no=i + 1, description=spec.description.strip()[:255],
            quantity=quantity, unit_price=price, amount=amount, tax_code=tax,
            revenue_account=spec.revenue_account,
            tax_amount=(receivables_rules.line_tax(amount, tax.rate, order.currency)
                        if tax else ZERO)))
    return rows


def _totals(order: SalesOrder, lines: Sequence[SalesOrderLine]) -> None:
    order.net_amount = sum((line.amount for line in lines), ZERO)
    order.tax_amount = sum((line.tax_amount for line in lines), ZERO)
    order.total_amount = order.net_amount + order.tax_amount


def _terms(customer: Customer, payment_terms, cash_discount_terms) -> None:
    for field, terms in (("payment_terms", payment_terms),
                         ("cash_discount_terms", cash_discount_terms)):
        if terms is not None and terms.legal_entity_id != customer.legal_entity_id:
            raise InvalidInput.field(field, f"{terms.code} is not of this legal entity")


@transaction.atomic
def sales_order_create(*, customer: Customer, order_date: date, lines: Sequence[LineSpec],
                       payment_terms=None, cash_discount_terms=None,
                       use_customer_terms: bool = True, your_reference: str = "",
                       exclude_from_credit: bool = False, actor: Actor) -> SalesOrder:
    """A new open order; its terms default to the customer's (``use_customer_terms``)."""
    actor.require("sales.add_salesorder")
    if exclude_from_credit:
        actor.require("credit.exclude_order")
    if customer.status == CustomerStatus.BLOCKED:
        raise RuleViolation(f"{customer} is blocked; no new orders", code="customer_blocked")
    if use_customer_terms:
        payment_terms = payment_terms or customer.payment_terms
        cash_discount_terms = cash_discount_terms or customer.cash_discount_terms
    _terms(customer, payment_terms, cash_discount_terms)
    order = SalesOrder(legal_entity=customer.legal_entity, customer=customer,
                       order_date=order_date, currency=customer.currency,
                       payment_terms=payment_terms, cash_discount_terms=cash_discount_terms,
                       your_reference=your_reference.strip()[:100],
                       exclude_from_credit=exclude_from_credit, created_by=actor.user)
    rows = _lines(order, lines)
    _totals(order, rows)
    _, order.number = sequence_next_by_code(customer.legal_entity, ORDER_SEQUENCE)
    order.save()
    SalesOrderLine.objects.bulk_create(rows)
    audit_record(actor=actor, action="sales.order.create", obj=order,
                 data={"customer": customer.account_number, "total": order.total_amount,
                       "currency": order.currency})
    return order


def _locked(order: SalesOrder) -> SalesOrder:
    customers_lock([order.customer_id])  # the one lock order: customer, then the rest
    return (SalesOrder.objects.select_for_update(of=("self",))
            .select_related("customer__payment_terms", "customer__cash_discount_terms",
                            "customer__legal_entity", "legal_entity", "payment_terms",
                            "cash_discount_terms")
            .get(pk=order.pk))


@transaction.atomic
def sales_order_lines_replace(*, order: SalesOrder, lines: Sequence[LineSpec],
                              actor: Actor) -> SalesOrder:
    """New lines for an order not yet delivered. A released order that grows is checked
    again at its next step (unless the parameters allow editing after release)."""
    actor.require("sales.change_salesorder")
    locked = _locked(order)
    if locked.status not in (OrderStatus.OPEN, OrderStatus.CONFIRMED, OrderStatus.PICKED):
        raise RuleViolation(f"{locked} is {locked.get_status_display()}; its lines are final",
                            code="order_delivered")
    rows = _lines(locked, lines)
    before = locked.total_amount
    locked.lines.all().delete()
    SalesOrderLine.objects.bulk_create(rows)
    _totals(locked, rows)
    locked.save(update_fields=["net_amount", "tax_amount", "total_amount"])
    audit_record(actor=actor, action="sales.order.lines", obj=locked,
                 data={"before": before, "after": locked.total_amount})
    return locked


@dataclass
class StepResult:
    order: SalesOrder
    posted: bool
    message: str
    hold: object | None = None


def next_step(order: SalesOrder) -> str | None:
    index = STEP_OF_STATUS.get(order.status)
    if index is None or index + 1 >= len(STEP_ORDER):
        return None
    return STEP_ORDER[index + 1]


@transaction.atomic
def sales_order_post(*, order: SalesOrder, step: str, on: date, actor: Actor,
                     pro_forma: bool = False) -> StepResult:
    """Post ``step`` (and the steps before it that were skipped) on ``on``, through the credit
    checkpoint of that step. Held: nothing is posted and the hold is kept (this transaction
    commits it); the result says so instead of raising."""
    actor.require("sales.post_salesorder")
    if step not in PostingStep.values:
        raise InvalidInput.field("step", f"choose one of {', '.join(PostingStep.values)}")
    if step == PostingStep.INVOICE and not pro_forma:
        actor.require("receivables.post_invoice")
    with config_scope():
        return _post_step(order, step, on, actor, pro_forma)


def _post_step(order: SalesOrder, step: str, on: date, actor: Actor,
               pro_forma: bool) -> StepResult:
    from remit.credit.checks import HELD_MESSAGE, order_check

    locked = _locked(order)  # the customer lock's query also tells the config stamp
    if locked.is_closed:
        raise RuleViolation(f"{locked} is {locked.get_status_display()}", code="order_closed")
    if locked.credit_rejected:
        raise RuleViolation(f"credit management rejected {locked}; cancel it or ask credit "
                            "management to look again", code="order_rejected")
    target = STEP_ORDER.index(step)
    if target <= STEP_OF_STATUS[locked.status]:
        raise RuleViolation(f"{locked} is already {locked.get_status_display()}",
                            code="step_done")
    if on < locked.order_date:
        raise InvalidInput.field("on", f"cannot be before the order date {locked.order_date}")
    outcome = order_check(order=locked, step=step, as_of=on, pro_forma=pro_forma, actor=actor)
    if outcome.held:
        return StepResult(locked, False, f"{HELD_MESSAGE}: {outcome.detail}", outcome.hold)
    if pro_forma:
        return StepResult(locked, False, f"Pro forma {PostingStep(step).label}: credit "
                                         f"{outcome.outcome}")
    for done in STEP_ORDER[STEP_OF_STATUS[locked.status] + 1: target + 1]:
        setattr(locked, STEP_DATE[done], on)
    if step == PostingStep.INVOICE:
        locked.invoice = _invoice(locked, on, actor)
    locked.status = STATUS_AFTER[step]
    locked.save()
    audit_record(actor=actor, action=f"sales.order.{step}", obj=locked,
                 data={"on": on.isoformat(), "credit": outcome.outcome,
                       "credit_detail": outcome.detail})
    return StepResult(locked, True, f"{locked} {locked.get_status_display()} on {on}"
                      + (f" (credit {outcome.outcome}: {outcome.detail})"
                         if outcome.detail else ""))


def _invoice(order: SalesOrder, on: date, actor: Actor):
    lines = [LineSpec(description=line.description, unit_price=line.unit_price,
                      quantity=line.quantity, revenue_account=line.revenue_account,
                      tax_code=line.tax_code)
             for line in order.lines.select_related("tax_code", "revenue_account")]
    return invoice_issue(customer=order.customer, invoice_date=on, lines=lines, actor=actor,
                         payment_terms=order.payment_terms,
                         cash_discount_terms=order.cash_discount_terms,
                         your_reference=order.your_reference or order.number,
                         attributes={"sales_order": order.number})


@transaction.atomic
def sales_order_cancel(*, order: SalesOrder, actor: Actor, reason: str = "") -> SalesOrder:
    """Cancel an order not yet delivered; an open credit hold on it is closed as rejected."""
    from remit.credit.holds import holds_close_for_cancelled

    actor.require("sales.change_salesorder")
    locked = _locked(order)
    if locked.status not in (OrderStatus.OPEN, OrderStatus.CONFIRMED, OrderStatus.PICKED):
        raise RuleViolation(f"{locked} is {locked.get_status_display()}; it cannot be "
                            "cancelled", code="order_delivered")
    locked.status = OrderStatus.CANCELLED
    locked.save(update_fields=["status"])
    holds_close_for_cancelled(locked, actor)
    audit_record(actor=actor, action="sales.order.cancel", obj=locked,
                 data={"reason": reason.strip()[:200]})
    return locked
