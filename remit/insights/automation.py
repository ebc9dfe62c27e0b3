"""The collections automation hook (spec §1.5): when the share of a customer's open balance
predicted late — late and very late together — or very late (evaluated first) is at or above
the legal entity's benchmark, one collections activity is created for the customer. A customer
that already has an open activity from this hook gets no second one."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from remit.collections.activities import activity_create
from remit.collections.models import Activity, ActivityStatus
from remit.core.actor import Actor
from remit.receivables.models import Customer

from . import selectors
from .services import settings_for

PREFIX = "Payment prediction:"


@transaction.atomic
def prediction_activities_create(*, legal_entity, on: date, actor: Actor) -> int:
    settings = settings_for(legal_entity)
    if settings.late_benchmark is None and settings.very_late_benchmark is None:
        return 0
    waiting = set(Activity.objects.filter(
        legal_entity=legal_entity, purpose__startswith=PREFIX,
        status=ActivityStatus.OPEN)
        .values_list("customer_id", flat=True))
    made = 0
    expected = selectors.expected_by_customer(legal_entity)
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=expected.keys())}
    for cid, t in sorted(expected.items()):
        if cid in waiting or t["balance"] <= 0:
            continue
        very = t["very_late"] / t["balance"] * 100
        late = (t["late"] + t["very_late"]) / t["balance"] * 100
        if settings.very_late_benchmark is not None and very >= settings.very_late_benchmark:
            what, share = "very late", very
        elif settings.late_benchmark is not None and late >= settings.late_benchmark:
            what, share = "late", late
        else:
            continue
        activity_create(customer=customers[cid], kind="call", due_on=on + timedelta(days=2),
                        purpose=f"{PREFIX} {share.quantize(Decimal(1))} % of the balance "
                                f"predicted {what}",
                        notes=f"Open balance {t['balance']}; expected late {t['late']}, very "
                              f"late {t['very_late']}.", actor=actor)
        made += 1
    return made
