"""Collection letters: a run creates the next letter due for each customer (or each overdue
item, for sequences per transaction), once — a letter waiting to be posted, or one posted less
than the next letter's days ago, stops the next; posting charges the letter's fee as an open
item (fee income against receivable) and, for letters that block, puts the customer on hold
for invoicing. Letters are printed as PDF and can be emailed with it attached."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max

from remit.core.actor import Actor
from remit.core.addresses import email_address
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.core.money import ZERO, Money
from remit.core.sequences import sequence_create, sequence_next_by_code
from remit.ledger.models import AccountRole, JournalType
from remit.ledger.rules import PostingLine
from remit.ledger.selectors import account_for_role, journal_for_type
from remit.ledger.services import journal_entry_post
from remit.receivables.models import (
    Customer,
    CustomerStatus,
    CustomerTransaction,
    TransactionKind,
)
from remit.receivables.services.customers import customers_lock, receivable_account_for

from . import letter_rules as rules
from .models import (
    CollectionLetter,
    CollectionLetterLine,
    LetterLevel,
    LetterSequence,
)
from .pools import assigned

LETTER_SEQUENCE = "collection_letter"
LETTER_SOURCE = "collections.letter"
LIVE = ("created", "posted")


def letters_setup_default(*, legal_entity: LegalEntity) -> None:
    sequence_create(legal_entity=legal_entity, code=LETTER_SEQUENCE, name="Collection letters",
                    prefix="LTR-")


@transaction.atomic
def letters_create(*, legal_entity: LegalEntity, on: date, actor: Actor,
                   customers=None) -> list[CollectionLetter]:
    """The next letter due on ``on`` for every customer with a sequence (idempotent: running
    it again the same day creates nothing)."""
    actor.require("collections.add_collectionletter")
    sequences = list(LetterSequence.objects.filter(legal_entity=legal_entity)
                     .prefetch_related("levels"))
    if not sequences:
        raise RuleViolation(f"{legal_entity.code} has no collection letter sequence",
                            code="no_letter_sequence")
    chosen = Customer.objects.filter(legal_entity=legal_entity).select_related("group")
    if customers is not None:
        chosen = chosen.filter(pk__in=[c.pk for c in customers])
    customers_lock(chosen.values_list("pk", flat=True))  # two runs at once create once
    by_customer = {c.pk: c for c in chosen}
    open_items = defaultdict(list)
    for item in (CustomerTransaction.objects.filter(customer_id__in=by_customer, is_open=True)
                 .order_by("due_date", "pk")):
        open_items[(item.customer_id, item.currency)].append(item)
    waiting = set(CollectionLetter.objects.filter(customer_id__in=by_customer,
                                                  status="created")
                  .values_list("customer_id", "currency"))
    made = []
    for (customer_id, currency), items in open_items.items():
        customer = by_customer[customer_id]
        sequence = assigned(customer, sequences)
        levels = [lv for lv in sequence.levels.all() if lv.currency == currency] \
            if sequence else []
        if not levels or (customer_id, currency) in waiting:
            continue
        overdue_items = [i for i in items if i.due_date < on]
        balance = rules.overdue_balance([(i.open_amount, i.due_date) for i in items], on,
                                        sequence.ignore_credits)
        debits = [i for i in overdue_items if i.amount > 0]
        if not debits:
            continue
        rule_levels = [rules.Level(lv.number, lv.days, lv.min_overdue, lv.fee) for lv in levels]
        by_number = {lv.number: lv for lv in levels}
        if sequence.per_transaction:
            groups = defaultdict(list)
            stages = _item_stages(debits)
            for item in debits:
                due = rules.next_letter(rule_levels, stages.get(item.pk, rules.Stage()),
                                        item.due_date, balance, on)
                if due is not None:
                    groups[due.number].append(item)
            for number, group in sorted(groups.items()):
                made.append(_letter(customer, by_number[number], on, balance, group, actor))
        else:
            due = rules.next_letter(rule_levels, _customer_stage(customer, currency),
                                    debits[0].due_date, balance, on)
            if due is not None:
                made.append(_letter(customer, by_number[due.number], on, balance, debits,
                                    actor))
    audit_record(actor=actor, action="collections.letters.create", legal_entity=legal_entity,
                 data={"on": on, "letters": [x.number for x in made]})
    return made


def _customer_stage(customer: Customer, currency: str) -> rules.Stage:
    last = (CollectionLetter.objects.filter(customer=customer, currency=currency,
                                            status="posted")
            .select_related("level").order_by("-letter_date", "-pk").first())
    return rules.Stage(last.level.number, last.letter_date) if last else rules.Stage()


def _item_stages(items) -> dict[int, rules.Stage]:
    rows = (CollectionLetterLine.objects.filter(item__in=items, letter__status="posted")
            .values("item_id").annotate(level=Max("level"), on=Max("letter__letter_date")))
    return {r["item_id"]: rules.Stage(r["level"], r["on"]) for r in rows}


def _letter(customer, level: LetterLevel, on: date, balance, items, actor) -> CollectionLetter:
    _, number = sequence_next_by_code(customer.legal_entity, LETTER_SEQUENCE)
    letter = CollectionLetter.objects.create(
        legal_entity=customer.legal_entity, number=number, customer=customer, level=level,
        currency=level.currency, letter_date=on, overdue=balance, created_by=actor.user)
    CollectionLetterLine.objects.bulk_create(
        CollectionLetterLine(letter=letter, item=i, level=level.number,
                             days_overdue=(on - i.due_date).days, open_amount=i.open_amount)
        for i in items)
    return letter


@transaction.atomic
def letter_post(*, letter: CollectionLetter, actor: Actor) -> CollectionLetter:
    """Post: the letter counts as sent (its date starts the next letter's days); its fee is
    charged; a blocking letter puts the customer on hold for invoicing."""
    actor.require("collections.add_collectionletter")
    customers_lock([letter.customer_id])
    locked = (CollectionLetter.objects.select_for_update(of=("self",))
              .select_related("customer__legal_entity", "level").get(pk=letter.pk))
    if locked.status != "created":
        raise RuleViolation(f"{locked} is {locked.status}", code="letter_status")
    customer, level = locked.customer, locked.level
    if level.fee > 0:
        entity = customer.legal_entity
        fee = Money(level.fee, locked.currency)
        receivable = receivable_account_for(customer)
        entry = journal_entry_post(
            legal_entity=entity, journal=journal_for_type(entity, JournalType.INTEREST),
            entry_date=locked.letter_date,
            description=f"Collection letter fee {locked.number} {customer.name}"[:255],
            lines=[PostingLine(receivable, fee, f"{customer.account_number} {locked.number}"),
                   PostingLine(level.fee_account or account_for_role(
                       entity, AccountRole.FEE_INCOME), -fee, f"letter fee {locked.number}")],
            actor=actor, source=LETTER_SOURCE)
        line = entry.lines.get(line_no=1)
        locked.fee_item = CustomerTransaction.objects.create(
            legal_entity=entity, customer=customer, kind=TransactionKind.FEE,
            document_number=entry.number, document_date=locked.letter_date,
            due_date=locked.letter_date, currency=locked.currency, amount=level.fee,
            amount_acc=line.debit_acc - line.credit_acc, receivable_account=receivable,
            journal_entry=entry, description=f"{level.code} fee, letter {locked.number}")
    if level.block and customer.status == CustomerStatus.ACTIVE:
        Customer.objects.filter(pk=customer.pk).update(status=CustomerStatus.ON_HOLD)
    locked.status = "posted"
    locked.save(update_fields=["status", "fee_item"])
    audit_record(actor=actor, action="collections.letter.post", obj=locked,
                 data={"level": level.code, "fee": level.fee, "blocked": level.block})
    return locked


@transaction.atomic
def letter_cancel(*, letter: CollectionLetter, actor: Actor) -> CollectionLetter:
    actor.require("collections.add_collectionletter")
    locked = CollectionLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.status != "created":
        raise RuleViolation(f"only a letter not yet posted can be cancelled; {locked} is "
                            f"{locked.status}", code="letter_status")
    locked.status = "cancelled"
    locked.save(update_fields=["status"])
    return locked


def letter_pdf(letter: CollectionLetter) -> bytes:
    from fpdf import FPDF

    customer, level = letter.customer, letter.level
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin(customer.legal_entity.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _latin(f"{customer.name} ({customer.account_number})"), new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin(f"{level.description} - {letter.number}, {letter.letter_date}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, _latin(level.note or "According to our books the items below are "
                                "overdue. Please pay them, or tell us if something is wrong."))
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 9)
    for text, width, align in (("Document", 45, "L"), ("Due", 30, "L"),
                               ("Days overdue", 30, "R"), ("Open", 45, "R")):
        pdf.cell(width, 6, text, border="B", align=align)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    total = ZERO
    for line in letter.lines.select_related("item"):
        total += line.open_amount
        pdf.cell(45, 6, _latin(line.item.document_number))
        pdf.cell(30, 6, line.item.due_date.isoformat())
        pdf.cell(30, 6, str(line.days_overdue), align="R")
        pdf.cell(45, 6, f"{line.open_amount:,.2f} {letter.currency}", align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(105, 7, "Total overdue in this letter")
    pdf.cell(45, 7, f"{total:,.2f} {letter.currency}", align="R")
    pdf.ln()
    if level.fee:
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 6, f"A fee of {level.fee:,.2f} {letter.currency} is charged for this "
                       "letter.")
    return bytes(pdf.output())


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def letter_email(*, letter: CollectionLetter, to: str, actor: Actor) -> None:
    """Send the letter as a PDF attachment."""
    actor.require("collections.add_activity")
    to = email_address("to", to)
    message = EmailMessage(
        subject=f"{letter.level.description} {letter.number} from "
                f"{letter.customer.legal_entity.name}",
        body=f"Dear {letter.customer.name},\n\nplease find our letter {letter.number} "
             f"attached.\n\nKind regards\n{letter.customer.legal_entity.name}",
        to=[to], from_email=settings.DEFAULT_FROM_EMAIL)
    message.attach(f"{letter.number}.pdf", letter_pdf(letter), "application/pdf")
    message.send(fail_silently=False)
    CollectionLetter.objects.filter(pk=letter.pk).update(sent_to=to[:254])
    audit_record(actor=actor, action="collections.letter.email", obj=letter, data={"to": to})


@transaction.atomic
def letter_sequence_save(*, legal_entity: LegalEntity, code: str, description: str,
                         levels, actor: Actor, customer_groups=(), is_default: bool = False,
                         per_transaction: bool = False,
                         ignore_credits: bool = True) -> LetterSequence:
    """Create or replace a sequence. ``levels``: (currency, code, description, days,
    minimum overdue, fee, block, note) in letter order, at most five per currency."""
    actor.require("collections.add_lettersequence")
    per_currency = defaultdict(int)
    for level in levels:
        per_currency[level[0]] += 1
    if not levels or max(per_currency.values()) > 5:
        raise InvalidInput.field("levels", "one to five letters per currency")
    sequence, _ = LetterSequence.objects.update_or_create(
        legal_entity=legal_entity, code=code, defaults={
            "description": description, "customer_groups": list(customer_groups),
            "is_default": is_default, "per_transaction": per_transaction,
            "ignore_credits": ignore_credits})
    sequence.levels.all().delete()
    numbers = defaultdict(int)
    for currency, level_code, text, days, minimum, fee, block, note in levels:
        numbers[currency] += 1
        LetterLevel.objects.create(sequence=sequence, currency=currency,
                                   number=numbers[currency], code=level_code,
                                   description=text, days=days, min_overdue=minimum, fee=fee,
                                   block=block, note=note)
    audit_record(actor=actor, action="collections.letter_sequence.save", obj=sequence,
                 data={"levels": len(levels)})
    return sequence
