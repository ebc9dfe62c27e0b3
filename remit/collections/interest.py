"""Interest on overdue items: interest notes created per customer and interest-code version,
posted (an open item the customer owes: receivable against interest income), cancelled while
unposted, recalculated; and waived, reinstated or reversed once posted — each adjustment an
open item settled against the note, so the ledger check covers it — with per-user waive limits
and a history.

What was charged is remembered on the note lines (item, to date): a run charges each item only
for the days after its last live line, so running twice charges nothing twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import AccessDenied, InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.core.money import ZERO, Money
from remit.core.sequences import sequence_create, sequence_next_by_code
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import journal_entry_post
from remit.receivables.models import (
    Customer,
    CustomerTransaction,
    SettlementKind,
    TransactionKind,
)
from remit.receivables.services.customers import customers_lock, receivable_account_for
from remit.receivables.services.settlement import (
    items_lock,
    settlement_record,
    settlement_undo,
)

from . import interest_rules as rules
from .pools import assigned
from .models import (
    InterestAdjustment,
    InterestCode,
    InterestNote,
    InterestNoteLine,
    InterestNoteStatus,
    InterestRange,
    InterestVersion,
    WaiveLimit,
)

INTEREST_SOURCE = "collections.interest"
NOTE_SEQUENCE = "interest_note"
LIVE = (InterestNoteStatus.CREATED, InterestNoteStatus.POSTED)
CHARGED_KINDS = (TransactionKind.INVOICE, TransactionKind.OPENING_BALANCE, TransactionKind.FEE)


def interest_setup_default(*, legal_entity: LegalEntity) -> None:
    sequence_create(legal_entity=legal_entity, code=NOTE_SEQUENCE, name="Interest notes",
                    prefix="INT-")


# --- setup -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class VersionSpec:
    effective_from: date
    ranges: Sequence[tuple[Decimal, Decimal]]  # (from value, percent or amount)
    basis: str = "percentage"
    every: int = 1
    unit: str = "month"
    range_by: str = "none"
    per_day: bool = False
    grace_days: int = 0
    min_interest: Decimal | None = None
    max_interest: Decimal | None = None


@transaction.atomic
def interest_code_save(*, legal_entity: LegalEntity, code: str, name: str,
                       version: VersionSpec, actor: Actor,
                       customer_groups: Sequence[str] | None = None,
                       is_default: bool | None = None) -> InterestCode:
    """Create a code, or add a version to it (a new version from its date on); the code's
    groups and default flag change only when given."""
    actor.require("collections.add_interestcode")
    if version.basis not in ("percentage", "amount") or version.unit not in ("day", "month") \
            or version.range_by not in ("none", "amount", "days", "months"):
        raise InvalidInput.field("version", "basis percentage|amount, unit day|month, range "
                                 "by none|amount|days|months")
    if version.every < 1:
        raise InvalidInput.field("every", "at least 1")
    if not version.ranges or any(v < 0 for _, v in version.ranges):
        raise InvalidInput.field("ranges", "at least one (from value, rate) with a rate ≥ 0")
    settings = {"name": name}
    if customer_groups is not None:
        settings["customer_groups"] = list(customer_groups)
    if is_default is not None:
        settings["is_default"] = is_default
    found, _ = InterestCode.objects.update_or_create(legal_entity=legal_entity, code=code,
                                                     defaults=settings)
    made, created = InterestVersion.objects.update_or_create(
        code=found, effective_from=version.effective_from, defaults={
            "basis": version.basis, "every": version.every, "unit": version.unit,
            "range_by": version.range_by, "per_day": version.per_day,
            "grace_days": version.grace_days, "min_interest": version.min_interest,
            "max_interest": version.max_interest})
    made.ranges.all().delete()
    InterestRange.objects.bulk_create(InterestRange(version=made, from_value=f, value=v)
                                      for f, v in version.ranges)
    audit_record(actor=actor, action="collections.interest_code.save", obj=found,
                 data={"version": version.effective_from, "new_version": created})
    return found


def _versions(code: InterestCode) -> list[rules.Version]:
    return [rules.Version(key=v.pk, effective_from=v.effective_from, basis=v.basis,
                          every=v.every, unit=v.unit, range_by=v.range_by, per_day=v.per_day,
                          grace_days=v.grace_days, min_interest=v.min_interest,
                          max_interest=v.max_interest,
                          ranges=tuple(rules.Range(r.from_value, r.value)
                                       for r in v.ranges.all()))
            for v in code.versions.prefetch_related("ranges")]


# --- notes -----------------------------------------------------------------------------------

@transaction.atomic
def interest_notes_create(*, legal_entity: LegalEntity, to: date, actor: Actor,
                          customers: Sequence[Customer] | None = None,
                          recalculate: bool = False, interest_on_interest: bool = False,
                          note_date: date | None = None) -> list[InterestNote]:
    """Interest up to ``to`` on every open overdue item of the customers (all by default):
    one note per customer, currency and version. ``recalculate`` first cancels the unposted
    notes, so their interest is worked out again."""
    actor.require("collections.add_interestnote")
    if to > timezone.localdate():
        raise InvalidInput.field("to", "interest is charged up to today at the latest, not in "
                                 "advance")
    codes = list(InterestCode.objects.filter(legal_entity=legal_entity)
                 .prefetch_related("versions__ranges"))
    if not codes:
        raise RuleViolation(f"{legal_entity.code} has no interest code", code="no_interest_code")
    chosen = Customer.objects.filter(legal_entity=legal_entity).select_related("group")
    if customers is not None:
        chosen = chosen.filter(pk__in=[c.pk for c in customers])
    customers_lock(chosen.values_list("pk", flat=True))  # two runs at once charge once
    if recalculate:
        InterestNote.objects.filter(customer__in=chosen, status=InterestNoteStatus.CREATED) \
            .update(status=InterestNoteStatus.CANCELLED)
    kinds = CHARGED_KINDS + ((TransactionKind.INTEREST_NOTE,) if interest_on_interest else ())
    items = (CustomerTransaction.objects.filter(customer__in=chosen, is_open=True,
                                                amount__gt=0, kind__in=kinds, due_date__lt=to)
             .order_by("customer_id", "due_date", "pk"))
    # a reversed note still counts when part of it was paid or waived (only the rest was
    # credited back), so those days are never charged twice
    kept = [a.note_id for a in InterestAdjustment.objects.filter(
        kind="reverse", note__customer__in=chosen).select_related("note")
        if a.amount < a.note.total]
    charged = dict(InterestNoteLine.objects.filter(item__in=items)
                   .filter(Q(note__status__in=LIVE) | Q(note_id__in=kept))
                   .values("item_id").annotate(last=Max("to_date"))
                   .values_list("item_id", "last"))
    versions_of = {code.pk: _versions(code) for code in codes}
    by_customer = {c.pk: c for c in chosen}
    notes: dict[tuple, list] = defaultdict(list)
    for item in items:
        code = assigned(by_customer[item.customer_id], codes)
        if code is None:
            continue
        for piece in rules.interest(amount=item.open_amount, due=item.due_date,
                                    charged_to=charged.get(item.pk), to=to,
                                    versions=versions_of[code.pk], currency=item.currency):
            notes[(item.customer_id, item.currency, piece.version)].append((item, piece))
    made = []
    for (customer_id, currency, version_id), lines in notes.items():
        _, number = sequence_next_by_code(legal_entity, NOTE_SEQUENCE)
        note = InterestNote.objects.create(
            legal_entity=legal_entity, number=number, customer=by_customer[customer_id],
            version_id=version_id, currency=currency, note_date=note_date or to, to_date=to,
            total=sum((p.interest for _, p in lines), ZERO), created_by=actor.user)
        InterestNoteLine.objects.bulk_create(
            InterestNoteLine(note=note, item=item, from_date=p.start, to_date=p.end,
                             intervals=p.intervals, base_amount=item.open_amount, rate=p.rate,
                             interest=p.interest) for item, p in lines)
        made.append(note)
    audit_record(actor=actor, action="collections.interest.create", legal_entity=legal_entity,
                 data={"to": to, "notes": [n.number for n in made], "recalculate": recalculate})
    return made


@transaction.atomic
def interest_note_post(*, note: InterestNote, actor: Actor) -> InterestNote:
    """Post: receivable against interest income, and an open item due at once."""
    actor.require("collections.add_interestnote")
    customers_lock([note.customer_id])
    locked = InterestNote.objects.select_for_update(of=("self",)).select_related(
        "customer__legal_entity", "version__code").get(pk=note.pk)
    if locked.status != InterestNoteStatus.CREATED:
        raise RuleViolation(f"{locked} is {locked.get_status_display()}", code="note_status")
    customer = locked.customer
    entity = customer.legal_entity
    amount = Money(locked.total, locked.currency)
    receivable = receivable_account_for(customer)
    income = locked.version.code.account or account_for_role(entity, AccountRole.INTEREST_INCOME)
    entry = journal_entry_post(
        legal_entity=entity, journal=journal_for_type(entity, JournalType.INTEREST),
        entry_date=locked.note_date,
        description=f"Interest note {locked.number} {customer.name}"[:255],
        lines=[PostingLine(receivable, amount, f"{customer.account_number} {locked.number}"),
               PostingLine(income, -amount, f"interest {locked.number}")],
        actor=actor, source=INTEREST_SOURCE)
    line = entry.lines.get(line_no=1)
    locked.item = CustomerTransaction.objects.create(
        legal_entity=entity, customer=customer, kind=TransactionKind.INTEREST_NOTE,
        document_number=locked.number, document_date=locked.note_date,
        due_date=locked.note_date, currency=locked.currency, amount=locked.total,
        amount_acc=line.debit_acc - line.credit_acc, receivable_account=receivable,
        journal_entry=entry, description=f"interest up to {locked.to_date}")
    locked.status = InterestNoteStatus.POSTED
    locked.save(update_fields=["item", "status"])
    audit_record(actor=actor, action="collections.interest.post", obj=locked,
                 data={"total": locked.total, "currency": locked.currency,
                       "entry": entry.number})
    return locked


@transaction.atomic
def interest_note_cancel(*, note: InterestNote, actor: Actor) -> InterestNote:
    actor.require("collections.add_interestnote")
    locked = InterestNote.objects.select_for_update().get(pk=note.pk)
    if locked.status != InterestNoteStatus.CREATED:
        raise RuleViolation(f"only an unposted note can be cancelled; {locked} is "
                            f"{locked.get_status_display()} (reverse it instead)",
                            code="note_status")
    locked.status = InterestNoteStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(actor=actor, action="collections.interest.cancel", obj=locked)
    return locked


# --- waive, reinstate, reverse ----------------------------------------------------------------

def _adjust(note: InterestNote, amount: Decimal, kind: str, reason: str,
            actor: Actor) -> tuple[CustomerTransaction, object]:
    """Post an adjustment item (interest income against receivable; negative for waive and
    reverse) and settle it against the note's item."""
    customer = note.customer
    entity = customer.legal_entity
    sign = 1 if kind == "reinstate" else -1
    money = Money(sign * amount, note.currency)
    receivable = note.item.receivable_account
    income = note.version.code.account or account_for_role(entity, AccountRole.INTEREST_INCOME)
    on = max(timezone.localdate(), note.item.document_date)
    entry = journal_entry_post(
        legal_entity=entity, journal=journal_for_type(entity, JournalType.INTEREST),
        entry_date=on, description=f"Interest {kind} {note.number} {customer.name}"[:255],
        lines=[PostingLine(receivable, money, f"{customer.account_number} {note.number} {kind}"),
               PostingLine(income, -money, f"interest {kind} {note.number}")],
        actor=actor, source=INTEREST_SOURCE)
    line = entry.lines.get(line_no=1)
    item = CustomerTransaction.objects.create(
        legal_entity=entity, customer=customer, kind=TransactionKind.INTEREST_ADJUSTMENT,
        document_number=entry.number, document_date=on, due_date=on, currency=note.currency,
        amount=money.amount, amount_acc=line.debit_acc - line.credit_acc,
        receivable_account=receivable, journal_entry=entry,
        description=f"{kind} {note.number}: {reason}"[:255])
    return item, on


def _settle_pair(customer, on, first, second, actor, reason):
    rows = items_lock([first.pk, second.pk])
    a, b = rows[first.pk], rows[second.pk]
    closing = min(abs(a.open_amount), abs(b.open_amount))
    return settlement_record(
        customer=customer, on=on, kind=SettlementKind.INTEREST, currency=a.currency,
        actor=actor, comment=reason[:255],
        changes=[(a, closing if a.amount > 0 else -closing, ZERO, ZERO, ""),
                 (b, closing if b.amount > 0 else -closing, ZERO, ZERO, "")])


def _locked_note(note: InterestNote) -> InterestNote:
    customers_lock([note.customer_id])
    locked = (InterestNote.objects.select_for_update(of=("self",))
              .select_related("customer__legal_entity", "version__code", "item")
              .get(pk=note.pk))
    if locked.status != InterestNoteStatus.POSTED or locked.item is None:
        raise RuleViolation(f"{locked} is {locked.get_status_display()}, not posted",
                            code="note_status")
    locked.item = items_lock([locked.item_id])[locked.item_id]
    return locked


def _check_limit(note: InterestNote, amount: Decimal, actor: Actor) -> None:
    if actor.user is None:
        return  # remit itself (a command or job)
    limit = WaiveLimit.objects.filter(legal_entity=note.legal_entity, user=actor.user).first()
    earlier = sum((a.amount for a in note.adjustments.filter(kind="waive",
                                                              undone_by__isnull=True)), ZERO)
    acc = (amount + earlier) * note.item.amount_acc / note.item.amount  # per note, in all
    if limit is None or acc > limit.max_amount:
        allowed = limit.max_amount if limit else ZERO
        raise AccessDenied(f"{actor.name} may waive up to {allowed:f} "
                           f"{note.legal_entity.accounting_currency} per note; this is "
                           f"{acc:.2f}", code="waive_limit")


@transaction.atomic
def interest_waive(*, note: InterestNote, actor: Actor, reason: str = "",
                   amount: Decimal | None = None) -> InterestAdjustment:
    """Forgive what is still owed on the note (note total less payments and earlier waivers),
    or part of it, within the user's waive limit."""
    actor.require("collections.waive_interest")
    locked = _locked_note(note)
    owed = locked.item.open_amount
    amount = owed if amount is None else amount
    if owed <= 0:
        raise RuleViolation(f"nothing is owed on {locked}", code="nothing_owed")
    if amount <= 0 or amount > owed or Money(amount, locked.currency).rounded_amount() != amount:
        raise InvalidInput.field("amount", f"between 0 and {owed:f} {locked.currency}")
    _check_limit(locked, amount, actor)
    item, on = _adjust(locked, amount, "waive", reason, actor)
    _settle_pair(locked.customer, on, item, locked.item, actor, f"waive {locked.number}")
    return _history(locked, "waive", amount, item, reason, actor)


@transaction.atomic
def interest_reinstate(*, adjustment: InterestAdjustment, actor: Actor,
                       reason: str = "") -> InterestAdjustment:
    """Make waived interest due again: the waiver's settlement with the note is undone and a
    debit settles the waiver, so the note is open for what was waived."""
    actor.require("collections.waive_interest")
    locked = _locked_note(adjustment.note)
    waiver = InterestAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if waiver.kind != "waive" or waiver.undone_by_id is not None:
        raise RuleViolation("only a waiver not yet reinstated can be reinstated",
                            code="not_reinstatable")
    from remit.receivables.models import Settlement

    for settlement in Settlement.objects.filter(lines__item=waiver.item,
                                                reversed_on__isnull=True).distinct():
        settlement_undo(settlement=settlement,
                        on=max(timezone.localdate(), settlement.settled_on),
                        reason=f"reinstate {locked.number}", actor=actor)
    item, on = _adjust(locked, waiver.amount, "reinstate", reason, actor)
    _settle_pair(locked.customer, on, item, waiver.item, actor, f"reinstate {locked.number}")
    made = _history(locked, "reinstate", waiver.amount, item, reason, actor)
    waiver.undone_by = made
    waiver.save(update_fields=["undone_by"])
    return made


@transaction.atomic
def interest_reverse(*, note: InterestNote, actor: Actor, reason: str) -> InterestAdjustment:
    """Roll back a note (say, charged at a wrong rate): a credit for what is still owed on it,
    and the note no longer counts as charged, so the next run recalculates. The newest note of
    a customer is reversed first."""
    actor.require("collections.reverse_interest")
    if not reason.strip():
        raise InvalidInput.field("reason", "say why the interest is reversed")
    locked = _locked_note(note)
    newer = InterestNote.objects.filter(customer=locked.customer,
                                        status=InterestNoteStatus.POSTED) \
        .filter(Q(note_date__gt=locked.note_date)
                | Q(note_date=locked.note_date, pk__gt=locked.pk)).first()
    if newer is not None:
        raise RuleViolation(f"reverse {newer} first (the newest note comes first)",
                            code="reverse_newest_first")
    owed = locked.item.open_amount
    item = None
    if owed > 0:
        item, on = _adjust(locked, owed, "reverse", reason, actor)
        _settle_pair(locked.customer, on, item, locked.item, actor, f"reverse {locked.number}")
    locked.status = InterestNoteStatus.REVERSED
    locked.save(update_fields=["status"])
    return _history(locked, "reverse", owed, item or locked.item, reason, actor)


def _history(note, kind, amount, item, reason, actor) -> InterestAdjustment:
    made = InterestAdjustment.objects.create(note=note, kind=kind, amount=amount, item=item,
                                             reason=reason.strip()[:255], by=actor.user)
    audit_record(actor=actor, action=f"collections.interest.{kind}", obj=note,
                 data={"amount": amount, "item": item.document_number, "reason": reason})
    return made
