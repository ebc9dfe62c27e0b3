"""Many customers at once — a migration's customer list, the customers an invoice file names
— with the checks ``customer_create`` makes on one (``customer_problems``), written with one
insert per table and one audit record. Customers already there are left as they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput
from remit.core.models import LegalEntity

from ..models import (
    Address,
    CashDiscountTerms,
    Contact,
    Customer,
    CustomerGroup,
    CustomerStatus,
    PaymentTerms,
    TermsMethod,
)
from .customers import AddressSpec, ContactSpec, customer_problems

DEFAULT_GROUP = "IMP"


@dataclass(frozen=True)
class CustomerSpec:
    account_number: str
    name: str
    currency: str
    group: CustomerGroup | None = None
    payment_terms: PaymentTerms | None = None
    cash_discount_terms: CashDiscountTerms | None = None
    customer_since: date | None = None
    status: str = CustomerStatus.ACTIVE
    language: str = "en"
    organisation_number: str = ""
    contacts: Sequence[ContactSpec] = field(default_factory=tuple)
    addresses: Sequence[AddressSpec] = field(default_factory=tuple)


def default_group(legal_entity: LegalEntity) -> CustomerGroup:
    """The group imported customers join when the file names none."""
    group, _ = CustomerGroup.objects.get_or_create(
        legal_entity=legal_entity, code=DEFAULT_GROUP, defaults={"name": "Imported customers"})
    return group


def terms_for_days(legal_entity: LegalEntity, days: int) -> PaymentTerms:
    """Net terms of so many days: the entity's own, else new ones ('N45', net 45 days)."""
    found = (PaymentTerms.objects.filter(legal_entity=legal_entity, method=TermsMethod.NET,
                                         days=days).order_by("code").first())
    if found is not None:
        return found
    code = f"N{days}"
    terms, _ = PaymentTerms.objects.get_or_create(
        legal_entity=legal_entity, code=code,
        defaults={"name": f"Net {days} days", "method": TermsMethod.NET, "days": days})
    return terms


def customers_create_batch(*, legal_entity: LegalEntity, specs: Sequence[CustomerSpec],
                           actor: Actor) -> int:
    """Create the customers not yet there (by account number), inside the caller's
    transaction; returns how many were created."""
    actor.require("receivables.add_customer")
    if not connection.in_atomic_block:
        raise RuntimeError("customers are created inside the caller's transaction")
    numbers = [spec.account_number for spec in specs]
    there = set()
    for start in range(0, len(numbers), 900):
        there |= set(Customer.objects.filter(legal_entity=legal_entity,
                                             account_number__in=numbers[start:start + 900])
                     .values_list("account_number", flat=True))
    fresh = [spec for spec in specs if spec.account_number not in there]
    if not fresh:
        return 0
    group = None
    rows = []
    seen = set()
    for i, spec in enumerate(fresh):
        problems = customer_problems(spec.account_number, spec.name, spec.currency)
        if spec.account_number in seen:
            problems.append(("account_number", f"customer {spec.account_number} twice"))
        seen.add(spec.account_number)
        if problems:
            field_name, message = problems[0]
            raise InvalidInput.field(("customers", i, field_name),
                                     f"{spec.account_number}: {message}")
        chosen = spec.group
        if chosen is None:
            group = group or default_group(legal_entity)
            chosen = group
        if chosen.legal_entity_id != legal_entity.pk:
            raise InvalidInput.field(("customers", i, "group"),
                                     f"{chosen.code} belongs to another legal entity")
        rows.append(Customer(
            legal_entity=legal_entity, account_number=spec.account_number, name=spec.name,
            search_name=spec.name.casefold(), group=chosen, currency=spec.currency,
            status=spec.status, customer_since=spec.customer_since,
            payment_terms=spec.payment_terms or chosen.payment_terms,
            cash_discount_terms=spec.cash_discount_terms or chosen.cash_discount_terms,
            language=spec.language or "en",
            organisation_number=spec.organisation_number.strip()))
    Customer.objects.bulk_create(rows, batch_size=1000)
    contacts, addresses = [], []
    for spec, customer in zip(fresh, rows):
        for c in spec.contacts:
            contacts.append(Contact(customer=customer, name=c.name.strip(),
                                    email=c.email.strip(), phone=c.phone.strip(),
                                    job_title=c.job_title.strip(), is_primary=c.is_primary,
                                    is_collections=c.is_collections))
        for a in spec.addresses:
            addresses.append(Address(customer=customer, purpose=a.purpose,
                                     street=a.street.strip(),
                                     postal_code=a.postal_code.strip(), city=a.city.strip(),
                                     country=(a.country or legal_entity.country).upper()[:2]))
    Contact.objects.bulk_create(contacts, batch_size=1000)
    Address.objects.bulk_create(addresses, batch_size=1000)
    audit_record(actor=actor, action="receivables.customer.create_batch",
                 legal_entity=legal_entity,
                 data={"customers": len(rows), "first": rows[0].account_number,
                       "last": rows[-1].account_number})
    return len(rows)
