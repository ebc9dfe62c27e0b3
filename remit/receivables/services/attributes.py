"""The columns kept on invoices, recorded per legal entity with what an import found of them
(``leaks``), so that payment predictions offer only the ones that do not give the outcome
away."""

from __future__ import annotations

from django.db import transaction

from remit.core.models import LegalEntity

from ..models import InvoiceAttribute


@transaction.atomic
def attributes_record(*, legal_entity: LegalEntity, columns: dict, run_id: int | None = None,
                      ) -> list[InvoiceAttribute]:
    """``columns``: name → {"values", "leak", "samples"}. A leak found once stays."""
    made = []
    for name, info in sorted(columns.items()):
        found, _ = InvoiceAttribute.objects.select_for_update().get_or_create(
            legal_entity=legal_entity, name=name[:255])
        found.values = max(found.values, int(info.get("values") or 0))
        found.leak = found.leak or (info.get("leak") or "")[:255]
        found.samples = list(info.get("samples") or found.samples)[:3]
        found.last_run = run_id or found.last_run
        found.save()
        made.append(found)
    return made


def attribute_leaks(legal_entity: LegalEntity) -> dict[str, str]:
    """Kept columns that may not be features: name → why."""
    return dict(InvoiceAttribute.objects.filter(legal_entity=legal_entity).exclude(leak="")
                .values_list("name", "leak"))


def attributes_scan(legal_entity: LegalEntity) -> list[InvoiceAttribute]:
    """Record the columns kept on the legal entity's invoices as the books have them (the
    demo's, an API client's), each tested for a leak against the outcomes in the books."""
    from ..leaks import ColumnStats, outcome_of
    from ..models import CustomerTransaction, TransactionKind

    stats: dict[str, ColumnStats] = {}
    rows = (CustomerTransaction.objects.filter(legal_entity=legal_entity,
                                               kind=TransactionKind.INVOICE)
            .exclude(attributes={}).values_list("attributes", "document_date", "due_date",
                                                "closed_on", "is_open"))
    for attributes, issued, due, closed, is_open in rows.iterator(chunk_size=5000):
        outcome = outcome_of(due, closed, not is_open)
        for name, value in (attributes or {}).items():
            text = str(value).strip()
            if text:
                stats.setdefault(name, ColumnStats()).add(text, outcome, issued, due, closed)
    return attributes_record(legal_entity=legal_entity, columns={
        name: {"values": s.values, "leak": s.leak(), "samples": s.samples}
        for name, s in stats.items()})
