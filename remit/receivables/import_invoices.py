"""Invoice history as an import kind: each row an invoice or credit note, with what was paid
(refunded) of it and when, from any ERP's export. Rows are read by the pipeline
(``remit.imports``), checked here, and posted by ``history.history_post`` a chunk at a time.

What a row may say, and how it is read:
- the sign of the amount, or a document type column ('Credit Memo', 'Kreditnota'), makes a
  credit note; a credit note's settled and open amounts may come signed or not;
- ``settled_amount`` (paid so far) and ``open_amount`` (still open) say how much was settled;
  with neither, a settled date means paid in full. Settled + open short of the amount is a
  penny (or over/underpayment) difference, closed within the legal entity's limits;
- ``terms_days`` gives the due date when the file has none;
- with ``create_customers`` a customer the file names and remit lacks is created (in the
  document's currency, with ``customer_name`` and ``terms_days`` when given);
- every other column is kept on the invoice as an attribute, tested for leaks (``leaks``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from remit.core.money import currency_decimals, is_currency
from remit.imports.kinds import Context, Counts, ImportKind, Row
from remit.imports.seen import SeenKeys
from remit.imports.mapping import Field

from .history import (
    MAX_NUMBER,
    History,
    HistoryDoc,
    history_post,
    more_paid_problem,
    paid_so_far,
)
from .leaks import ColumnStats, outcome_of
from .models import Customer, CustomerTransaction, TransactionKind

MAX_TERMS_DAYS = 366  # a due date further out than this is a typo in the file
EARLIEST = date(1900, 1, 1)
CREDIT_WORDS = {"credit note", "credit memo", "credit", "cm", "cn", "kreditnota", "kredit",
                "kreditfaktura", "kreditnotaer", "gutschrift", "creditnote", "kreditnotat",
                "kredittnota", "credit invoice"}
INVOICE_WORDS = {"invoice", "inv", "faktura", "fakt", "sales invoice", "debit", "in",
                 "rechnung", "fa", "invoice (customer)"}
PAYMENT_WORDS = {"payment", "betaling", "innbetaling", "indbetaling", "inbetalning", "pmt",
                 "receipt", "payment received"}

FIELDS = (
    Field("customer", "Customer number", required=True, synonyms=(
        "customer no", "customer number", "customer id", "customer account", "cust no",
        "account", "account number", "kundenr", "kundenummer", "kunde nr", "kunde",
        "debitor", "debitornr", "debitornummer", "kundnr", "kundnummer", "kund")),
    Field("customer_name", "Customer name", synonyms=(
        "customer", "name", "company", "kundenavn", "navn", "debitornavn", "kundnamn",
        "firma", "firmanavn", "customer full name")),
    Field("invoice_number", "Invoice number", required=True, synonyms=(
        "invoice", "invoice no", "invoice num", "num", "number", "doc no", "document no",
        "document number", "fakturanr", "fakturanummer", "faktura nr", "bilagsnr",
        "bilagsnummer", "dokumentnr", "fakturanr", "ref no", "transaction number")),
    Field("invoice_date", "Invoice date", required=True, kind="date", synonyms=(
        "date", "doc date", "document date", "txn date", "transaction date", "fakturadato",
        "dato", "bilagsdato", "dokumentdato", "fakturadatum", "datum", "fakturadag")),
    Field("due_date", "Due date", required=True, kind="date", required_unless=("terms_days",),
          synonyms=("due", "forfallsdato", "forfall", "forfallsdag", "forfaldsdato",
                    "forfald", "förfallodatum", "förfallodag", "forfallodato")),
    Field("terms_days", "Payment terms (days)", kind="int", synonyms=(
        "terms", "terms days", "net days", "days", "kredittdager", "betalingsfrist",
        "kredittid", "betalingsbetingelse", "kreditdage", "kredittider", "betalningsvillkor")),
    Field("amount", "Amount", required=True, kind="amount", synonyms=(
        "total", "invoice amount", "original amount", "amount incl vat", "gross amount",
        "beløp", "beløb", "belopp", "fakturabeløp", "fakturabeløb", "fakturabelopp", "sum",
        "totalbeløp", "beløp inkl mva", "beløb inkl moms", "belopp inkl moms")),
    Field("currency", "Currency", synonyms=("cur", "ccy", "currency code", "valuta",
                                            "valutakode", "valutakod")),
    Field("document_type", "Document type", synonyms=(
        "type", "doc type", "document type", "transaction type", "dokumenttype",
        "bilagstype", "dokumenttyp", "art")),
    Field("settled_date", "Settled date", kind="date", synonyms=(
        "paid date", "date paid", "payment date", "settlement date", "closed date",
        "betalt dato", "betalingsdato", "innbetalt dato", "utlignet dato", "betalt",
        "betalingsdag", "betalingsdato", "betaldatum", "betalningsdatum", "betalt den")),
    Field("settled_amount", "Settled amount", kind="amount", synonyms=(
        "paid", "paid amount", "amount paid", "payments", "betalt beløp", "innbetalt",
        "innbetalt beløp", "betalt beløb", "indbetalt", "betalt belopp", "inbetalt")),
    Field("open_amount", "Open amount", kind="amount", synonyms=(
        "open", "open balance", "balance", "balance due", "remaining", "amount due",
        "rest", "restbeløp", "restbeløb", "restbelopp", "saldo", "utestående",
        "udestående", "återstår", "åpent", "åben")),
    Field("description", "Description", synonyms=(
        "text", "memo", "tekst", "beskrivelse", "beskrivning", "tekst", "reference",
        "referanse")),
)


@dataclass
class Parsed:
    number: str
    customer: str
    customer_name: str
    invoice_date: date
    due_date: date
    terms_days: int | None
    amount: Decimal
    currency: str  # '' when the customer's
    settled_on: date | None
    settled: Decimal | None
    open: Decimal | None
    description: str

    @property
    def kind(self) -> str:
        return TransactionKind.INVOICE if self.amount > 0 else TransactionKind.CREDIT_NOTE


class InvoiceHistory(ImportKind):
    name = "invoices"
    label = "Invoice history"
    permission = "receivables.post_openingbalance"
    fields = FIELDS
    keeps_attributes = True
    amount_fields = ("amount", "settled_amount", "open_amount")
    date_fields = ("invoice_date", "due_date", "settled_date")
    flags = {"create_customers": "create the customers the file names that remit lacks"}
    constant_example = "currency=NOK"

    # --- reading a row ------------------------------------------------------------------------

    def parse(self, ctx: Context, row: Row) -> Parsed | None:
        number, customer = row.text("invoice_number"), row.text("customer")
        for name, value in (("customer", customer), ("invoice_number", number)):
            if not value:
                row.bad(name, "is empty")
        if len(number) > MAX_NUMBER:
            row.bad("invoice_number", f"is longer than {MAX_NUMBER} characters")
        issued = ctx.date(row, "invoice_date")
        if issued is None and not row.text("invoice_date"):
            row.bad("invoice_date", "is empty")
        amount = ctx.amount(row, "amount")
        if amount is None and not row.text("amount"):
            row.bad("amount", "is empty")
        terms = terms_in_days(row, "terms_days")
        due = ctx.date(row, "due_date")
        if due is None and issued is not None and not row.text("due_date"):
            if terms is not None:
                due = issued + timedelta(days=terms)
            elif "terms_days" not in row.values or not row.text("terms_days"):
                row.bad("due_date", "is empty (and the row has no payment terms in days)")
        settled_on = ctx.date(row, "settled_date")
        settled = ctx.amount(row, "settled_amount")
        still_open = ctx.amount(row, "open_amount")
        amount = self._signed(row, amount)
        if amount is not None and amount == 0:
            row.bad("amount", "is zero")
        if issued is not None:
            self._dates(ctx, row, issued, due, settled_on)
        if amount:
            settled = self._part(row, "settled_amount", settled, amount)
            still_open = self._part(row, "open_amount", still_open, amount)
            self._settled(row, amount, settled, still_open, settled_on)
        if row.problems:
            return None
        return Parsed(number, customer, row.text("customer_name"), issued, due, terms, amount,
                      row.text("currency").upper(), settled_on, settled, still_open,
                      row.text("description")[:255])

    def _signed(self, row: Row, amount: Decimal | None) -> Decimal | None:
        word = row.text("document_type").casefold().strip(" .")
        if not word or amount is None:
            return amount
        if word in PAYMENT_WORDS:
            row.bad("document_type", f"{row.text('document_type')!r} is a payment: invoice "
                    "history reads what was paid from each invoice's settled columns "
                    "(settled_date, settled_amount); leave payment rows out")
            return None
        if word in CREDIT_WORDS:
            return -abs(amount)
        if word in INVOICE_WORDS:
            if amount < 0:
                row.bad("amount", f"is negative on an invoice ({row.text('document_type')}); "
                        "a credit note needs its own document type")
                return None
            return amount
        row.bad("document_type", f"{row.text('document_type')!r} is neither an invoice nor a "
                "credit note (e.g. Invoice, Faktura, Credit Memo, Kreditnota)")
        return None

    def _dates(self, ctx: Context, row: Row, issued: date, due: date | None,
               settled_on: date | None) -> None:
        latest = ctx.as_of + timedelta(days=366)
        if issued < EARLIEST:
            row.bad("invoice_date", f"is before {EARLIEST.year}")
        elif issued > latest:
            row.bad("invoice_date", f"is more than a year after {ctx.as_of.isoformat()}")
        if due is not None:
            if due < issued:
                row.bad("due_date", "is before the invoice date")
            elif (due - issued).days > MAX_TERMS_DAYS:
                row.bad("due_date", f"is more than {MAX_TERMS_DAYS} days after the invoice "
                                    "date")
        if settled_on is not None:
            if settled_on < issued:
                row.bad("settled_date", "is before the invoice date")
            elif settled_on > ctx.as_of:
                row.bad("settled_date", f"is after today ({ctx.as_of.isoformat()})")

    def _part(self, row: Row, name: str, value: Decimal | None,
              amount: Decimal) -> Decimal | None:
        """A settled or open amount as a positive part of the document's amount: signed like
        the document or unsigned; the other sign is refused."""
        if value is None:
            return None
        if value < 0 and amount > 0:
            row.bad(name, f"is negative ({value}) on an invoice")
            return None
        value = abs(value)
        if value > abs(amount):
            row.bad(name, f"{value} is more than the amount {abs(amount)}")
            return None
        return value

    def _settled(self, row: Row, amount: Decimal, settled: Decimal | None,
                 still_open: Decimal | None, settled_on: date | None) -> None:
        whole = abs(amount)
        if settled is not None and still_open is not None and settled + still_open > whole:
            row.bad("open_amount", f"settled {settled} + open {still_open} is more than the "
                                   f"amount {whole}")
            return
        paid = (settled if settled is not None
                else whole - still_open if still_open is not None
                else whole if settled_on is not None else Decimal(0))
        if paid > 0 and settled_on is None and not row.text("settled_date"):
            row.bad("settled_date", f"is empty, but {paid} of the {'invoice' if amount > 0 else 'credit note'} was settled")
        if settled is not None and still_open is not None and amount < 0 \
                and settled + still_open != whole:
            row.bad("open_amount", f"settled {settled} + open {still_open} is not the amount "
                                   f"{whole} (a credit note has no penny difference)")

    # --- checking against the books -----------------------------------------------------------

    def start(self, ctx: Context) -> None:
        ctx.state.update(seen=SeenKeys(), pending={}, columns={}, history=None)

    def _history(self, ctx: Context) -> History:
        if ctx.state["history"] is None:
            ctx.state["history"] = History(ctx.legal_entity)
        return ctx.state["history"]

    def check_chunk(self, ctx: Context, rows: list[tuple[Row, Parsed]]) -> None:
        state = ctx.state
        known = self._customers(ctx, {p.customer for _, p in rows})
        existing = self._existing(ctx, rows)
        history = self._history(ctx)
        create = bool(ctx.flags.get("create_customers"))
        accounting = ctx.legal_entity.accounting_currency
        earlier = state["seen"].earlier([(f"{p.kind}\t{p.number}", row.line)
                                         for row, p in rows])
        for (row, p), line in zip(rows, earlier):
            key = (p.kind, p.number)
            if line is not None:
                row.bad("invoice_number", f"{p.number} is also on line {line}")
            customer = known.get(p.customer)
            pending = state["pending"].get(p.customer)
            currency = p.currency
            if customer is None and pending is None:
                if not create:
                    row.bad("customer", f"no customer {p.customer!r} (import the customers "
                                        "first, or let this import create them: the option "
                                        "'create the customers the file names', "
                                        "--create-customers on the command line)")
                    continue
                problems = _customer_number_problem(p.customer)
                if problems:
                    row.bad("customer", problems)
                    continue
                pending = state["pending"][p.customer] = {
                    "name": p.customer_name or f"Customer {p.customer}",
                    "currency": currency or accounting, "terms_days": p.terms_days,
                    "line": row.line}
            if currency and not is_currency(currency):
                row.bad("currency", f"{currency!r} is not an ISO 4217 currency code")
                continue
            own = customer[1] if customer else pending["currency"]
            currency = currency or own
            if currency != own:
                row.bad("currency", f"customer {p.customer} is in {own}"
                        + ("" if customer else f" (its first row, line {pending['line']})"))
                continue
            p.currency = currency  # for the file's sums (posting reads it again)
            history.currencies({currency})
            places = currency_decimals(currency)
            for name, value in (("amount", p.amount), ("settled_amount", p.settled),
                                ("open_amount", p.open)):
                if value is not None and value != value.quantize(Decimal(1).scaleb(-places)):
                    row.bad(name, f"{value} has more than {places} decimals for {currency}")
            for name, on in (("invoice_date", p.invoice_date), ("settled_date", p.settled_on)):
                if on is not None and currency != accounting and not history.rates.has_rate(
                        currency, on):
                    row.bad(name, f"no exchange rate {currency}→{accounting} on or before "
                                  f"{on.isoformat()} (import the rates first: Import, "
                                  "kind exchange rates, or remit rates import)")
            self._against_books(ctx, row, p, existing.get(key), history, currency)
            if not row.problems:
                self._learn_columns(ctx, row, p)

    def _against_books(self, ctx, row: Row, p: Parsed, item, history: History,
                       currency: str) -> None:
        whole = abs(p.amount)
        paid = (p.settled if p.settled is not None else whole - p.open if p.open is not None
                else whole if p.settled_on is not None else Decimal(0))
        if item is not None:
            if item.amount != p.amount or item.customer.account_number != p.customer:
                row.bad("amount", f"{p.number} was imported as {item.amount} for customer "
                                  f"{item.customer.account_number}; the file now says "
                                  f"{p.amount} for {p.customer}. Correct it in remit (credit "
                                  "note) rather than by re-importing")
                return
            doc = HistoryDoc(row.line, None, p.number, p.invoice_date, p.due_date, p.amount,
                             currency, p.settled_on, p.settled, p.open)
            problem = more_paid_problem(doc, item, item.paid_so_far)
            if problem:
                row.bad("settled_amount", problem)
                return
        if p.open is not None and p.amount > 0 and paid + p.open < whole:
            gap = whole - paid - p.open
            limits = history.tolerances(currency, p.settled_on or p.invoice_date)
            limit = max(limits.penny, limits.over_under)
            if p.open > 0 or paid == 0:
                row.bad("open_amount", f"settled {paid} + open {p.open} is {gap} short of the "
                                       f"amount {whole}")
            elif gap > limit:
                row.bad("open_amount", f"settled {paid} + open 0 leaves {gap} of the amount "
                        f"{whole} unaccounted for, more than the penny and over/underpayment "
                        f"limits ({limit} {currency})")

    def _customers(self, ctx: Context, numbers: set[str]) -> dict[str, tuple]:
        found = {}
        numbers = list(numbers)
        for start in range(0, len(numbers), 900):
            for number, currency, pk in Customer.objects.filter(
                    legal_entity=ctx.legal_entity,
                    account_number__in=numbers[start:start + 900]).values_list(
                    "account_number", "currency", "pk"):
                found[number] = (pk, currency)
        return found

    def _existing(self, ctx: Context, rows) -> dict:
        by_kind: dict[str, list[str]] = {}
        for _, p in rows:
            by_kind.setdefault(p.kind, []).append(p.number)
        found = {}
        for kind, numbers in by_kind.items():
            for start in range(0, len(numbers), 900):
                for item in CustomerTransaction.objects.filter(
                        legal_entity=ctx.legal_entity, kind=kind,
                        document_number__in=numbers[start:start + 900]).only(
                        "document_number", "amount", "customer__account_number",
                        "settled_amount", "discount_taken", "is_open").select_related(
                        "customer"):
                    found[(kind, item.document_number)] = item
        paid = paid_so_far(found.values())
        for item in found.values():
            item.paid_so_far = paid[item.pk]
        return found

    def _learn_columns(self, ctx: Context, row: Row, p: Parsed) -> None:
        if p.amount <= 0 or not row.attributes:
            return
        whole = abs(p.amount)
        paid = (p.settled if p.settled is not None else whole - p.open if p.open is not None
                else whole if p.settled_on is not None else Decimal(0))
        outcome = outcome_of(p.due_date, p.settled_on, paid >= whole or p.open == 0)
        columns = ctx.state["columns"]
        for column, text in row.attributes.items():
            columns.setdefault(column, ColumnStats()).add(text, outcome, p.invoice_date,
                                                          p.due_date, p.settled_on)

    def check_end(self, ctx: Context) -> dict:
        return {column: {"values": stats.values, "leak": stats.leak(),
                         "samples": stats.samples}
                for column, stats in ctx.state["columns"].items()}

    def totals(self, ctx: Context, p: Parsed):
        whole = abs(p.amount)
        paid = (p.settled if p.settled is not None else whole - p.open if p.open is not None
                else whole if p.settled_on is not None else Decimal(0))
        sign = 1 if p.amount > 0 else -1
        return p.currency, {"documents": Decimal(1), "amount": p.amount,
                          "settled": sign * paid,
                          "open": sign * (p.open if p.open is not None else whole - paid)}

    # --- posting ----------------------------------------------------------------------------

    def before_posting(self, ctx: Context) -> None:
        pending = ctx.state.get("pending") or {}
        if not pending:
            return
        from .services.customer_batch import CustomerSpec, customers_create_batch, terms_for_days

        terms = {}
        specs = []
        for number, info in pending.items():
            days = info["terms_days"]
            if days is not None and days not in terms:
                terms[days] = terms_for_days(ctx.legal_entity, days)
            specs.append(CustomerSpec(number, info["name"][:200], info["currency"],
                                      payment_terms=terms.get(days)))
        customers_create_batch(legal_entity=ctx.legal_entity, specs=specs, actor=ctx.actor)

    def post_chunk(self, ctx: Context, rows: list[tuple[Row, Parsed]]) -> Counts:
        numbers = list({p.customer for _, p in rows})
        customers = {}
        for start in range(0, len(numbers), 900):
            for c in Customer.objects.filter(legal_entity=ctx.legal_entity,
                                             account_number__in=numbers[start:start + 900]):
                c.legal_entity = ctx.legal_entity
                customers[c.account_number] = c
        docs = []
        for row, p in rows:
            customer = customers[p.customer]
            docs.append(HistoryDoc(
                line=row.line, customer=customer, number=p.number,
                document_date=p.invoice_date, due_date=p.due_date, amount=p.amount,
                currency=p.currency or customer.currency, settled_on=p.settled_on,
                settled=p.settled, open=p.open, description=p.description,
                attributes=row.attributes))
        outcome = history_post(history=self._history(ctx), docs=docs, actor=ctx.actor)
        return Counts(outcome.created, outcome.updated, outcome.unchanged)

    def after_posting(self, ctx: Context, run) -> None:
        from .services.attributes import attributes_record

        attributes_record(legal_entity=ctx.legal_entity, columns=run.columns, run_id=run.pk)


_DAYS = re.compile(r"(?:net\s*|netto\s*|n)?(\d{1,3})(?:\s*(?:days?|dager|dage|dagar|d))?",
                   re.IGNORECASE)


def terms_in_days(row: Row, name: str) -> int | None:
    """Payment terms as a number of days: '30', 'Net 30', '30 dager', 'N30'."""
    text = row.text(name)
    if not text:
        return None
    match = _DAYS.fullmatch(text.strip())
    if match is None or int(match.group(1)) > MAX_TERMS_DAYS:
        row.bad(name, f"{text!r} is not payment terms in days (e.g. 30, Net 30, 30 dager), "
                      f"at most {MAX_TERMS_DAYS}")
        return None
    return int(match.group(1))


def _customer_number_problem(number: str) -> str:
    from .services.customers import ACCOUNT_NUMBER

    if not ACCOUNT_NUMBER.fullmatch(number):
        return (f"{number!r} cannot be a customer number in remit (letters, digits, '.', '-' "
                "and '_', at most 20)")
    return ""
