"""Qualifying a lead: which account, contact and opportunities it becomes, by the legal
entity's settings per record type (automatic, or the seller's choice of new / existing /
skip), filled through the field mappings — all in one transaction when Qualify is pressed,
nothing before."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.ledger.rules import entry_date_problem

from . import duplicates, leads
from .models import (
    Account,
    Contact,
    EntryKind,
    FieldMapping,
    Lead,
    LeadState,
    Mode,
    Opportunity,
    QualificationSettings,
    Target,
)
from .setup import DEFAULT_MAPPINGS, settings_for  # noqa: F401 (settings_for: callers' path)

MAX_OPPORTUNITIES = 5
NEW, EXISTING, SKIP = "new", "existing", "skip"

TARGET_FIELDS = {
    Target.ACCOUNT: leads.ACCOUNT_FIELDS,
    Target.CONTACT: leads.CONTACT_FIELDS,
    Target.OPPORTUNITY: ("topic", "estimated_revenue", "currency", "close_date", "stage"),
}
# what a mapping may fill: the stage is a choice and the close date a date, no lead field's
MAPPABLE = {target: tuple(f for f in fields if (target, f) not in {
    (Target.OPPORTUNITY, "stage"), (Target.OPPORTUNITY, "close_date")})
    for target, fields in TARGET_FIELDS.items()}
TARGET_MODELS = {Target.ACCOUNT: Account, Target.CONTACT: Contact,
                 Target.OPPORTUNITY: Opportunity}


SETTINGS_FIELDS = ("account_mode", "contact_mode", "opportunity_mode", "multiple_opportunities",
                   "lead_summary", "enhanced_duplicate_dialog", "customer_on_won",
                   "summary_endpoint", "summary_model", "summary_api_key")


@transaction.atomic
def settings_save(*, legal_entity, actor: Actor, **changes) -> QualificationSettings:
    """Change how leads are qualified in a legal entity (audited; the API key is not logged)."""
    actor.require("crm.change_qualificationsettings")
    settings_for(legal_entity)
    locked = QualificationSettings.objects.select_for_update().get(legal_entity=legal_entity)
    for key, value in changes.items():
        if key not in SETTINGS_FIELDS:
            raise InvalidInput.field(key, "not a qualification setting")
        if key.endswith("_mode") and value not in Mode.values:
            raise InvalidInput.field(key, f"one of {', '.join(Mode.values)}")
    before = {k: getattr(locked, k) for k in changes}
    for key, value in changes.items():
        setattr(locked, key, value)
    locked.save()
    audit_record(actor=actor, action="crm.settings.change", obj=locked,
                 data={k: ("…" if k == "summary_api_key" else str(v))
                       for k, v in changes.items() if before[k] != v})
    return locked


def mapping_add(*, legal_entity, target: str, lead_field: str, target_field: str,
                actor: Actor) -> FieldMapping:
    """An administrator's own mapping (a field no default mapping fills)."""
    actor.require("crm.add_fieldmapping")
    settings_for(legal_entity)
    if target not in Target.values:
        raise InvalidInput.field("target", f"one of {', '.join(Target.values)}")
    if lead_field not in leads.LEAD_FIELDS:
        raise InvalidInput.field("lead_field", f"no lead field {lead_field!r}")
    if target_field not in MAPPABLE[target]:
        raise InvalidInput.field("target_field", f"{target}.{target_field} cannot be mapped "
                                 f"(one of {', '.join(MAPPABLE[target])})")
    problem = _incompatible(Lead._meta.get_field(lead_field),
                            TARGET_MODELS[target]._meta.get_field(target_field))
    if problem:
        raise InvalidInput.field("lead_field", f"lead.{lead_field} cannot fill "
                                 f"{target}.{target_field}: {problem}")
    if FieldMapping.objects.filter(legal_entity=legal_entity, target=target,
                                   target_field=target_field).exists():
        raise RuleViolation(f"{target}.{target_field} is already filled by a mapping",
                            code="mapped")
    return FieldMapping.objects.create(legal_entity=legal_entity, target=target,
                                       lead_field=lead_field, target_field=target_field)


def _incompatible(source, target) -> str:
    """Why a lead field cannot fill a field of another record ('' when it can): both text
    (and the target long enough), both amounts, or the same kind of link."""
    text = ("CharField", "TextField")
    kinds = source.get_internal_type(), target.get_internal_type()
    if kinds[0] in text and kinds[1] in text:
        if target.max_length and (source.max_length is None
                                  or source.max_length > target.max_length):
            return f"up to {source.max_length or 'any number of'} characters into " \
                   f"{target.max_length}"
        return ""
    if kinds[0] == kinds[1] and (not source.is_relation
                                 or source.related_model == target.related_model):
        return ""
    return "not the same kind of value"


def mapping_delete(*, mapping: FieldMapping, actor: Actor) -> None:
    actor.require("crm.delete_fieldmapping")
    if mapping.is_default:
        raise RuleViolation(f"{mapping} is a default mapping and cannot be deleted",
                            code="default_mapping")
    mapping.delete()


def mapped(lead: Lead, target: str, mappings: list[FieldMapping] | None = None) -> dict:
    """The values the mappings carry from the lead to a new record of ``target`` (a mapping
    made before its target field stopped being mappable carries nothing). ``mappings``: the
    legal entity's, when the caller has read them already."""
    out = {}
    if mappings is None:
        mappings = FieldMapping.objects.filter(legal_entity_id=lead.legal_entity_id,
                                               target=target).order_by("id")
    for m in mappings:
        if m.target != target or m.target_field not in MAPPABLE[target]:
            continue
        value = getattr(lead, m.lead_field, None)
        if value not in (None, ""):
            out[m.target_field] = value
    return out


@dataclass
class Choice:
    """The seller's choice for the account or the contact."""
    action: str = NEW              # new, existing or skip
    existing: Account | Contact | None = None
    values: dict = field(default_factory=dict)  # edits of the mapped values (seller only)


@dataclass
class OpportunitySpec:
    topic: str = ""
    estimated_revenue: object = None
    close_date: date | None = None
    values: dict = field(default_factory=dict)


@dataclass
class Result:
    lead: Lead
    account: Account | None
    contact: Contact | None
    opportunities: list[Opportunity]
    created: list[str]


def pane(lead: Lead) -> dict:
    """What the Qualify pane offers for this lead: per record type, automatic (shown, not
    editable) or the seller's options, and the mapped values to start from."""
    settings = settings_for(lead.legal_entity)
    account_options = [EXISTING, SKIP] if not lead.company_name else [NEW, EXISTING, SKIP]
    return {
        "account": {"mode": settings.account_mode, "options": account_options,
                    "default": _default_account(lead), "values": mapped(lead, Target.ACCOUNT)},
        "contact": {"mode": settings.contact_mode, "options": [NEW, EXISTING, SKIP],
                    "default": EXISTING if lead.parent_contact_id else NEW,
                    "values": mapped(lead, Target.CONTACT)},
        "opportunity": {"mode": settings.opportunity_mode,
                        "max": (MAX_OPPORTUNITIES if settings.opportunity_mode == Mode.SELLER
                                and settings.multiple_opportunities else 1),
                        "values": mapped(lead, Target.OPPORTUNITY)},
    }


def _default_account(lead: Lead) -> str:
    if lead.parent_account_id:
        return EXISTING
    return NEW if lead.company_name else SKIP


def _automatic_account(lead: Lead) -> Choice:
    if lead.parent_account_id:
        return Choice(EXISTING, lead.parent_account)
    return Choice(NEW) if lead.company_name else Choice(SKIP)


def _automatic_contact(lead: Lead) -> Choice:
    if lead.parent_contact_id:
        return Choice(EXISTING, lead.parent_contact)
    return Choice(NEW) if (lead.last_name or lead.email) else Choice(SKIP)


def _resolve(kind: str, mode: str, choice: Choice | None, automatic: Choice,
             lead: Lead) -> Choice:
    if mode == Mode.AUTOMATIC:
        if choice is not None and (choice.values or choice.action != automatic.action
                                   or choice.existing not in (None, automatic.existing)):
            raise RuleViolation(f"the {kind} is created automatically and cannot be edited in "
                                "the qualify pane: close the pane, change the lead, and "
                                "qualify again", code="automatic_record")
        return automatic
    choice = choice or automatic
    if choice.action not in (NEW, EXISTING, SKIP):
        raise InvalidInput.field((kind, "action"), "new, existing or skip")
    if choice.action == NEW and kind == "account" and not lead.company_name:
        raise InvalidInput.field(("account", "action"), "a new account needs the lead's "
                                 "company name")
    if choice.action == EXISTING:
        model = Account if kind == "account" else Contact
        if not isinstance(choice.existing, model) or \
                choice.existing.legal_entity_id != lead.legal_entity_id:
            raise InvalidInput.field((kind, "existing"), f"choose an existing {kind}")
        if not choice.existing.is_active:
            raise InvalidInput.field((kind, "existing"), f"{choice.existing} is inactive")
    return choice


def _opportunity_specs(lead: Lead, settings: QualificationSettings,
                       specs: list[OpportunitySpec] | None) -> list[OpportunitySpec]:
    if settings.opportunity_mode == Mode.AUTOMATIC:
        if specs:
            raise RuleViolation("opportunities are created automatically and cannot be "
                                "edited in the qualify pane", code="automatic_record")
        return [OpportunitySpec()]
    specs = [OpportunitySpec()] if specs is None else specs
    limit = MAX_OPPORTUNITIES if settings.multiple_opportunities else 1
    if len(specs) > limit:
        raise InvalidInput.field("opportunities", f"at most {limit} from one lead"
                                 + ("" if settings.multiple_opportunities else
                                    " (more needs 'multiple opportunities' in the settings)"))
    currency = lead.currency or lead.legal_entity.accounting_currency
    for i, spec in enumerate(specs):  # bad values are named before any duplicate dialog
        if spec.estimated_revenue not in (None, ""):
            leads.estimated_amount(("opportunities", i, "estimated_revenue"),
                                   spec.estimated_revenue, currency)
        problem = spec.close_date and entry_date_problem(spec.close_date,
                                                         timezone.localdate())
        if problem:  # the same bounds as the API's (a typo like 1800)
            raise InvalidInput.field(("opportunities", i, "close_date"), problem)
    return specs


@transaction.atomic
def lead_qualify(*, lead: Lead, actor: Actor, account: Choice | None = None,
                 contact: Choice | None = None,
                 opportunities: list[OpportunitySpec] | None = None,
                 ignore_duplicates: bool = False, on: date | None = None) -> Result:
    """Qualify an open lead into an account, a contact and opportunities (each by the
    settings), then mark it qualified. Duplicates of the new account or contact stop it
    with the matches (link to one, or ignore and save); a duplicate of the lead itself stops
    it with the documented error."""
    actor.require("crm.qualify_lead")
    locked = leads.lead_locked(lead)
    if locked.state != LeadState.OPEN:
        raise RuleViolation(f"the lead is {locked.state}: reactivate it to qualify it again",
                            code="lead_closed")
    settings = settings_for(locked.legal_entity)
    _lead_duplicates(locked, ignore_duplicates)
    account_choice = _resolve("account", settings.account_mode, account,
                              _automatic_account(locked), locked)
    contact_choice = _resolve("contact", settings.contact_mode, contact,
                              _automatic_contact(locked), locked)
    specs = _opportunity_specs(locked, settings, opportunities)
    mappings = list(FieldMapping.objects.filter(legal_entity_id=locked.legal_entity_id)
                    .order_by("id"))

    account_values = contact_values = None
    if account_choice.action == NEW:
        account_values = {"owner": locked.owner, **mapped(locked, Target.ACCOUNT, mappings),
                          **account_choice.values}
    if contact_choice.action == NEW:
        contact_values = {"owner": locked.owner, **mapped(locked, Target.CONTACT, mappings),
                          **contact_choice.values}
    if not ignore_duplicates:  # the dialog lists the matched accounts and contacts together
        matches = []
        for values, model, rtype in ((account_values, Account, "account"),
                                     (contact_values, Contact, "contact")):
            if values is not None:
                draft = model(legal_entity=locked.legal_entity,
                              **{k: v for k, v in values.items() if k != "account"})
                matches += duplicates.find(
                    locked.legal_entity, rtype, duplicates.party(draft),
                    scope=duplicates.scope_for(locked.legal_entity, actor))
        if matches:
            raise leads.DuplicatesFound("account or contact", matches)

    created = []
    the_account = account_choice.existing if account_choice.action == EXISTING else None
    if account_values is not None:
        the_account = leads.account_create(legal_entity=locked.legal_entity, actor=actor,
                                           ignore_duplicates=True, originating_lead=locked,
                                           **account_values)
        created.append(f"account {the_account.name}")
    the_contact = contact_choice.existing if contact_choice.action == EXISTING else None
    if contact_values is not None:
        contact_values.setdefault("account", the_account)
        the_contact = leads.contact_create(legal_entity=locked.legal_entity, actor=actor,
                                           ignore_duplicates=True, originating_lead=locked,
                                           **contact_values)
        created.append(f"contact {the_contact}")
    elif the_contact is not None and the_account is not None and not the_contact.account_id:
        the_contact.account = the_account
        the_contact.save(update_fields=["account", "updated_at"])
        duplicates.codes_refresh(the_contact)  # found by its company's name from now on

    made = [_opportunity(locked, spec, the_account, the_contact, i == 0, actor, mappings)
            for i, spec in enumerate(specs)]
    created += [f"opportunity {o.topic}" for o in made]
    leads.status_move(locked, leads.status("qualified"), "qualify", actor,
                "Created " + ", ".join(created) if created else "Nothing created")
    leads.timeline_add(locked, EntryKind.QUALIFIED, "Lead qualified",
                       "\n".join(created), actor=actor)
    result = Result(locked, the_account, the_contact, made, created)
    if settings.lead_summary:
        from .summary import summary_add
        summary_add(result, settings, actor)
    audit_record(actor=actor, action="crm.lead.qualify", obj=locked,
                 data={"created": created, "account": getattr(the_account, "pk", None),
                       "contact": getattr(the_contact, "pk", None),
                       "opportunities": [o.pk for o in made]})
    return result


def _lead_duplicates(lead: Lead, ignore: bool) -> None:
    if ignore:
        return
    found = [m for m in duplicates.find(lead.legal_entity, "lead", duplicates.party(lead),
                                        exclude=lead, matching_types=("lead",))]
    if found:
        raise RuleViolation(
            "Lead record was not created or updated because a duplicate of the current "
            "record already exists "
            f"({', '.join(leads.describe_match(m) for m in found[:3])}). "
            "Merge the leads, or ignore the duplicates and qualify, or have an administrator "
            "unpublish the rule or set it to exclude inactive records.",
            code="lead_duplicate")


def _opportunity(lead: Lead, spec: OpportunitySpec, account, contact, primary: bool,
                 actor: Actor, mappings: list[FieldMapping]) -> Opportunity:
    values = {**mapped(lead, Target.OPPORTUNITY, mappings), **spec.values}
    for key in ("topic", "estimated_revenue", "close_date"):
        if getattr(spec, key) not in (None, ""):
            values[key] = getattr(spec, key)
    unknown = set(values) - set(TARGET_FIELDS[Target.OPPORTUNITY])
    if unknown:
        raise InvalidInput.field(("opportunities", sorted(unknown)[0]), "not an opportunity "
                                                                         "field")
    if not values.get("topic"):
        raise InvalidInput.field(("opportunities", "topic"), "required")
    values.setdefault("currency", lead.currency or lead.legal_entity.accounting_currency)
    if values.get("estimated_revenue") not in (None, ""):
        values["estimated_revenue"] = leads.estimated_amount(
            ("opportunities", "estimated_revenue"), values["estimated_revenue"],
            values["currency"])
    opportunity = Opportunity.objects.create(
        legal_entity=lead.legal_entity, account=account, contact=contact,
        originating_lead=lead, owner=lead.owner, is_primary=primary, **values)
    leads.timeline_add(opportunity, EntryKind.CREATED, f"Opportunity created from lead "
                                                       f"{lead.topic}", actor=actor)
    return opportunity


def leads_qualify_bulk(*, leads_: list[Lead], actor: Actor, create_account: bool = True,
                       create_contact: bool = True,
                       create_opportunity: bool = True) -> tuple[list[Result], list[str]]:
    """Qualify several leads with the same choice of what to create (the bulk dialog); a lead
    that cannot be qualified is reported, the others go ahead."""
    done, problems = [], []
    for lead in leads_:
        try:
            done.append(lead_qualify(
                lead=lead, actor=actor,
                account=None if _mode(lead, "account") == Mode.AUTOMATIC else
                (_automatic_account(lead) if create_account else Choice(SKIP)),
                contact=None if _mode(lead, "contact") == Mode.AUTOMATIC else
                (_automatic_contact(lead) if create_contact else Choice(SKIP)),
                opportunities=None if _mode(lead, "opportunity") == Mode.AUTOMATIC else
                ([OpportunitySpec()] if create_opportunity else [])))
        except (RuleViolation, InvalidInput) as exc:
            problems.append(f"{lead.topic}: {exc.message}")
    return done, problems


def _mode(lead: Lead, kind: str) -> str:
    return getattr(settings_for(lead.legal_entity), f"{kind}_mode")
