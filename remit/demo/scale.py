"""Benchmark-sized data on top of the demo: many customers with many open items, written
through the bulk services (same checks and postings, set-based), so a million open items take
minutes, not hours."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from remit.core.actor import Actor
from remit.core.models import LegalEntity
from remit.core.money import Money
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.receivables.bulk import OpenItemSpec, open_items_post_bulk
from remit.receivables.models import Customer, CustomerGroup
from remit.receivables.services import customers_create_bulk

from .names import STEMS, SUFFIX, TRADES

CHUNK = 10_000
SOURCE = "demo.scale"


def demo_scale(*, legal_entity: LegalEntity, customers: int, open_items: int, as_of: date,
               seed: int = 11, step: Callable[[str, int], None] | None = None) -> tuple[int, int]:
    """Add ``customers`` customers and ``open_items`` open invoices spread over them, dated
    over the last 400 days (so they age into every bucket)."""
    step = step or (lambda label, n: None)
    rng = random.Random(seed)
    actor = Actor.system("demo scale")
    group, _ = CustomerGroup.objects.get_or_create(legal_entity=legal_entity, code="SCALE",
                                                   defaults={"name": "Benchmark customers"})
    first = Customer.objects.filter(legal_entity=legal_entity,
                                    account_number__startswith="S").count()
    country = legal_entity.country or "NO"
    for start in range(0, customers, CHUNK):
        rows = [(f"S{first + n:07d}", f"{rng.choice(STEMS)} {rng.choice(TRADES)} "
                                      f"{SUFFIX.get(country, 'AS')}")
                for n in range(start, min(start + CHUNK, customers))]
        customers_create_bulk(legal_entity=legal_entity, group=group, rows=rows,
                              customer_since=as_of - timedelta(days=400), actor=actor)
        step("customers", len(rows))
    pool = list(Customer.objects.filter(legal_entity=legal_entity, group=group)
                .order_by("pk").only("pk", "account_number", "name", "group_id",
                                     "legal_entity_id", "currency"))
    if not pool:
        return 0, 0
    counter = account_for_role(legal_entity, AccountRole.OPENING_BALANCE)
    journal = journal_for_type(legal_entity, JournalType.OPENING)
    made = 0
    for start in range(0, open_items, CHUNK):
        specs = []
        for n in range(start, min(start + CHUNK, open_items)):
            issued = as_of - timedelta(days=rng.randint(0, 400))
            cents = rng.randint(10_000, 5_000_000)
            specs.append(OpenItemSpec(
                customer=pool[rng.randrange(len(pool))], kind="invoice",
                document_number=f"S-{seed}-{first}-{n}", document_date=issued,
                due_date=issued + timedelta(days=rng.choice([14, 30, 30, 60])),
                amount=Money(Decimal(cents).scaleb(-2), legal_entity.accounting_currency)))
        open_items_post_bulk(legal_entity=legal_entity, items=specs, counter_account=counter,
                             journal=journal, source=SOURCE, actor=actor)
        made += len(specs)
        step("open items", len(specs))
    return customers, made
