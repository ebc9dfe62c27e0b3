"""Predictions kept fresh: every night all open invoices of every legal entity with a
published model, all of one legal entity's after a version is published, and a customer's
open invoices soon after one of its invoices posts."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from remit.core import config
from remit.core.actor import Actor
from remit.core.models import LegalEntity
from remit.jobs.registry import remit_task
from remit.receivables.models import Customer

from .automation import prediction_activities_create
from .models import ModelStatus, PredictionModel
from .services import predictions_score


@remit_task()
def predictions_nightly() -> dict:
    today = timezone.localdate()
    done = {}
    for entity in LegalEntity.objects.filter(
            is_active=True, pk__in=PredictionModel.objects.filter(
                status=ModelStatus.PUBLISHED).values("legal_entity")):
        actor = Actor.task("predictions nightly")
        done[entity.code] = {
            "scored": predictions_score(legal_entity=entity, as_of=today, actor=actor),
            "activities": prediction_activities_create(legal_entity=entity, on=today,
                                                       actor=actor)}
    return done


@remit_task()
def predictions_for_entity(legal_entity_id: int) -> int:
    """Every open invoice of one legal entity as of the day the job runs, after a version is
    published (or reverted to): the list never shows one version's heading over another's
    predictions for long."""
    entity = LegalEntity.objects.get(pk=legal_entity_id)
    return predictions_score(legal_entity=entity, as_of=timezone.localdate(),
                             actor=Actor.task("model published"))


@remit_task()
def predictions_for_customer(customer_id: int, as_of: str) -> int:
    customer = Customer.objects.select_related("legal_entity").get(pk=customer_id)
    return predictions_score(legal_entity=customer.legal_entity, as_of=date.fromisoformat(as_of),
                             customers=[customer], actor=Actor.task("new invoice"))


def on_invoice_posted(sender, invoice, item, **kwargs) -> None:
    """A new invoice of a legal entity with a model in use: score its customer once the
    posting has committed (in the background; the posting never waits for a model)."""
    if item.amount <= 0 or not config.cached(
            ("insights.published", invoice.legal_entity_id),
            lambda: PredictionModel.objects.filter(legal_entity_id=invoice.legal_entity_id,
                                                   status=ModelStatus.PUBLISHED).exists()):
        return
    as_of = timezone.localdate().isoformat()  # never a future invoice date: it would age the rest
    transaction.on_commit(lambda: predictions_for_customer.enqueue(
        customer_id=invoice.customer_id, as_of=as_of))
