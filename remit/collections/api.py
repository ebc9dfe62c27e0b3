"""The collections API: what a collections manager does on the Collections page that a script
or another system needs too. Write-off first (issue 18) — of every open item or only the
chosen ones, with the same limits, reason codes and audit as the page."""

from __future__ import annotations

from datetime import date

from ninja import Field, Router, Status

from remit.api_auth import Rule, plausible_date
from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput
from remit.core.scope import scope_of
from remit.receivables import selectors
from remit.receivables.api import SettlementOut, Strict
from remit.receivables.models import CustomerTransaction, WriteOffReason
from remit.receivables.services import customer_write_off

router = Router(tags=["collections"])


class WriteOffIn(Strict):
    on: date
    reason: str | None = Field(None, description="A write-off reason code; empty: the "
                               "receivables parameters' default reason.")
    comment: str = Field("", max_length=255)
    items: list[str] | None = Field(None, max_length=1000, description="Document numbers of "
                                    "the open items to write off; omitted: every open item.")


@router.post("/customers/{account_number}/write-off", response={201: list[SettlementOut]},
             auth=Rule("receivables.write_off"))
def write_off(request, account_number: str, body: WriteOffIn):
    """Write off a customer's open items, netted per currency, within the caller's write-off
    limit; one settlement (and journal entry) per currency. Undo with the settlement's
    reverse operation."""
    customer = selectors.customer_by_number(scope_of(request), account_number)
    plausible_date("on", body.on)
    reason = None
    if body.reason:
        reason = WriteOffReason.objects.filter(legal_entity=request.legal_entity,
                                               code=body.reason).first()
        if reason is None:
            raise InvalidInput.field("reason", f"no write-off reason {body.reason}")
    items = None
    if body.items is not None:
        if not body.items:
            raise InvalidInput.field("items", "name at least one item, or leave items out to "
                                     "write off every open item")
        found = {t.document_number: t for t in CustomerTransaction.objects.filter(
            customer=customer, is_open=True, document_number__in=body.items)}
        for i, number in enumerate(body.items):
            if number not in found:
                raise InvalidInput.field(("items", i), f"{number!r} is not an open item of "
                                         f"{customer.account_number}")
        items = list(found.values())
    made = customer_write_off(customer=customer, on=body.on, reason=reason,
                              comment=body.comment, items=items, actor=Actor.api(request.user))
    return Status(201, made)
