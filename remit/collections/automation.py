"""Collections process automation: once a day, for every customer of a process's pool, the
step due for its leading invoice — plan an activity, send an email, or create the next
collection letter — and a history of what was done. Running twice on one day does nothing
more (one run per customer per day, in the database)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import DomainError
from remit.core.models import LegalEntity
from remit.jobs.registry import remit_task
from remit.receivables.models import CollectionStatus, CustomerTransaction, TransactionKind

from . import automation_rules as rules
from .models import CollectionsProcess, ProcessRun
from .pools import pool_customers

SKIPPED = (CollectionStatus.DISPUTED, CollectionStatus.PROMISED)


def _assignments(legal_entity: LegalEntity, on: date) -> dict[int, CollectionsProcess]:
    """customer id → its process: the best-ranked active process whose pool holds it."""
    chosen: dict[int, CollectionsProcess] = {}
    for process in (CollectionsProcess.objects.filter(legal_entity=legal_entity,
                                                      is_active=True)
                    .select_related("pool").prefetch_related("steps__email_template")
                    .order_by("rank", "code")):
        for customer_id in pool_customers(process.pool, on).values_list("pk", flat=True):
            chosen.setdefault(customer_id, process)
    return chosen


def automation_run(*, legal_entity: LegalEntity, on: date, actor: Actor) -> list[ProcessRun]:
    """Run every process of the legal entity as of ``on``."""
    actor.require("collections.add_activity")
    made = []
    for customer_id, process in _assignments(legal_entity, on).items():
        try:
            with transaction.atomic():
                run = _customer(customer_id, process, on, actor)
        except IntegrityError:
            continue  # another run got this customer today
        if run is not None:
            made.append(run)
    audit_record(actor=actor, action="collections.automation.run", legal_entity=legal_entity,
                 data={"on": on, "runs": len(made)})
    return made


def _customer(customer_id: int, process: CollectionsProcess, on: date,
              actor: Actor) -> ProcessRun | None:
    open_items = CustomerTransaction.objects.filter(customer_id=customer_id, is_open=True)
    if process.min_balance is not None:  # in the accounting currency, whatever the items'
        balance = sum(i.amount_acc - i.settled_acc for i in open_items)
        if balance < process.min_balance:
            return None
    leading = (open_items.filter(kind=TransactionKind.INVOICE, amount__gt=0)
               .exclude(collection_status__in=SKIPPED))
    if process.min_invoice is not None:
        leading = leading.filter(amount_acc__gte=process.min_invoice)
    invoice = leading.select_related("customer__legal_entity").order_by("due_date", "pk").first()
    if invoice is None:
        return None
    if ProcessRun.objects.filter(customer_id=customer_id, run_on=on).exists():
        return None  # once a day, tried or not
    history = ProcessRun.objects.filter(customer_id=customer_id, succeeded=True)
    last = history.aggregate(last=Max("run_on"))["last"]
    done = set(history.filter(invoice=invoice).values_list("step_id", flat=True))
    steps = {s.pk: s for s in process.steps.all()}
    due = rules.step_due([rules.Step(pk, s.days) for pk, s in steps.items()],
                         invoice.due_date, on, done, process.track_step, last,
                         process.quiet_days)
    if due is None:
        return None
    step = steps[due.key]
    run = ProcessRun.objects.create(legal_entity=invoice.legal_entity,
                                    customer_id=customer_id, step=step, invoice=invoice,
                                    run_on=on, outcome="")
    outcome, run.succeeded = _act(step, invoice, on, actor)
    run.outcome = outcome[:255]
    run.save(update_fields=["outcome", "succeeded"])
    return run


def _act(step, invoice: CustomerTransaction, on: date, actor: Actor) -> tuple[str, bool]:
    """Do the step; (what happened, whether it counts as done)."""
    from .activities import activity_create
    from .email import email_open_items
    from .letters import letters_create
    from .views import collections_contact

    customer = invoice.customer
    try:
        if step.action == "activity":
            activity = activity_create(customer=customer, kind=step.activity_kind or "call",
                                       purpose=f"{step.description}: {invoice}", due_on=on,
                                       actor=actor)
            return f"planned {activity.get_kind_display()}", True
        if step.action == "email":
            contact = collections_contact(customer)
            sent = email_open_items(customer=customer, template=step.email_template,
                                    as_of=on, contact=contact, actor=actor,
                                    to=contact.email if contact else "")
            return sent.outcome, True
        letters = letters_create(legal_entity=customer.legal_entity, on=on,
                                 customers=[customer], actor=actor)
        return ((f"letter {letters[0].number} ({letters[0].level.code})", True) if letters
                else ("no letter due", False))
    except DomainError as exc:
        return f"skipped: {exc.message}", False
    except OSError as exc:
        return f"email failed: {exc}", False


@remit_task()
def collections_automation_daily() -> dict:
    """Every legal entity's collections processes, as of today."""
    from django.utils import timezone

    runs = 0
    for entity in LegalEntity.objects.filter(is_active=True):
        if CollectionsProcess.objects.filter(legal_entity=entity, is_active=True).exists():
            runs += len(automation_run(legal_entity=entity, on=timezone.localdate(),
                                       actor=Actor.task("collections automation")))
    return {"runs": runs}
