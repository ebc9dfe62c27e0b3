from datetime import date
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from remit.api_auth import Rule, body_field, plausible_date
from remit.api_paging import Paging
from remit.core.actor import Actor
from remit.core.exceptions import InvalidInput, NotFound
from remit.core.money import Money
from remit.core.scope import scope_of

from . import selectors, services
from .models import (
    BankAccount,
    CashDiscountTerms,
    CustomerGroup,
    CustomerTransaction,
    PaymentTerms,
    SalesTaxCode,
    Settlement,
)

router = Router(tags=["receivables"])


AMOUNT_LIMIT = Decimal(10) ** (settings.AMOUNT_MAX_DIGITS - settings.AMOUNT_DECIMAL_PLACES)


class Strict(Schema):
    """Input schemas refuse fields they do not know (a typo is an error, not ignored), and
    numbers no amount column can hold: infinity and NaN (``1e400`` as a JSON number), and
    ``"1e400"`` or any other beyond the column's digits. Each is a 422 naming the field; they
    reached the services and the database before and answered 500."""

    model_config = {"extra": "forbid", "allow_inf_nan": False}

    @field_validator("*", mode="after")
    @classmethod
    def _amounts_a_column_holds(cls, value):
        if isinstance(value, Decimal) and (not value.is_finite() or abs(value) >= AMOUNT_LIMIT):
            raise ValueError(f"must be a number below {AMOUNT_LIMIT:,.0f}")
        return value


class CustomerOut(Schema):
    account_number: str
    name: str
    group: str = Field(..., alias="group.code")
    currency: str
    status: str
    customer_since: date | None
    balance: Decimal | None = None


class ContactIn(Strict):
    name: str
    email: str = ""
    phone: str = ""
    is_collections: bool = False


class AddressIn(Strict):
    street: str
    postal_code: str = ""
    city: str
    country: str = ""
    purpose: str = "primary"


class CustomerIn(Strict):
    account_number: str
    name: str
    group: str = Field(..., description="Customer group code")
    currency: str | None = Field(None, description="Default: the accounting currency")
    payment_terms: str | None = Field(None, description="Payment terms code, e.g. N30")
    cash_discount_terms: str | None = Field(None, description="e.g. 2/10")
    language: str = "en"
    organisation_number: str = ""
    contacts: list[ContactIn] = []
    addresses: list[AddressIn] = []


class SummaryOut(Schema):
    balance: Decimal
    balance_acc: Decimal
    overdue: Decimal
    open_items: int
    last_payment: date | None


class CustomerDetailOut(CustomerOut):
    summary: SummaryOut


class ItemOut(Schema):
    kind: str
    document_number: str
    document_date: date
    due_date: date
    currency: str
    amount: Decimal
    settled_amount: Decimal
    open_amount: Decimal
    amount_acc: Decimal
    discount_taken: Decimal
    is_open: bool
    journal_entry: str = Field(..., alias="journal_entry.number")


class OpeningBalanceIn(Strict):
    customer: str = Field(..., description="Customer account number")
    document_number: str
    document_date: date
    due_date: date
    amount: Decimal = Field(..., description="In the customer's currency, as a string")


def _by_code(model, entity, field: str, code: str | None):
    if not code:
        return None
    found = model.objects.filter(legal_entity=entity, code=code).first()
    if found is None:
        raise InvalidInput.field(field, f"no {model._meta.verbose_name} {code!r}")
    return found


@router.get("/customers", response=list[CustomerOut], auth=Rule("receivables.view_customer"))
@paginate(Paging)
def customers(request, q: str | None = None, group: str | None = None):
    return selectors.customers_list(scope_of(request), text=q, group=group)


@router.post("/customers", response={201: CustomerDetailOut},
             auth=Rule("receivables.add_customer"))
def customer_create(request, body: CustomerIn):
    entity = request.legal_entity
    customer = services.customer_create(
        legal_entity=entity, account_number=body.account_number, name=body.name,
        group=_by_code(CustomerGroup, entity, "group", body.group) or _missing("group"),
        currency=body.currency, language=body.language,
        payment_terms=_by_code(PaymentTerms, entity, "payment_terms", body.payment_terms),
        cash_discount_terms=_by_code(CashDiscountTerms, entity, "cash_discount_terms",
                                     body.cash_discount_terms),
        organisation_number=body.organisation_number, customer_since=timezone.localdate(),
        contacts=[services.ContactSpec(c.name, c.email, c.phone, is_primary=i == 0,
                                       is_collections=c.is_collections)
                  for i, c in enumerate(body.contacts)],
        addresses=[services.AddressSpec(a.street, a.city, a.country, a.postal_code, a.purpose)
                   for a in body.addresses],
        actor=Actor.api(request.user))
    return Status(201, _detail(customer))


def _missing(field: str):
    raise InvalidInput.field(field, "required")


def _detail(customer):
    customer.summary = selectors.customer_summary(customer, timezone.localdate())
    customer.balance = customer.summary["balance"]
    return customer


@router.get("/customers/{account_number}", response=CustomerDetailOut,
            auth=Rule("receivables.view_customer"))
def customer(request, account_number: str):
    return _detail(selectors.customer_by_number(scope_of(request), account_number))


@router.get("/customers/{account_number}/open-items", response=list[ItemOut],
            auth=Rule("receivables.view_customertransaction"))
def open_items(request, account_number: str):
    customer = selectors.customer_by_number(scope_of(request), account_number)
    return selectors.open_items(customer)


@router.get("/customers/{account_number}/transactions", response=list[ItemOut],
            auth=Rule("receivables.view_customertransaction"))
@paginate(Paging)
def transactions(request, account_number: str):
    customer = selectors.customer_by_number(scope_of(request), account_number)
    return selectors.transactions(customer)


@router.get("/customers/{account_number}/statement.pdf",
            auth=Rule("receivables.view_customertransaction"))
def statement(request, account_number: str, as_of: date | None = None):
    """The open-items statement as a PDF."""
    from django.http import HttpResponse

    from .documents import statement_pdf

    customer = selectors.customer_by_number(scope_of(request), account_number)
    return HttpResponse(statement_pdf(customer, as_of or timezone.localdate()),
                        content_type="application/pdf")


@router.get("/customers/{account_number}/open-items.xlsx",
            auth=Rule("receivables.view_customertransaction"))
def open_items_export(request, account_number: str, as_of: date | None = None):
    """The open items as an Excel workbook."""
    from django.http import HttpResponse

    from .documents import open_items_xlsx

    customer = selectors.customer_by_number(scope_of(request), account_number)
    return HttpResponse(open_items_xlsx(customer, as_of or timezone.localdate()),
                        content_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet")


@router.post("/opening-balances", response={201: ItemOut},
             auth=Rule("receivables.post_openingbalance"))
def opening_balance(request, body: OpeningBalanceIn):
    """Carry over an open item from a previous system (posts receivable / opening equity)."""
    customer = body_field("customer", selectors.customer_by_number, scope_of(request),
                          body.customer)
    item = services.opening_balance_post(
        customer=customer, document_number=body.document_number,
        document_date=body.document_date, due_date=body.due_date,
        amount=Money.of(body.amount, customer.currency), actor=Actor.api(request.user))
    return Status(201, item)


# --- invoices -------------------------------------------------------------------------------

class InvoiceLineIn(Strict):
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    revenue_account: str | None = Field(None, description="Account number; default: revenue")
    tax_code: str | None = Field("default", description="A sales tax code; \"default\" (or "
                                 "left out): the customer's or the legal entity's; null or "
                                 "\"\": no sales tax")


class InvoiceIn(Strict):
    customer: str
    kind: str = Field("invoice", description="invoice or credit_note")
    invoice_date: date
    due_date: date | None = None
    original: str | None = Field(None, description="Invoice number a credit note credits")
    reason: str = ""
    your_reference: str = ""
    lines: list[InvoiceLineIn]
    post: bool = Field(False, description="Post at once (needs the post permission)")


class InvoiceLineOut(Schema):
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    revenue_account: str = Field(..., alias="revenue_account.number")
    tax_code: str | None = Field(None, alias="tax_code.code")
    tax_amount: Decimal


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    customer: str = Field(..., alias="customer.account_number")
    invoice_date: date
    due_date: date | None
    currency: str
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    lines: list[InvoiceLineOut]


def line_specs(entity, lines):
    """LineSpecs from API line bodies (invoices here, sales orders too)."""
    from remit.ledger.models import Account

    specs = []
    for i, line in enumerate(lines):
        account = None
        if line.revenue_account:
            account = Account.objects.filter(legal_entity=entity,
                                             number=line.revenue_account).first()
            if account is None:
                raise InvalidInput.field(("lines", i, "revenue_account"),
                                         f"no account {line.revenue_account}")
        tax = services.DEFAULT_TAX if line.tax_code == "default" else None
        if line.tax_code and line.tax_code != "default":
            tax = SalesTaxCode.objects.filter(legal_entity=entity, code=line.tax_code).first()
            if tax is None:
                raise InvalidInput.field(("lines", i, "tax_code"), f"no tax code {line.tax_code}")
        specs.append(services.LineSpec(line.description, line.unit_price, line.quantity,
                                       account, tax))
    return specs


@router.get("/invoices", response=list[InvoiceOut], auth=Rule("receivables.view_invoice"))
@paginate(Paging)
def invoices(request, status: str | None = None, kind: str | None = None, q: str | None = None):
    return selectors.invoices_list(scope_of(request), status=status, kind=kind,
                                   text=q).prefetch_related("lines__revenue_account",
                                                            "lines__tax_code")


@router.post("/invoices", response={201: InvoiceOut}, auth=Rule("receivables.add_invoice"))
def invoice_create(request, body: InvoiceIn):
    """A draft invoice or credit note; with ``post: true`` it is posted at once."""
    entity = request.legal_entity
    customer = body_field("customer", selectors.customer_by_number, scope_of(request),
                          body.customer)
    plausible_date("invoice_date", body.invoice_date)
    original = None
    if body.original:
        from .models import Invoice

        original = Invoice.objects.filter(scope_of(request).q(), legal_entity=entity,
                                          number=body.original,
                                          kind="invoice").first()
        if original is None:
            raise InvalidInput.field("original", f"no invoice {body.original}")
    make = services.invoice_issue if body.post else services.invoice_create  # all or nothing
    invoice = make(customer=customer, invoice_date=body.invoice_date, kind=body.kind,
                   due_date=body.due_date, original=original, reason=body.reason,
                   your_reference=body.your_reference, lines=line_specs(entity, body.lines),
                   actor=Actor.api(request.user))
    return Status(201, selectors.invoice_detail(scope_of(request), invoice.pk))


@router.get("/invoices/{invoice_id}", response=InvoiceOut, auth=Rule("receivables.view_invoice"))
def invoice(request, invoice_id: int):
    return selectors.invoice_detail(scope_of(request), invoice_id)


@router.delete("/invoices/{invoice_id}", response={204: None},
               auth=Rule("receivables.change_invoice"))
def invoice_delete(request, invoice_id: int):
    """Discard a draft; a posted invoice answers 409 (credit or correct it instead)."""
    found = selectors.invoice_detail(scope_of(request), invoice_id)
    services.invoice_draft_delete(invoice=found, actor=Actor.api(request.user))
    return Status(204, None)


@router.post("/invoices/{invoice_id}/post", response=InvoiceOut,
             auth=Rule("receivables.post_invoice"))
def invoice_post(request, invoice_id: int):
    found = selectors.invoice_detail(scope_of(request), invoice_id)
    services.invoice_post(invoice=found, actor=Actor.api(request.user))
    return selectors.invoice_detail(scope_of(request), invoice_id)


# --- payments and settlement ----------------------------------------------------------------

class MarkIn(Strict):
    document_number: str
    kind: Literal["invoice", "credit_note", "payment", "opening_balance"] | None = None
    amount_to_settle: Decimal | None = None
    use_cash_discount: Literal["normal", "always", "never"] = "normal"


class PaymentIn(Strict):
    customer: str
    payment_date: date
    amount: Decimal = Field(..., description="Received, in the customer's currency")
    bank_account: str | None = Field(None, description="Bank account code; default: the first")
    method: Literal["bank_transfer", "direct_debit", "card", "check", "cash"] = "bank_transfer"
    reference: str = ""
    marks: list[MarkIn] = []
    full_settlement: bool = False


class SettleIn(Strict):
    customer: str
    on: date
    payment: str | None = Field(None, description="Document number of the payment; none when "
                                                  "a credit note settles an invoice")
    marks: list[MarkIn]


class SettlementLineOut(Schema):
    document_number: str = Field(..., alias="item.document_number")
    amount: Decimal
    amount_acc: Decimal
    discount: Decimal
    write_off: Decimal
    write_off_kind: str


class SettlementOut(Schema):
    id: int
    settled_on: date
    kind: str
    journal_entry: str | None = Field(None, alias="journal_entry.number")
    reversed_on: date | None
    lines: list[SettlementLineOut]


class ReverseIn(Strict):
    on: date
    reason: str = ""


def _marks(customer, marks):
    specs = []
    for i, mark in enumerate(marks):
        found = CustomerTransaction.objects.filter(customer=customer,
                                                   document_number=mark.document_number)
        if mark.kind:
            found = found.filter(kind=mark.kind)
        found = list(found[:2])
        if not found:
            raise InvalidInput.field(("marks", i, "document_number"),
                                     f"{customer.account_number} has no {mark.document_number}")
        if len(found) > 1:
            raise InvalidInput.field(("marks", i, "kind"),
                                     f"{customer.account_number} has more than one "
                                     f"{mark.document_number}; say which kind")
        item = found[0]
        specs.append(services.MarkSpec(item, mark.amount_to_settle, mark.use_cash_discount))
    return specs


@router.post("/payments", response={201: ItemOut},
             auth=Rule("receivables.post_paymentjournal"))
def payment(request, body: PaymentIn):
    """Register a payment received, posted at once and settled against the marked items."""
    entity = request.legal_entity
    customer = body_field("customer", selectors.customer_by_number, scope_of(request),
                          body.customer)
    plausible_date("payment_date", body.payment_date)
    bank = None
    if body.bank_account:
        bank = BankAccount.objects.filter(legal_entity=entity, code=body.bank_account).first()
        if bank is None:
            raise InvalidInput.field("bank_account", f"no bank account {body.bank_account}")
    item = services.payment_register(
        customer=customer, payment_date=body.payment_date,
        amount=Money.of(body.amount, customer.currency), bank_account=bank, method=body.method,
        reference=body.reference, marks=_marks(customer, body.marks),
        full_settlement=body.full_settlement, actor=Actor.api(request.user))
    item.refresh_from_db()
    return Status(201, item)


class JournalLineIn(Strict):
    customer: str
    payment_date: date
    amount: Decimal
    bank_account: str | None = None
    method: str = "bank_transfer"
    reference: str = ""
    marks: list[MarkIn] = []
    full_settlement: bool = False


class JournalIn(Strict):
    description: str = ""
    lines: list[JournalLineIn]


class JournalOut(Schema):
    number: str
    status: str
    payments: list[ItemOut]


@router.post("/payment-journals", response={201: JournalOut},
             auth=Rule("receivables.post_paymentjournal"))
def payment_journal(request, body: JournalIn):
    """A customer payment journal — several payments, e.g. a bank statement's — created and
    posted at once: every line or none."""
    entity = request.legal_entity
    banks = {b.code: b for b in BankAccount.objects.filter(legal_entity=entity, is_active=True)}
    specs = []
    for i, line in enumerate(body.lines):
        customer = body_field(("lines", i, "customer"), selectors.customer_by_number,
                              scope_of(request), line.customer)
        plausible_date(("lines", i, "payment_date"), line.payment_date)
        bank = banks.get(line.bank_account) if line.bank_account else \
            next(iter(sorted(banks.values(), key=lambda b: b.code)), None)
        if bank is None:
            raise InvalidInput.field(("lines", i, "bank_account"),
                                     f"no active bank account {line.bank_account or ''}".strip())
        specs.append(services.PaymentSpec(
            customer=customer, payment_date=line.payment_date,
            amount=Money.of(line.amount, customer.currency), bank_account=bank,
            method=line.method, reference=line.reference, marks=_marks(customer, line.marks),
            full_settlement=line.full_settlement))
    journal = services.payment_journal_enter(legal_entity=entity, description=body.description,
                                             payments=specs, actor=Actor.api(request.user))
    payments = [line.transactions.get() for line in journal.lines.order_by("line_no")]
    return Status(201, {"number": journal.number, "status": journal.status,
                        "payments": payments})


@router.post("/settlements", response={201: SettlementOut},
             auth=Rule("receivables.change_settlement"))
def settlement_create(request, body: SettleIn):
    customer = body_field("customer", selectors.customer_by_number, scope_of(request),
                          body.customer)
    plausible_date("on", body.on)
    payment_item = None
    if body.payment:
        (payment_mark,) = _marks(customer, [MarkIn(document_number=body.payment)])
        payment_item = payment_mark.item
    made = services.settle(customer=customer, on=body.on, payment=payment_item,
                           marks=_marks(customer, body.marks), kind="payment",
                           actor=Actor.api(request.user))
    if made is None:
        raise InvalidInput.field("marks", "nothing could be settled with these items")
    return Status(201, made)


@router.post("/settlements/{settlement_id}/reverse", response=SettlementOut,
             auth=Rule("receivables.change_settlement"))
def settlement_reverse(request, settlement_id: int, body: ReverseIn):
    found = Settlement.objects.filter(scope_of(request).q(), legal_entity=request.legal_entity,
                                      pk=settlement_id).first()
    if found is None:
        raise NotFound(f"No settlement {settlement_id}")
    plausible_date("on", body.on)
    return services.settlement_reverse(settlement=found, on=body.on, reason=body.reason,
                                       actor=Actor.api(request.user))
