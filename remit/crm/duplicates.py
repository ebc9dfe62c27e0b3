"""Duplicate rules in force: publishing builds match codes, saving a record refreshes its own,
and a record's duplicates are the records sharing a code under a published rule, scored.

The codes of a record are kept for every rule kind that some published rule reads on its
type, so a lookup is one indexed query per rule and never a scan of the records.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation

from . import matching
from .models import (
    Account,
    Contact,
    DuplicateRule,
    Lead,
    LeadState,
    MatchCode,
    NotDuplicate,
    RecordType,
)

MAX_PUBLISHED = 5       # published rules per record type (as the commercial product)
MAX_CANDIDATES = 200    # records read per code: a very common code is not a duplicate signal
MODELS = {RecordType.LEAD: Lead, RecordType.ACCOUNT: Account, RecordType.CONTACT: Contact}

DEFAULT_RULES = [
    # name, record type, matching type, kind
    ("Leads with the same email address", "lead", "lead", "email"),
    ("Leads with the same phone number", "lead", "lead", "phone"),
    ("Leads with a similar name and company name", "lead", "lead", "name_company"),
    ("Leads with a similar name and the same email domain", "lead", "lead", "name_domain"),
    ("Contacts with the same email address as a lead", "lead", "contact", "email"),
    ("Accounts with a similar name", "account", "account", "name_company"),
    ("Contacts with the same email address", "contact", "contact", "email"),
    ("Contacts with a similar name and the same email domain", "contact", "contact",
     "name_domain"),
]


def party(record) -> matching.Party:
    """What matching reads of a lead, contact or account."""
    if isinstance(record, Account):
        return matching.Party(company=record.name, email=record.email, phones=(record.phone,),
                              country=record.country or "NO")
    company = record.company_name if isinstance(record, Lead) else (
        record.account.name if record.account_id else "")
    return matching.Party(record.first_name, record.last_name, company, record.email,
                          (record.business_phone, record.mobile_phone),
                          record.country or "NO")


def record_type_of(record) -> str:
    return {Lead: RecordType.LEAD, Account: RecordType.ACCOUNT,
            Contact: RecordType.CONTACT}[type(record)]


def is_active(record) -> bool:
    return record.state == LeadState.OPEN if isinstance(record, Lead) else record.is_active


def kinds_in_force(legal_entity, matching_type: str) -> set[str]:
    """The rule kinds some published rule reads on records of ``matching_type``."""
    return set(DuplicateRule.objects.filter(legal_entity=legal_entity, is_published=True,
                                            matching_type=matching_type)
               .order_by().values_list("kind", flat=True))


def codes_refresh(record, *, new: bool = False) -> None:
    """Replace the record's match codes by those of its current values (a ``new`` record,
    saved in this transaction, has none to replace)."""
    rtype = record_type_of(record)
    if not new:
        MatchCode.objects.filter(record_type=rtype, record_id=record.pk).delete()
    kinds = kinds_in_force(record.legal_entity, rtype)
    found = party(record)
    MatchCode.objects.bulk_create(
        [MatchCode(legal_entity_id=record.legal_entity_id, record_type=rtype,
                   record_id=record.pk, kind=kind, code=code[:200])
         for kind in sorted(kinds) for code in sorted(matching.codes(found, kind))],
        ignore_conflicts=True)


def codes_build(legal_entity, record_type: str, kind: str, batch: int = 5000) -> int:
    """Match codes of one kind for every record of a type (publishing a rule)."""
    model = MODELS[record_type]
    MatchCode.objects.filter(legal_entity=legal_entity, record_type=record_type,
                             kind=kind).delete()
    made = 0
    qs = model.objects.filter(legal_entity=legal_entity).order_by("pk")
    if model is Contact:
        qs = qs.select_related("account")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return made
        rows = [MatchCode(legal_entity=legal_entity, record_type=record_type,
                          record_id=r.pk, kind=kind, code=code[:200])
                for r in chunk for code in sorted(matching.codes(party(r), kind))]
        MatchCode.objects.bulk_create(rows, ignore_conflicts=True)
        made += len(rows)
        last = chunk[-1].pk


@dataclass(frozen=True)
class Match:
    record: object
    record_type: str
    rule: str
    kind: str
    score: float

    @property
    def label(self) -> str:
        return matching.KINDS[self.kind]


def find(legal_entity, record_type: str, values: matching.Party, *, exclude=None,
         matching_types: tuple[str, ...] | None = None) -> list[Match]:
    """Records matching ``values`` (a record of ``record_type``, saved or not) under the
    published rules, best first, one entry per record. ``exclude`` is the record itself."""
    rules = DuplicateRule.objects.filter(legal_entity=legal_entity, is_published=True,
                                         record_type=record_type)
    if matching_types is not None:
        rules = rules.filter(matching_type__in=matching_types)
    best: dict[tuple[str, int], Match] = {}
    detached = set() if exclude is None else set(NotDuplicate.objects.filter(
        record_type=record_type_of(exclude), record_id=exclude.pk)
        .values_list("other_type", "other_id"))
    for rule in rules.order_by("id"):
        wanted = matching.codes(values, rule.kind)
        if not wanted:
            continue  # blank values are ignored
        ids = list(dict.fromkeys(MatchCode.objects.filter(
            legal_entity=legal_entity, record_type=rule.matching_type, kind=rule.kind,
            code__in=sorted(wanted)).values_list("record_id", flat=True)
            .order_by()[:MAX_CANDIDATES]))
        if exclude is not None and record_type_of(exclude) == rule.matching_type:
            ids = [i for i in ids if i != exclude.pk]
        ids = [i for i in ids if (rule.matching_type, i) not in detached]
        if not ids:
            continue
        model = MODELS[rule.matching_type]
        candidates = model.objects.filter(pk__in=ids)
        if model is Contact:
            candidates = candidates.select_related("account")
        for candidate in candidates:
            if rule.exclude_inactive and not is_active(candidate):
                continue
            points = matching.score(rule.kind, values, party(candidate))
            if points is None:
                continue
            key = (rule.matching_type, candidate.pk)
            if key not in best or best[key].score < points:
                best[key] = Match(candidate, rule.matching_type, rule.name, rule.kind, points)
    return sorted(best.values(), key=lambda m: (-m.score, m.record_type, m.record.pk))


def detach(*, record, other, actor: Actor) -> NotDuplicate:
    """``other`` is not a duplicate of ``record``: it leaves the record's list of possible
    duplicates (and only that list) and is not offered again when the record is saved."""
    actor.require(f"crm.change_{type(record)._meta.model_name}")
    if other.legal_entity_id != record.legal_entity_id:
        raise InvalidInput.field("other", "belongs to another legal entity")
    if type(other) is type(record) and other.pk == record.pk:
        raise InvalidInput.field("other", "a record is not its own duplicate")
    made, _ = NotDuplicate.objects.get_or_create(
        record_type=record_type_of(record), record_id=record.pk,
        other_type=record_type_of(other), other_id=other.pk,
        defaults={"legal_entity_id": record.legal_entity_id, "by": actor.user})
    audit_record(actor=actor, action="crm.duplicate.detach", obj=record,
                 data={"other_type": made.other_type, "other_id": made.other_id})
    return made


def rules_setup_default(legal_entity) -> None:
    """The shipped rules, published (at most five per record type)."""
    if DuplicateRule.objects.filter(legal_entity=legal_entity).exists():
        return
    per_type: dict[str, int] = {}
    for name, rtype, mtype, kind in DEFAULT_RULES:
        per_type[rtype] = per_type.get(rtype, 0) + 1
        DuplicateRule.objects.create(legal_entity=legal_entity, name=name, record_type=rtype,
                                     matching_type=mtype, kind=kind,
                                     is_published=per_type[rtype] <= MAX_PUBLISHED,
                                     published_at=timezone.now())


@transaction.atomic
def rule_publish(*, rule: DuplicateRule, actor: Actor) -> DuplicateRule:
    """Publish a rule: at most five per record type; its match codes are built at once."""
    actor.require("crm.change_duplicaterule")
    from .models import QualificationSettings
    from .qualify import settings_for

    # one publisher at a time per legal entity (its settings row is the lock): locking the
    # published rules would not do, a rule published meanwhile is not among them
    settings_for(rule.legal_entity)
    list(QualificationSettings.objects.select_for_update().filter(
        legal_entity_id=rule.legal_entity_id).values_list("pk", flat=True))
    locked = DuplicateRule.objects.select_for_update().get(pk=rule.pk)
    if locked.is_published:
        return locked
    published = DuplicateRule.objects.filter(legal_entity=locked.legal_entity,
                                             record_type=locked.record_type,
                                             is_published=True).count()
    if published >= MAX_PUBLISHED:
        raise RuleViolation(f"{MAX_PUBLISHED} rules are already published for "
                            f"{locked.get_record_type_display()} records; unpublish one first",
                            code="too_many_rules")
    locked.is_published, locked.published_at = True, timezone.now()
    locked.save(update_fields=["is_published", "published_at"])
    codes_build(locked.legal_entity, locked.matching_type, locked.kind)
    audit_record(actor=actor, action="crm.rule.publish", obj=locked)
    return locked


@transaction.atomic
def rule_unpublish(*, rule: DuplicateRule, actor: Actor) -> DuplicateRule:
    actor.require("crm.change_duplicaterule")
    locked = DuplicateRule.objects.select_for_update().get(pk=rule.pk)
    locked.is_published = False
    locked.save(update_fields=["is_published"])
    if locked.kind not in kinds_in_force(locked.legal_entity, locked.matching_type):
        MatchCode.objects.filter(legal_entity=locked.legal_entity,
                                 record_type=locked.matching_type, kind=locked.kind).delete()
    audit_record(actor=actor, action="crm.rule.unpublish", obj=locked)
    return locked


@transaction.atomic
def rule_create(*, legal_entity, actor: Actor, name: str, record_type: str, matching_type: str,
                kind: str, exclude_inactive: bool = True) -> DuplicateRule:
    """A new rule, unpublished: publishing it puts it in force."""
    actor.require("crm.add_duplicaterule")
    if not name.strip():
        raise InvalidInput.field("name", "required")
    for key, value in (("record_type", record_type), ("matching_type", matching_type)):
        if value not in RecordType.values:
            raise InvalidInput.field(key, f"one of {', '.join(RecordType.values)}")
    if kind not in matching.KINDS:
        raise InvalidInput.field("kind", f"one of {', '.join(matching.KINDS)}")
    made = DuplicateRule.objects.create(legal_entity=legal_entity, name=name.strip(),
                                        record_type=record_type, matching_type=matching_type,
                                        kind=kind, exclude_inactive=exclude_inactive)
    audit_record(actor=actor, action="crm.rule.create", obj=made)
    return made


@transaction.atomic
def rule_save(*, rule: DuplicateRule, actor: Actor, **changes) -> DuplicateRule:
    """Change a rule; a published rule must be unpublished first."""
    actor.require("crm.change_duplicaterule")
    rule = DuplicateRule.objects.select_for_update().get(pk=rule.pk)
    if rule.is_published:
        raise RuleViolation(f"'{rule.name}' is published: unpublish it to edit it",
                            code="rule_published")
    for key, value in changes.items():
        if key not in ("name", "record_type", "matching_type", "kind", "exclude_inactive"):
            raise InvalidInput.field(key, "not a field of a duplicate rule")
        setattr(rule, key, value)
    if rule.kind not in matching.KINDS:
        raise InvalidInput.field("kind", f"one of {', '.join(matching.KINDS)}")
    rule.save()
    return rule
