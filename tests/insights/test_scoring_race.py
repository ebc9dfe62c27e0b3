"""The nightly scoring of every open invoice and a customer's scoring after one of its invoices
posts replace the same predictions (delete, then insert). Raced on PostgreSQL with real
connections: the customer's run starts while the nightly one has replaced everything but not
committed. Without the scoring lock the customer's delete misses the nightly run's new rows
and its insert hits them (one prediction per invoice); with it, it waits and replaces them."""

from datetime import date

import pytest

from remit.insights import services
from remit.insights.models import Prediction
from remit.receivables.models import CustomerTransaction, TransactionKind
from tests.helpers import SYSTEM, first_then_second

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AS_OF = date(2026, 3, 1)


def test_a_customers_scoring_waits_for_the_nightly_run_and_both_succeed(book, entity):
    model = services.model_train(legal_entity=entity, as_of=AS_OF, actor=SYSTEM)
    services.model_publish(model=model, actor=SYSTEM)
    slow = book.customer(50, 3, start=date(2026, 1, 10), pay=False)

    out = first_then_second(
        lambda: services.predictions_score(legal_entity=entity, as_of=AS_OF, actor=SYSTEM),
        lambda: services.predictions_score(legal_entity=entity, as_of=AS_OF, actor=SYSTEM,
                                           customers=[slow]))

    assert not isinstance(out["first"], Exception), out
    assert not isinstance(out["second"], Exception), out
    assert out["second"] == 3
    open_items = set(CustomerTransaction.objects.filter(
        legal_entity=entity, kind=TransactionKind.INVOICE, is_open=True)
        .values_list("pk", flat=True))
    scored = list(Prediction.objects.values_list("item_id", flat=True))
    assert sorted(scored) == sorted(open_items)  # every open invoice once
