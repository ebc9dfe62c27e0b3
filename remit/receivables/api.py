from datetime import date
from decimal import Decimal

from ninja import Status, Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from remit.api_auth import Rule, body_field
from remit.core.actor import Actor
from remit.core.money import Money

from . import selectors, services

router = Router(tags=["receivables"])


class CustomerOut(Schema):
    account_number: str
    name: str
    group: str = Field(..., alias="group.code")
    currency: str
    status: str
    customer_since: date | None
    balance: Decimal | None = None


class OpenItemOut(Schema):
    kind: str
    document_number: str
    document_date: date
    due_date: date
    currency: str
    amount: Decimal
    settled_amount: Decimal
    open_amount: Decimal
    amount_acc: Decimal
    is_open: bool
    journal_entry: str = Field(..., alias="journal_entry.number")


class OpeningBalanceIn(Schema):
    customer: str = Field(..., description="Customer account number")
    document_number: str
    document_date: date
    due_date: date
    amount: Decimal = Field(..., description="In the customer's currency, as a string")


@router.get("/customers", response=list[CustomerOut], auth=Rule("receivables.view_customer"))
@paginate(LimitOffsetPagination)
def customers(request, q: str | None = None, group: str | None = None):
    return selectors.customers_list(request.legal_entity, text=q, group=group)


@router.get("/customers/{account_number}/open-items", response=list[OpenItemOut],
            auth=Rule("receivables.view_customertransaction"))
def open_items(request, account_number: str):
    customer = selectors.customer_by_number(request.legal_entity, account_number)
    return selectors.open_items(customer)


@router.post("/opening-balances", response={201: OpenItemOut},
             auth=Rule("receivables.post_openingbalance"))
def opening_balance(request, body: OpeningBalanceIn):
    """Carry over an open item from a previous system (posts receivable / opening equity)."""
    customer = body_field("customer", selectors.customer_by_number, request.legal_entity,
                          body.customer)
    item = services.opening_balance_post(
        customer=customer, document_number=body.document_number,
        document_date=body.document_date, due_date=body.due_date,
        amount=Money.of(body.amount, customer.currency), actor=Actor.api(request.user))
    item.open_amount = item.amount - item.settled_amount
    return Status(201, item)
