"""The credit periodic tasks by the clock: every night, each legal entity's balance statistics,
risk scores, and an evaluation of its open credit holds (which releases the ready ones when
the parameters say so)."""

from django.utils import timezone

from remit.core.actor import Actor
from remit.core.models import LegalEntity
from remit.jobs.registry import remit_task

from .holds import holds_evaluate
from .models import CreditParameters
from .risk import balance_statistics_calculate, risk_scores_update


@remit_task()
def credit_nightly() -> dict:
    today = timezone.localdate()
    actor = Actor.task("credit nightly")
    done = {}
    enabled = CreditParameters.objects.filter(enabled=True).values_list("legal_entity_id",
                                                                        flat=True)
    for entity in LegalEntity.objects.filter(is_active=True, pk__in=enabled):
        customers = balance_statistics_calculate(legal_entity=entity, as_of=today, actor=actor)
        scored = risk_scores_update(legal_entity=entity, as_of=today, actor=actor)
        evaluated = holds_evaluate(legal_entity=entity, as_of=today, actor=actor)
        done[entity.code] = {"statistics": customers, "scored": scored.customers,
                             "holds_evaluated": evaluated.evaluated,
                             "released": evaluated.released}
    return done
