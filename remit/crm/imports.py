"""Importing leads from CSV with the receivables imports' rules: every row checked first (each
problem named by its line and column), then all rows written — or, with ``skip_bad_rows``,
the good ones. A row's key column (the other system's lead id) makes a second import of the
same file create nothing twice and a changed row update its open lead. A row that may
already exist in remit (the published duplicate rules) is a bad row unless duplicates are
allowed: an import is where most duplicates come from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import DomainError, InvalidInput
from remit.receivables.imports import RowError, read_csv, resolve_fields

from . import duplicates, leads, qualify
from .models import Lead

LEAD_FIELDS = {"ref": True, "topic": True, "first_name": False, "last_name": False,
               "company_name": False, "job_title": False, "email": False,
               "business_phone": False, "mobile_phone": False, "address_line1": False,
               "postal_code": False, "city": False, "country": False, "website": False,
               "industry": False, "source": False, "estimated_value": False,
               "description": False}


@dataclass
class LeadImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)


class _Abort(Exception):
    pass


def import_leads(*, legal_entity, content: bytes, mapping: dict[str, str] | None = None,
                 skip_bad_rows: bool = False, allow_duplicates: bool = False, actor: Actor,
                 progress: Callable[[int], None] | None = None) -> LeadImport:
    actor.require("crm.add_lead")
    qualify.settings_for(legal_entity)
    header, rows = read_csv(content)
    resolved = resolve_fields(LEAD_FIELDS, header, mapping or {})
    result = LeadImport()
    good = []
    seen: dict[str, int] = {}
    for line, row in rows:
        values = {target: row.get(column, "") for column, target in resolved.items()}
        ref = values.pop("ref").strip()
        if not ref:
            result.errors.append(RowError(line, _column(resolved, "ref"), "the key is empty"))
            continue
        if ref in seen:
            result.errors.append(RowError(line, _column(resolved, "ref"),
                                          f"the key {ref!r} is also on line {seen[ref]}"))
            continue
        seen[ref] = line
        good.append((line, ref, {k: v for k, v in values.items() if v != ""}))
    if result.errors and not skip_bad_rows:
        result.skipped = len(rows)
        return result
    try:
        with transaction.atomic():
            for line, ref, values in good:
                try:
                    with transaction.atomic():
                        outcome = _apply(legal_entity, ref, values, allow_duplicates, actor)
                except DomainError as exc:
                    error = RowError(line, _column(resolved, exc.errors[0][0][0])
                                     if exc.errors and exc.errors[0][0] else "", exc.message)
                    result.errors.append(error)
                    result.skipped += 1
                    if not skip_bad_rows:
                        raise _Abort from None
                else:
                    setattr(result, outcome, getattr(result, outcome) + 1)
                if progress:
                    progress(1)
            result.skipped += len(rows) - len(good)
            result.committed = True
            audit_record(actor=actor, action="crm.import.leads", legal_entity=legal_entity,
                         data={"created": result.created, "updated": result.updated,
                               "unchanged": result.unchanged, "skipped": result.skipped})
    except _Abort:
        result.created = result.updated = result.unchanged = 0
        result.skipped = len(rows)
    return result


def _column(resolved: dict[str, str], target) -> str:
    return next((c for c, t in resolved.items() if t == target), str(target))


def _apply(legal_entity, ref: str, values: dict, allow_duplicates: bool, actor: Actor) -> str:
    found = Lead.objects.filter(legal_entity=legal_entity, external_ref=ref).first()
    if found is None:
        try:
            leads.lead_create(legal_entity=legal_entity, actor=actor, external_ref=ref,
                              ignore_duplicates=allow_duplicates, **values)
        except leads.DuplicatesFound as exc:
            raise InvalidInput(f"may already exist: {exc.message.split(': ', 1)[1]} (import "
                               "with duplicates allowed, or merge afterwards)",
                               code="duplicates") from None
        return "created"
    changed = {k: v for k, v in values.items() if str(getattr(found, k) or "") != str(v)}
    if not changed or not found.is_active:
        return "unchanged"
    leads.lead_update(lead=found, actor=actor, ignore_duplicates=True, **changed)
    duplicates.codes_refresh(found)
    return "updated"
