"""Duplicate rules in force: publishing builds match codes, saving a record refreshes its own,
and a record's duplicates are the records sharing a code under a published rule, weighed by
``scoring.compare`` on everything the two records hold.

The rules choose which record types are compared and which match codes find candidates
(blocking); the score decides. The codes of a record are kept for every rule kind that some
published rule reads on its type, plus its surname, so a lookup is a few indexed queries and
never a scan of the records; the same codes counted tell how common a number, a mailbox or a
surname is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.scope import CustomerScope

from . import matching, names, scoring
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
from .scope import crm_visible

MAX_PUBLISHED = 5       # published rules per record type (as the commercial product)
MAX_CANDIDATES = 200    # holders of one code read as candidates: more is a switchboard at most
MODELS = {RecordType.LEAD: Lead, RecordType.ACCOUNT: Account, RecordType.CONTACT: Contact}
ANY = "any"             # a rule's matching type: leads, contacts and accounts
PERSONS = (RecordType.LEAD, RecordType.CONTACT)
BOTH = (scoring.DUPLICATE, scoring.RELATED)

DEFAULT_RULES = [
    # name, record type, matching type, kind
    ("Leads, contacts or accounts with the same email address", "lead", ANY, "email"),
    ("Leads, contacts or accounts with the same phone number", "lead", ANY, "phone"),
    ("Leads, contacts or accounts with a similar name and company name", "lead", ANY,
     "name_company"),
    ("Leads or contacts with a similar name and the same email domain", "lead", ANY,
     "name_domain"),
    ("Accounts with a similar name", "account", "account", "name_company"),
    ("Accounts with the same phone number", "account", "account", "phone"),
    ("Contacts with the same email address", "contact", "contact", "email"),
    ("Contacts with the same phone number", "contact", "contact", "phone"),
    ("Contacts with a similar name and company name", "contact", "contact", "name_company"),
    ("Contacts with a similar name and the same email domain", "contact", "contact",
     "name_domain"),
]


def types_of(matching_type: str) -> tuple[str, ...]:
    """The record types a rule's matching type stands for."""
    return tuple(MODELS) if matching_type == ANY else (matching_type,)


def party(record) -> matching.Party:
    """What matching reads of a lead, contact or account."""
    if isinstance(record, Account):
        return matching.Party(company=record.name, email=record.email, phones=(record.phone,),
                              country=record.country or "NO", is_account=True)
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


def kinds_in_force(legal_entity, record_type: str) -> set[str]:
    """The match codes kept for records of ``record_type``: the kinds some published rule
    reads on them, and the surname of a person (how common it is weighs a name agreement)."""
    kinds = set(DuplicateRule.objects.filter(legal_entity=legal_entity, is_published=True,
                                             matching_type__in=(record_type, ANY))
                .order_by().values_list("kind", flat=True))
    return kinds | ({matching.SURNAME} if record_type in PERSONS else set())


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


@transaction.atomic  # all of them or none (and one transaction, not one per row)
def codes_build(legal_entity, record_type: str, kinds, batch: int = 20_000) -> int:
    """Match codes of these kinds (one, or several) for every record of a type, made anew:
    publishing a rule. Records are read as plain values, a batch at a time."""
    kinds = sorted({kinds} if isinstance(kinds, str) else set(kinds))
    MatchCode.objects.filter(legal_entity=legal_entity, record_type=record_type,
                             kind__in=kinds).delete()
    ids = MODELS[record_type].objects.filter(legal_entity=legal_entity)
    return _codes_insert(legal_entity, record_type, kinds, ids, batch)


def codes_fill_missing(legal_entity, record_type: str, batch: int = 20_000) -> int:
    """Codes for the records of a type that have none (loaded in bulk, or made before their
    legal entity had rules), in short transactions of ``batch`` records, so records saved
    meanwhile are not held up; a code written meanwhile by the record's own save is kept."""
    kinds = sorted(kinds_in_force(legal_entity, record_type))
    coded = MatchCode.objects.filter(legal_entity=legal_entity, record_type=record_type,
                                     record_id=models.OuterRef("pk"))
    ids = MODELS[record_type].objects.filter(legal_entity=legal_entity).exclude(
        models.Exists(coded))
    return _codes_insert(legal_entity, record_type, kinds, ids, batch)


def _codes_insert(legal_entity, record_type: str, kinds, ids, batch: int) -> int:
    table = connection.ops.quote_name(MatchCode._meta.db_table)
    verb, tail = (("INSERT OR IGNORE", "") if connection.vendor == "sqlite"
                  else ("INSERT", " ON CONFLICT DO NOTHING"))
    sql = (f"{verb} INTO {table} (legal_entity_id, record_type, record_id, kind, code) "
           f"VALUES (%s, %s, %s, %s, %s){tail}")
    made, last = 0, 0
    ids = ids.order_by("pk").values_list("pk", flat=True)
    while chunk := list(ids.filter(pk__gt=last)[:batch]):
        found = parties(legal_entity, record_type, pks=chunk)
        # in the lookup index's order: each insert lands near the last one
        rows = sorted(((legal_entity.pk, record_type, pk, kind, code)
                       for pk, values in found.items() for kind in kinds
                       for code in {c[:200] for c in matching.codes(values, kind)}),
                      key=lambda row: (row[3], row[4], row[2]))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        made += len(rows)
        last = chunk[-1]
    return made


PARTY_FIELDS = {
    RecordType.LEAD: ("first_name", "last_name", "company_name", "email", "business_phone",
                      "mobile_phone", "country"),
    RecordType.CONTACT: ("first_name", "last_name", "account__name", "email", "business_phone",
                         "mobile_phone", "country"),
    RecordType.ACCOUNT: ("name", "email", "phone", "country"),
}


def parties(legal_entity, record_type: str, ids: tuple[int, int] | None = None,
            active_only: bool = False, *, pks=None, scope: CustomerScope | None = None,
            with_active: bool = False) -> dict:
    """``party`` of every record of a type (of those with ids in the range ``ids``, or of
    those ``pks``), read as plain values without model objects: what batches and the check of
    one record compare. ``with_active``: id → (party, is active)."""
    qs = MODELS[record_type].objects.all()
    if legal_entity is not None:
        qs = qs.filter(legal_entity=legal_entity)
    if ids is not None:
        qs = qs.filter(pk__range=ids)
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    if scope is not None:
        qs = qs.filter(crm_visible(qs.model, scope))
    active = "state" if record_type == RecordType.LEAD else "is_active"
    if active_only:
        qs = qs.filter(**{active: LeadState.OPEN if record_type == RecordType.LEAD else True})
    out = {}
    for pk, state, *v in qs.values_list("pk", active, *PARTY_FIELDS[record_type]).order_by() \
            .iterator(5000):
        if record_type == RecordType.ACCOUNT:
            name, email, phone, country = v
            found = matching.Party(company=name, email=email, phones=(phone,),
                                   country=country or "NO", is_account=True)
        else:
            first, last, company, email, business, mobile, country = v
            found = matching.Party(first, last, company or "", email, (business, mobile),
                                   country or "NO")
        out[pk] = (found, state in (LeadState.OPEN, True)) if with_active else found
    return out


@dataclass(frozen=True)
class Match:
    record: object
    record_type: str
    rule: str
    kind: str
    score: float
    band: str = scoring.DUPLICATE
    reasons: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return "may already exist" if self.band == scoring.DUPLICATE else "possibly related"

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons)


def scope_for(legal_entity, actor) -> CustomerScope | None:
    """The customers ``actor`` may see (None: everyone, for the system and the CLI)."""
    return CustomerScope(legal_entity, actor.user) if actor.user is not None else None


def find(legal_entity, record_type: str, values: matching.Party, *, exclude=None,
         matching_types: tuple[str, ...] | None = None,
         bands: tuple[str, ...] = (scoring.DUPLICATE,),
         scope: CustomerScope | None = None) -> list[Match]:
    """Records like ``values`` (a record of ``record_type``, saved or not) under the published
    rules, best first, one entry per record, in the given ``bands`` (by default only those
    that may be the same; add ``scoring.RELATED`` for colleagues and the company's account).
    ``exclude`` is the record itself; with a ``scope`` only records its user may see."""
    rules = [r for r in DuplicateRule.objects.filter(
        legal_entity=legal_entity, is_published=True, record_type=record_type).order_by("id")]
    wanted: dict[tuple[str, str, str], DuplicateRule] = {}
    for rule in rules:
        for mtype in types_of(rule.matching_type):
            if matching_types is not None and mtype not in matching_types:
                continue
            probe = _as_account(values) if mtype == RecordType.ACCOUNT else values
            for code in matching.codes(probe, rule.kind):
                wanted.setdefault((mtype, rule.kind, code[:200]), rule)
    if not wanted:
        return []  # blank values are ignored
    types = sorted({t for t, _, _ in wanted})
    phoned = {t for r in rules if r.kind == matching.PHONE for t in types_of(r.matching_type)}
    counts = _counts(legal_entity, types, values, exclude, wanted)
    found: dict[tuple[str, int], list[DuplicateRule]] = {}
    for mtype, kind, code, record_id in _holders(legal_entity, wanted, counts):
        found.setdefault((mtype, record_id), []).append(wanted[(mtype, kind, code)])
    if exclude is not None:
        found.pop((record_type_of(exclude), exclude.pk), None)
        for key in NotDuplicate.objects.filter(record_type=record_type_of(exclude),
                                               record_id=exclude.pk).values_list(
                                                   "other_type", "other_id"):
            found.pop(key, None)
    out = []
    for mtype in types:
        ids = [i for t, i in found if t == mtype]
        if not ids:
            continue
        kept = _weigh(mtype, ids, found, values, counts, bands, scope,
                      phone_rule=mtype in phoned)
        model = MODELS[mtype]
        records = model.objects.filter(pk__in=list(kept))
        if model is Contact:
            records = records.select_related("account")
        for record in records:  # only the matches become model objects
            by, verdict = kept[record.pk]
            out.append(Match(record, mtype, by[0].name, by[0].kind, verdict.score,
                             verdict.band, tuple(verdict.reasons)))
    return sorted(out, key=lambda m: (m.band != scoring.DUPLICATE, -m.score, m.record_type,
                                      m.record.pk))


def _weigh(mtype, ids, found, values, counts, bands, scope, *, phone_rule: bool) -> dict:
    """The candidates of one type, read as plain values, weighed: id → (rules, verdict) of
    those in ``bands``."""
    def held(kind, code):
        return counts.get((mtype, kind, code), 0)

    kept = {}
    others = parties(None, mtype, pks=ids, scope=scope, with_active=True)
    for pk, (other, active) in others.items():
        by = found[(mtype, pk)]
        if all(r.exclude_inactive for r in by) and not active:
            continue
        # could they share an address or number? (a shared number finds the record when a
        # phone rule reads its type; otherwise it may share one unseen)
        shared = (bool(values.email_key) and values.email_key == other.email_key
                  or any(values.phones) and (not phone_rule
                                             or any(r.kind == matching.PHONE for r in by)))
        if bands == (scoring.DUPLICATE,) and not scoring.could_be_same(
                values, other, held, contact_shared=bool(shared)):
            continue  # the names rule it out: its numbers need not be read
        verdict = scoring.compare(values, other, held)
        if verdict.band in bands:
            kept[pk] = (by, verdict)
    return kept


def _as_account(values: matching.Party) -> matching.Party:
    """What of a person's record can find the company's account."""
    return matching.Party(company=values.company, email=values.email, phones=values.phones,
                          country=values.country, is_account=True)


COUNTED = (matching.EMAIL, matching.PHONE, matching.SURNAME)


def _counts(legal_entity, types, values: matching.Party, exclude, wanted) -> dict:
    """How many records of each type hold each of the probe's codes (the record itself not
    counted): (type, kind, code) → count. The e-mail, numbers and surname weigh evidence;
    every count bounds the candidates (one index-only count, however common the code)."""
    kinds = set(COUNTED) | {k for _, k, _ in wanted}
    codes = {code[:200] for kind in COUNTED for code in matching.codes(values, kind)}
    codes |= {c for _, _, c in wanted}
    if values.first_key:  # names written swapped: the first name may be the surname
        codes.add(names.spelling_key(values.first_key.replace(" ", "")))
    if not codes:
        return {}
    rows = MatchCode.objects.filter(legal_entity=legal_entity, record_type__in=types,
                                    kind__in=sorted(kinds), code__in=sorted(codes))
    if exclude is not None:  # its codes may be its old values: they are not counted at all
        rows = rows.exclude(record_type=record_type_of(exclude), record_id=exclude.pk)
    return {(t, k, c): n for t, k, c, n in rows.values_list("record_type", "kind", "code")
            .order_by().annotate(n=models.Count("*"))}


def _holders(legal_entity, wanted: dict, counts: dict):
    """(type, kind, code, record id) of the records holding a wanted code; a code held by
    more than MAX_CANDIDATES records finds none (a big company's switchboard)."""
    usable = {key for key in wanted if counts.get(key, 0) <= MAX_CANDIDATES}
    if not usable:
        return []
    rows = (MatchCode.objects.filter(
        legal_entity=legal_entity, record_type__in=sorted({t for t, _, _ in usable}),
        kind__in=sorted({k for _, k, _ in usable}), code__in=sorted({c for _, _, c in usable}))
        .values_list("record_type", "kind", "code", "record_id").order_by())
    return [row for row in rows if row[:3] in usable]


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

    # one publisher at a time per legal entity (its settings row, made with the entity, is the
    # lock): locking the published rules would not do, one published meanwhile is not among
    # them
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
    for record_type in types_of(locked.matching_type):
        codes_build(locked.legal_entity, record_type, locked.kind)
    audit_record(actor=actor, action="crm.rule.publish", obj=locked)
    return locked


@transaction.atomic
def rule_unpublish(*, rule: DuplicateRule, actor: Actor) -> DuplicateRule:
    actor.require("crm.change_duplicaterule")
    locked = DuplicateRule.objects.select_for_update().get(pk=rule.pk)
    locked.is_published = False
    locked.save(update_fields=["is_published"])
    for record_type in types_of(locked.matching_type):
        if locked.kind not in kinds_in_force(locked.legal_entity, record_type):
            MatchCode.objects.filter(legal_entity=locked.legal_entity, record_type=record_type,
                                     kind=locked.kind).delete()
    audit_record(actor=actor, action="crm.rule.unpublish", obj=locked)
    return locked


@transaction.atomic
def rule_create(*, legal_entity, actor: Actor, name: str, record_type: str, matching_type: str,
                kind: str, exclude_inactive: bool = True) -> DuplicateRule:
    """A new rule, unpublished: publishing it puts it in force."""
    actor.require("crm.add_duplicaterule")
    if not name.strip():
        raise InvalidInput.field("name", "required")
    if record_type not in RecordType.values:
        raise InvalidInput.field("record_type", f"one of {', '.join(RecordType.values)}")
    if matching_type not in (*RecordType.values, ANY):
        raise InvalidInput.field("matching_type", f"one of {', '.join(RecordType.values)}, "
                                 f"{ANY}")
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
    if rule.record_type not in RecordType.values:
        raise InvalidInput.field("record_type", f"one of {', '.join(RecordType.values)}")
    if rule.matching_type not in (*RecordType.values, ANY):
        raise InvalidInput.field("matching_type", f"one of {', '.join(RecordType.values)}, "
                                 f"{ANY}")
    if rule.kind not in matching.KINDS:
        raise InvalidInput.field("kind", f"one of {', '.join(matching.KINDS)}")
    rule.save()
    return rule
