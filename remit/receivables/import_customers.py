"""Customers as an import kind: another system's customer list, with its contact, address,
group and terms. A customer already in remit (same account number) is left as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from remit.core.money import is_currency
from remit.imports.kinds import Context, Counts, ImportKind, Row
from remit.imports.seen import SeenKeys
from remit.imports.mapping import Field

from .import_invoices import _DAYS, terms_in_days
from .models import CashDiscountTerms, CustomerGroup, CustomerStatus, PaymentTerms
from .services.customer_batch import CustomerSpec, customers_create_batch, terms_for_days
from .services.customers import AddressSpec, ContactSpec, customer_problems

STATUS_WORDS = {
    CustomerStatus.ACTIVE: {"active", "aktiv", "a", "open", "åpen", "åben", "ja", "yes"},
    CustomerStatus.ON_HOLD: {"on hold", "on_hold", "hold", "stopped", "stoppet", "stoppad",
                             "pause"},
    CustomerStatus.BLOCKED: {"blocked", "sperret", "spærret", "spärrad", "closed", "inactive",
                             "inaktiv", "lukket", "stengt", "nei", "no"},
}

FIELDS = (
    Field("account_number", "Customer number", required=True, synonyms=(
        "customer", "customer no", "customer number", "customer id", "account", "kundenr",
        "kundenummer", "kunde nr", "debitornr", "debitornummer", "kundnr", "kundnummer", "id")),
    Field("name", "Name", required=True, synonyms=(
        "customer name", "company", "company name", "navn", "kundenavn", "firmanavn",
        "debitornavn", "kundnamn", "namn", "firma")),
    Field("group", "Customer group", synonyms=("customer group", "kundegruppe",
                                                "debitorgruppe", "kundgrupp")),
    Field("currency", "Currency", synonyms=("valuta", "cur", "ccy", "currency code")),
    Field("payment_terms", "Payment terms", synonyms=(
        "terms", "betalingsbetingelse", "betalingsbetingelser", "betalingsvilkår",
        "betalningsvillkor", "kredittid")),
    Field("terms_days", "Payment terms (days)", kind="int", synonyms=(
        "terms days", "net days", "kredittdager", "kreditdage", "kreditdagar")),
    Field("cash_discount_terms", "Cash discount terms", synonyms=("cash discount",
                                                                  "kontantrabatt")),
    Field("organisation_number", "Organisation number", synonyms=(
        "org no", "org nr", "orgnr", "organisasjonsnummer", "organisationsnummer", "cvr",
        "cvr nr", "vat no", "vat number", "tax id", "ein")),
    Field("language", "Language", synonyms=("språk", "sprog", "språk kode", "lang")),
    Field("customer_since", "Customer since", kind="date", synonyms=(
        "created", "created date", "kunde siden", "opprettet", "oprettet", "skapad")),
    Field("status", "Status", synonyms=("state", "active")),
    Field("contact_name", "Contact", synonyms=("contact", "contact person", "kontakt",
                                               "kontaktperson", "att", "attention")),
    Field("email", "Email", synonyms=("e-mail", "e-post", "epost", "mail", "email address")),
    Field("phone", "Phone", synonyms=("telephone", "telefon", "tlf", "mobile", "mobil")),
    Field("street", "Street", synonyms=("address", "address 1", "adresse", "adresse 1",
                                        "gateadresse", "postadresse", "adress", "gatuadress")),
    Field("postal_code", "Postal code", synonyms=("zip", "zip code", "postnr", "postnummer",
                                                  "post nr", "postcode")),
    Field("city", "City", synonyms=("poststed", "by", "ort", "postort", "town")),
    Field("country", "Country", synonyms=("land", "country code", "landkode", "landskod")),
)


@dataclass
class Parsed:
    account_number: str
    name: str
    currency: str
    group: str
    payment_terms: str
    terms_days: int | None
    cash_discount_terms: str
    organisation_number: str
    language: str
    customer_since: date | None
    status: str
    contact: tuple[str, str, str] | None
    address: tuple[str, str, str, str] | None


def _status(text: str) -> str | None:
    word = text.strip().casefold()
    if not word:
        return CustomerStatus.ACTIVE
    for status, words in STATUS_WORDS.items():
        if word in words or word == status:
            return status
    return None


class Customers(ImportKind):
    name = "customers"
    label = "Customers"
    constant_example = "language=nb"
    permission = "receivables.add_customer"
    fields = FIELDS
    date_fields = ("customer_since",)

    def start(self, ctx: Context) -> None:
        entity = ctx.legal_entity
        ctx.state.update(
            seen=SeenKeys(),
            groups={g.code: g for g in CustomerGroup.objects.filter(legal_entity=entity)},
            terms={t.code: t for t in PaymentTerms.objects.filter(legal_entity=entity)},
            discounts={d.code: d for d in CashDiscountTerms.objects.filter(legal_entity=entity)})

    def parse(self, ctx: Context, row: Row) -> Parsed | None:
        number, name = row.text("account_number"), row.text("name")
        currency = (row.text("currency") or ctx.legal_entity.accounting_currency).upper()
        for field_name, message in customer_problems(number, name, currency):
            row.bad(field_name, message)
        status = _status(row.text("status"))
        if status is None:
            row.bad("status", f"{row.text('status')!r}: say active, on hold or blocked")
        email = row.text("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.bad("email", f"{email!r} is not an email address")
        terms_text = row.text("payment_terms")
        days = terms_in_days(row, "terms_days")
        if terms_text and terms_text not in ctx.state["terms"]:
            match = _DAYS.fullmatch(terms_text.strip())
            if match and days is None and int(match.group(1)) <= 366:
                days, terms_text = int(match.group(1)), ""
            else:
                row.bad("payment_terms", f"no payment terms {terms_text!r} (codes: "
                        f"{', '.join(sorted(ctx.state['terms']))}, or a number of days)")
        discount = row.text("cash_discount_terms")
        if discount and discount not in ctx.state["discounts"]:
            row.bad("cash_discount_terms", f"no cash discount terms {discount!r}")
        group = row.text("group")
        if group and group not in ctx.state["groups"]:
            row.bad("group", f"no customer group {group!r} (there are "
                             f"{', '.join(sorted(ctx.state['groups'])) or 'none'})")
        country = row.text("country").upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            row.bad("country", f"{row.text('country')!r}: a two-letter country code (NO, SE, "
                               "DK, US...)")
        language = row.text("language").lower()
        if language and not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", language):
            row.bad("language", f"{row.text('language')!r}: a language code (nb, da, sv, en)")
        since = ctx.date(row, "customer_since")
        street, city = row.text("street"), row.text("city")
        if (street or city) and not (street and city):
            row.bad("street" if not street else "city", "an address needs a street and a city")
        if row.problems:
            return None
        contact = None
        if row.text("contact_name") or email or row.text("phone"):
            contact = (row.text("contact_name") or name, email, row.text("phone"))
        address = (street, row.text("postal_code"), city, country) if street else None
        return Parsed(number, name, currency, group, terms_text, days, discount,
                      row.text("organisation_number"), language or "en", since, status,
                      contact, address)

    def check_chunk(self, ctx: Context, rows: list[tuple[Row, Parsed]]) -> None:
        rows = [(row, p) for row, p in rows if is_currency(p.currency)]
        earlier = ctx.state["seen"].earlier([(p.account_number, row.line) for row, p in rows])
        for (row, p), line in zip(rows, earlier):
            if line is not None:
                row.bad("account_number", f"customer {p.account_number} is also on line "
                                          f"{line}")

    def post_chunk(self, ctx: Context, rows: list[tuple[Row, Parsed]]) -> Counts:
        state = ctx.state
        terms_by_days = state.setdefault("terms_by_days", {})
        specs = []
        for _, p in rows:
            terms = state["terms"].get(p.payment_terms) if p.payment_terms else None
            if terms is None and p.terms_days is not None:
                if p.terms_days not in terms_by_days:
                    terms_by_days[p.terms_days] = terms_for_days(ctx.legal_entity,
                                                                 p.terms_days)
                terms = terms_by_days[p.terms_days]
            specs.append(CustomerSpec(
                account_number=p.account_number, name=p.name, currency=p.currency,
                group=state["groups"].get(p.group) if p.group else None,
                payment_terms=terms,
                cash_discount_terms=state["discounts"].get(p.cash_discount_terms),
                customer_since=p.customer_since, status=p.status, language=p.language,
                organisation_number=p.organisation_number,
                contacts=[ContactSpec(p.contact[0], p.contact[1], p.contact[2],
                                      is_collections=True)] if p.contact else [],
                addresses=[AddressSpec(p.address[0], p.address[2], p.address[3],
                                       p.address[1])] if p.address else []))
        made = customers_create_batch(legal_entity=ctx.legal_entity, specs=specs,
                                      actor=ctx.actor)
        return Counts(created=made, unchanged=len(specs) - made)

