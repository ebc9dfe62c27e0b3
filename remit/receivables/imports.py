"""Importing customers and invoice history from another system's CSV files.

A file is read, every row checked (each problem named by its line and column), and only then
written — all rows or, with ``skip_bad_rows``, the good ones. Importing is idempotent: a
customer or invoice already there is left alone, so the same file twice creates nothing
twice; a later export in which an open invoice has been paid adds just that payment.

Invoice history posts real entries: the invoice (receivable against the migration account,
by default the opening-balance account) and, when the row says it was settled, the payment
(migration account against receivable) settled against it on its date. Columns remit has no
field for (a dispute flag, a sales channel, a region...) are kept on the invoice as attributes
for the payment-prediction features.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import DomainError, InvalidInput
from remit.core.models import LegalEntity
from remit.core.money import Money, currency_decimals, is_currency, parse_typed_amount
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.rules import PostingLine, entry_date_problem
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import journal_entry_post

from .models import (
    CashDiscountTerms,
    Customer,
    CustomerGroup,
    CustomerStatus,
    CustomerTransaction,
    ImportBatch,
    ImportKind,
    ImportMapping,
    PaymentTerms,
    SettlementKind,
    TransactionKind,
)
from .services import AddressSpec, ContactSpec, MarkSpec, customer_create, settle
from .services.customers import receivable_account_for

IMPORT_SOURCE = "receivables.import"

CUSTOMER_FIELDS = {
    "account_number": True, "name": True, "group": False, "currency": False,
    "payment_terms": False, "cash_discount_terms": False, "organisation_number": False,
    "language": False, "customer_since": False, "status": False, "contact_name": False,
    "email": False, "phone": False, "street": False, "postal_code": False, "city": False,
    "country": False,
}
INVOICE_FIELDS = {
    "customer": True, "invoice_number": True, "invoice_date": True, "due_date": True,
    "amount": True, "currency": False, "settled_date": False, "settled_amount": False,
    "description": False,
}
FIELDS = {ImportKind.CUSTOMERS: CUSTOMER_FIELDS, ImportKind.INVOICES: INVOICE_FIELDS}
DEFAULT_GROUP = "IMP"
MAX_TERMS_DAYS = 366  # a due date further out than this is a typo in the file


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    batch: ImportBatch
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return self.batch.committed


# --- reading ----------------------------------------------------------------------------------

def read_csv(content: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and (line number, row) pairs; the delimiter (, ; tab) and the encoding (UTF-8,
    with or without BOM, else Latin-1) are detected."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    if not text.strip():
        raise InvalidInput.field("file", "the file is empty")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip() for h in next(reader)]
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {h: (values[i].strip() if i < len(values) else "")
                            for i, h in enumerate(header)}))
    return header, rows


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def resolve_mapping(kind: str, header: list[str], given: dict[str, str]) -> dict[str, str]:
    """source column → remit field: what was given, plus columns named like a field."""
    return resolve_fields(FIELDS[kind], header, given)


def resolve_fields(fields: dict[str, bool], header: list[str],
                   given: dict[str, str]) -> dict[str, str]:
    """The same for any set of fields (name → required), as other imports use it."""
    mapping = {}
    for column, target in given.items():
        if column not in header:
            raise InvalidInput.field(("mapping", column), f"the file has no column {column!r} "
                                     f"(it has {', '.join(header)})")
        if target not in fields:
            raise InvalidInput.field(("mapping", column), f"{target!r} is not a field; choose "
                                     f"from {', '.join(fields)}")
        mapping[column] = target
    for column in header:
        if column not in mapping and _key(column) in fields \
                and _key(column) not in mapping.values():
            mapping[column] = _key(column)
    missing = [f for f, required in fields.items() if required and f not in mapping.values()]
    if missing:
        raise InvalidInput.field("mapping", f"no column for {', '.join(missing)}; map a column "
                                 f"of the file to it (COLUMN={missing[0]})")
    return mapping


def parse_date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD or DD.MM.YYYY)")


def parse_amount(text: str, currency: str) -> Decimal:
    try:
        value = parse_typed_amount(text)
    except DomainError as exc:
        raise ValueError(exc.message) from None
    places = currency_decimals(currency)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"{text!r} has more than {places} decimals for {currency}")
    return value


# --- checking rows ----------------------------------------------------------------------------

@dataclass
class CustomerRow:
    line: int
    values: dict


@dataclass
class InvoiceRow:
    line: int
    customer: Customer
    number: str
    invoice_date: date
    due_date: date
    amount: Decimal
    currency: str
    settled_date: date | None
    settled_amount: Decimal | None
    description: str
    attributes: dict


def _fields(row: dict, mapping: dict) -> tuple[dict, dict]:
    values, extra = {}, {}
    for column, value in row.items():
        if column in mapping:
            values[mapping[column]] = value
        else:
            extra[column] = value
    return values, extra


def check_customers(entity: LegalEntity, rows, mapping) -> tuple[list[CustomerRow], list[RowError]]:
    good, errors = [], []
    groups = set(CustomerGroup.objects.filter(legal_entity=entity).values_list("code", flat=True))
    terms = set(PaymentTerms.objects.filter(legal_entity=entity).values_list("code", flat=True))
    discounts = set(CashDiscountTerms.objects.filter(legal_entity=entity)
                    .values_list("code", flat=True))
    column_of = {v: k for k, v in mapping.items()}
    seen = set()
    for line, row in rows:
        values, _ = _fields(row, mapping)
        problems = []

        def bad(field_name, message):
            problems.append(RowError(line, column_of.get(field_name, field_name), message))

        for name, required in CUSTOMER_FIELDS.items():
            if required and not values.get(name):
                bad(name, "is empty")
        number = values.get("account_number", "")
        if number in seen:
            bad("account_number", f"customer {number} appears twice in the file")
        seen.add(number)
        if values.get("group") and values["group"] not in groups:
            bad("group", f"no customer group {values['group']!r}")
        if values.get("currency") and not is_currency(values["currency"].upper()):
            bad("currency", f"{values['currency']!r} is not an ISO 4217 currency code")
        if values.get("payment_terms") and values["payment_terms"] not in terms:
            bad("payment_terms", f"no payment terms {values['payment_terms']!r}")
        if values.get("cash_discount_terms") and values["cash_discount_terms"] not in discounts:
            bad("cash_discount_terms", f"no cash discount terms {values['cash_discount_terms']!r}")
        if values.get("status") and values["status"] not in CustomerStatus.values:
            bad("status", f"choose one of {', '.join(CustomerStatus.values)}")
        if values.get("customer_since"):
            try:
                values["customer_since"] = parse_date(values["customer_since"])
            except ValueError as exc:
                bad("customer_since", str(exc))
        if problems:
            errors += problems
        else:
            good.append(CustomerRow(line, values))
    return good, errors


def check_invoices(entity: LegalEntity, rows, mapping) -> tuple[list[InvoiceRow], list[RowError]]:
    good, errors = [], []
    numbers = {r.get(k) for _, r in rows for k, v in mapping.items() if v == "customer"}
    customers = {c.account_number: c for c in Customer.objects.filter(
        legal_entity=entity, account_number__in=numbers).select_related("legal_entity")}
    column_of = {v: k for k, v in mapping.items()}
    seen = set()
    today = timezone.localdate()
    for line, row in rows:
        values, extra = _fields(row, mapping)
        problems = []

        def bad(field_name, message):
            problems.append(RowError(line, column_of.get(field_name, field_name), message))

        for name, required in INVOICE_FIELDS.items():
            if required and not values.get(name):
                bad(name, "is empty")
        customer = customers.get(values.get("customer", ""))
        if values.get("customer") and customer is None:
            bad("customer", f"no customer {values['customer']!r} (import the customers first)")
        currency = (values.get("currency") or (customer.currency if customer else "")).upper()
        if values.get("currency") and not is_currency(currency):
            bad("currency", f"{values['currency']!r} is not an ISO 4217 currency code")
        elif customer and currency != customer.currency:
            bad("currency", f"customer {customer.account_number} is in {customer.currency}")
        number = values.get("invoice_number", "")
        if number and number in seen:
            bad("invoice_number", f"invoice {number} appears twice in the file")
        seen.add(number)
        parsed = {}
        for name in ("invoice_date", "due_date", "settled_date"):
            if values.get(name):
                try:
                    parsed[name] = parse_date(values[name])
                except ValueError as exc:
                    bad(name, str(exc))
        for name in ("amount", "settled_amount"):
            if values.get(name) and is_currency(currency):
                try:
                    parsed[name] = parse_amount(values[name], currency)
                except ValueError as exc:
                    bad(name, str(exc))
        amount = parsed.get("amount")
        if amount is not None and amount == 0:
            bad("amount", "cannot be zero")
        for name in ("invoice_date", "settled_date"):
            if name in parsed and (problem := entry_date_problem(parsed[name], today)):
                bad(name, problem)
        if "due_date" in parsed and "invoice_date" in parsed:
            if parsed["due_date"] < parsed["invoice_date"]:
                bad("due_date", "is before the invoice date")
            elif (parsed["due_date"] - parsed["invoice_date"]).days > MAX_TERMS_DAYS:
                bad("due_date", f"is more than {MAX_TERMS_DAYS} days after the invoice date")
        settled_on = parsed.get("settled_date")
        settled = parsed.get("settled_amount")
        if settled is not None and settled_on is None:
            bad("settled_amount", "given without a settled_date")
        if settled_on is not None and "invoice_date" in parsed \
                and settled_on < parsed["invoice_date"]:
            bad("settled_date", "is before the invoice date")
        if settled is not None and amount is not None and (
                settled <= 0 or settled > abs(amount)):
            bad("settled_amount", f"must be between 0 and {abs(amount)}")
        if problems:
            errors += problems
            continue
        good.append(InvoiceRow(
            line, customer, number, parsed["invoice_date"], parsed["due_date"], amount, currency,
            settled_on, settled if settled is not None else (abs(amount) if settled_on else None),
            values.get("description", ""), {k: v for k, v in extra.items() if v != ""}))
    return good, errors


# --- writing ----------------------------------------------------------------------------------

def import_file(*, legal_entity: LegalEntity, kind: str, file_name: str, content: bytes,
                mapping: dict[str, str] | None = None, skip_bad_rows: bool = False,
                actor: Actor, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Check every row, then write all of them (or the good ones with ``skip_bad_rows``) in
    one transaction. With bad rows and no ``skip_bad_rows`` nothing is written but the
    batch's report."""
    actor.require("receivables.add_importbatch")
    if kind not in FIELDS:
        raise InvalidInput.field("kind", f"choose one of {', '.join(FIELDS)}")
    header, rows = read_csv(content)
    resolved = resolve_mapping(kind, header, mapping or {})
    check = check_customers if kind == ImportKind.CUSTOMERS else check_invoices
    good, errors = check(legal_entity, rows, resolved)
    batch = ImportBatch(legal_entity=legal_entity, kind=kind, file_name=file_name[:255],
                        sha256=hashlib.sha256(content).hexdigest(), mapping=resolved,
                        rows=len(rows), errors=[e.as_dict() for e in errors],
                        created_by=actor.user)
    result = ImportResult(batch, errors=errors)
    if errors and not skip_bad_rows:
        batch.skipped = len(rows)
        batch.save()
        return result
    try:
        with transaction.atomic():
            # one import at a time per legal entity: a second upload of the same file waits
            # and then finds its rows there, instead of failing on a unique key
            list(LegalEntity.objects.select_for_update().filter(pk=legal_entity.pk)
                 .values_list("pk", flat=True))
            _apply_rows(kind, legal_entity, actor, good, result, skip_bad_rows, progress)
            batch.created, batch.updated, batch.unchanged = (result.created, result.updated,
                                                             result.unchanged)
            batch.skipped = result.skipped = len(rows) - len(good) + result.skipped
            batch.errors = [e.as_dict() for e in result.errors]
            batch.committed = True
            batch.save()
            audit_record(actor=actor, action=f"receivables.import.{kind}", obj=batch,
                         legal_entity=legal_entity,
                         data={"file": file_name, "created": result.created,
                               "updated": result.updated, "unchanged": result.unchanged,
                               "skipped": result.skipped})
    except _RowFailed as failed:  # a row the books refused: nothing of the file is kept
        result.errors.append(failed.error)
        result.created = result.updated = result.unchanged = 0
        batch.pk = None
        batch.errors = [e.as_dict() for e in result.errors]
        batch.skipped, batch.committed = len(rows), False
        batch.save()
    return result


class _RowFailed(Exception):
    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def _apply_rows(kind, legal_entity, actor, good, result, skip_bad_rows, progress) -> None:
    """Write the checked rows. A row the books still refuse (say, no exchange rate on its date)
    is reported with its line: skipped with ``skip_bad_rows``, else the whole file is undone."""
    apply = _apply_customer if kind == ImportKind.CUSTOMERS else _apply_invoice
    context = _Context(legal_entity, actor)
    for row in good:
        try:
            with transaction.atomic():
                outcome = apply(context, row)
        except DomainError as exc:
            error = RowError(row.line, "", exc.message)
            if not skip_bad_rows:
                raise _RowFailed(error) from None
            result.errors.append(error)
            result.skipped += 1
        else:
            setattr(result, outcome, getattr(result, outcome) + 1)
        if progress:
            progress(1)


class _Context:
    def __init__(self, legal_entity: LegalEntity, actor: Actor):
        self.legal_entity = legal_entity
        self.actor = actor
        self._group = None
        self.counter = account_for_role(legal_entity, AccountRole.OPENING_BALANCE)
        self.sales = journal_for_type(legal_entity, JournalType.SALES)
        self.payments = journal_for_type(legal_entity, JournalType.CUSTOMER_PAYMENT)

    def default_group(self) -> CustomerGroup:
        if self._group is None:
            self._group, _ = CustomerGroup.objects.get_or_create(
                legal_entity=self.legal_entity, code=DEFAULT_GROUP,
                defaults={"name": "Imported customers"})
        return self._group


def _apply_customer(ctx: _Context, row: CustomerRow) -> str:
    v = row.values
    if Customer.objects.filter(legal_entity=ctx.legal_entity,
                               account_number=v["account_number"]).exists():
        return "unchanged"
    entity = ctx.legal_entity
    group = (CustomerGroup.objects.get(legal_entity=entity, code=v["group"]) if v.get("group")
             else ctx.default_group())
    customer_create(
        legal_entity=entity, account_number=v["account_number"], name=v["name"], group=group,
        currency=(v.get("currency") or entity.accounting_currency).upper(),
        payment_terms=(PaymentTerms.objects.get(legal_entity=entity, code=v["payment_terms"])
                       if v.get("payment_terms") else None),
        cash_discount_terms=(CashDiscountTerms.objects.get(legal_entity=entity,
                                                           code=v["cash_discount_terms"])
                             if v.get("cash_discount_terms") else None),
        organisation_number=v.get("organisation_number", ""),
        language=v.get("language") or "en", customer_since=v.get("customer_since"),
        contacts=[ContactSpec(v.get("contact_name") or v["name"], v.get("email", ""),
                              v.get("phone", ""), is_collections=True)]
        if v.get("contact_name") or v.get("email") or v.get("phone") else [],
        addresses=[AddressSpec(v["street"], v.get("city", ""), v.get("country", ""),
                               v.get("postal_code", ""))] if v.get("street") else [],
        actor=ctx.actor)
    if v.get("status") and v["status"] != CustomerStatus.ACTIVE:
        Customer.objects.filter(legal_entity=entity, account_number=v["account_number"]).update(
            status=v["status"])
    return "created"


def _apply_invoice(ctx: _Context, row: InvoiceRow) -> str:
    """New invoices are posted; known ones are checked against the file, and a settled amount
    that grew since the last import (the file carries the total settled so far) posts just the
    difference as a new payment."""
    kind = TransactionKind.INVOICE if row.amount > 0 else TransactionKind.CREDIT_NOTE
    item = (CustomerTransaction.objects.filter(legal_entity=ctx.legal_entity, kind=kind,
                                               document_number=row.number).first())
    outcome = "unchanged"
    if item is None:
        item = _post_invoice(ctx, row, kind)
        outcome = "created"
    elif item.amount != row.amount or item.customer_id != row.customer.pk:
        raise InvalidInput.field("amount", f"{row.number} was imported as {item.amount} for "
                                 f"customer {item.customer.account_number}; the file now says "
                                 f"{row.amount} for {row.customer.account_number}. Correct it "
                                 "in remit (credit note) rather than by re-importing")
    if row.settled_date is None:
        return outcome
    paid = _payments_of(ctx, row)
    # whatever settled it so far counts — imported payments, and payments or credit notes
    # entered in remit since the last import
    already = abs(item.settled_amount)
    if row.settled_amount > already:
        _post_settlement(ctx, row, item, row.settled_amount - already,
                         _payment_number(row, len(paid)))
        return "created" if outcome == "created" else "updated"
    if row.settled_amount < already:
        raise InvalidInput.field("settled_amount", f"{already} of {row.number} is already "
                                 f"settled in remit, more than the file's {row.settled_amount}; "
                                 "unsettle it in remit if a payment was cancelled")
    return outcome


def _payments_of(ctx: _Context, row: InvoiceRow) -> list[CustomerTransaction]:
    return list(CustomerTransaction.objects.filter(
        legal_entity=ctx.legal_entity, kind=TransactionKind.PAYMENT,
        document_number__startswith=f"{row.number}-PAY", customer=row.customer))


def _payment_number(row: InvoiceRow, earlier: int) -> str:
    return f"{row.number}-PAY" if earlier == 0 else f"{row.number}-PAY{earlier + 1}"


def _post_invoice(ctx: _Context, row: InvoiceRow, kind: str) -> CustomerTransaction:
    receivable = receivable_account_for(row.customer)
    amount = Money(row.amount, row.currency)
    entry = journal_entry_post(
        legal_entity=ctx.legal_entity, journal=ctx.sales, entry_date=row.invoice_date,
        description=f"Imported {kind.replace('_', ' ')} {row.number} {row.customer.name}"[:255],
        lines=[PostingLine(receivable, amount, f"{row.customer.account_number} {row.number}"),
               PostingLine(ctx.counter, -amount, f"migration {row.number}")],
        actor=ctx.actor, source=IMPORT_SOURCE)
    line = entry.lines.get(line_no=1)
    return CustomerTransaction.objects.create(
        legal_entity=ctx.legal_entity, customer=row.customer, kind=kind,
        document_number=row.number, document_date=row.invoice_date, due_date=row.due_date,
        currency=row.currency, amount=row.amount, amount_acc=line.debit_acc - line.credit_acc,
        receivable_account=receivable, journal_entry=entry, description=row.description[:255],
        attributes=row.attributes)


def _post_settlement(ctx: _Context, row: InvoiceRow, item: CustomerTransaction,
                     amount: Decimal, number: str) -> None:
    """A historical payment (or refund, for a credit note) and its settlement."""
    receivable = receivable_account_for(row.customer)
    sign = 1 if row.amount > 0 else -1
    paid = Money(sign * amount, row.currency)
    entry = journal_entry_post(
        legal_entity=ctx.legal_entity, journal=ctx.payments, entry_date=row.settled_date,
        description=f"Imported payment for {row.number} {row.customer.name}"[:255],
        lines=[PostingLine(ctx.counter, paid, f"migration {row.number}"),
               PostingLine(receivable, -paid, f"{row.customer.account_number} {row.number}")],
        actor=ctx.actor, source=IMPORT_SOURCE)
    line = entry.lines.get(line_no=2)
    payment = CustomerTransaction.objects.create(
        legal_entity=ctx.legal_entity, customer=row.customer, kind=TransactionKind.PAYMENT,
        document_number=number, document_date=row.settled_date,
        due_date=row.settled_date, currency=row.currency, amount=-paid.amount,
        amount_acc=line.debit_acc - line.credit_acc, receivable_account=receivable,
        journal_entry=entry, description=f"payment of {row.number}")
    if sign > 0:
        settle(customer=row.customer, on=row.settled_date, payment=payment,
               marks=[MarkSpec(item, use_cash_discount="never")], kind=SettlementKind.IMPORT,
               actor=ctx.actor)
    else:  # a refunded credit note: the refund (a debit) settles the credit
        settle(customer=row.customer, on=row.settled_date, kind=SettlementKind.IMPORT,
               marks=[MarkSpec(item, use_cash_discount="never"),
                      MarkSpec(payment, use_cash_discount="never")], actor=ctx.actor)


# --- saved mappings ---------------------------------------------------------------------------

@transaction.atomic
def mapping_save(*, legal_entity: LegalEntity, kind: str, name: str, mapping: dict,
                 actor: Actor) -> ImportMapping:
    actor.require("receivables.add_importbatch")
    saved, _ = ImportMapping.objects.update_or_create(
        legal_entity=legal_entity, kind=kind, name=name, defaults={"mapping": mapping})
    return saved


def mapping_load(legal_entity: LegalEntity, kind: str, name: str) -> dict:
    saved = ImportMapping.objects.filter(legal_entity=legal_entity, kind=kind, name=name).first()
    if saved is None:
        raise InvalidInput.field("mapping", f"no saved {kind} mapping called {name!r}")
    return dict(saved.mapping)
