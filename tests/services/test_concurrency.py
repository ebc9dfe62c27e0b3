"""Races with real connections (PostgreSQL: SQLite serialises writers, so there is no race
to lose there). Each thread is its own database session."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from remit.core.services import legal_entity_create
from remit.ledger.exceptions import AlreadyReversed
from remit.ledger.models import JournalEntry
from remit.ledger.services import journal_entry_reverse, ledger_check_run
from tests.helpers import SYSTEM, post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(n, work):
    """Run ``work(i)`` in n threads released together; collect results or exceptions."""
    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_voucher_numbers_stay_gap_free_when_postings_race_and_some_roll_back():
    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)

    def work(i):
        with transaction.atomic():
            entry = post(entity, [("6300", str(i + 1)), ("1920", str(-(i + 1)))])
            if i % 3 == 0:
                raise RuntimeError("a later step failed; the number must be given back")
            return entry.sequence_value

    outcomes = race(12, work)
    numbers = sorted(o for o in outcomes if isinstance(o, int))
    assert len(numbers) == 8
    assert numbers == list(range(1, 9))
    assert ledger_check_run(actor=SYSTEM).ok


def test_two_people_reversing_the_same_entry_at_once_get_one_reversal():
    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    entry = post(entity, [("6300", "100"), ("1920", "-100")])

    outcomes = race(2, lambda i: journal_entry_reverse(
        entry=entry, reversal_date=date(2026, 3, 17), reason=f"person {i}", actor=SYSTEM))
    assert sum(isinstance(o, JournalEntry) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyReversed) for o in outcomes) == 1
    assert JournalEntry.objects.filter(reverses=entry).count() == 1
    assert ledger_check_run(actor=SYSTEM).ok


def test_a_configuration_change_committed_while_waiting_for_the_customer_is_seen():
    """A posting that waits for a customer locked by another use case must post with the
    configuration as it is when it gets the lock, not as its kept copy was before the wait."""
    from datetime import timedelta
    from decimal import Decimal

    from remit.receivables.models import PaymentTerms
    from remit.receivables.services import LineSpec, invoice_issue
    from remit.receivables.services.customers import customers_lock
    from tests.receivables.conftest import Story

    day = date(2026, 3, 2)
    entity = legal_entity_create(code="NO01", name="Race AS", accounting_currency="NOK",
                                 actor=SYSTEM)
    story = Story(entity)
    customer = story.customer()
    n60 = PaymentTerms.objects.get(legal_entity=entity, code="N60")
    warm, locked, release = threading.Event(), threading.Event(), threading.Event()
    dues = []

    def holder():
        try:
            with transaction.atomic():
                customers_lock([customer.pk])
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def poster():
        try:
            for ready in (warm, None):  # the first keeps the terms; the second waits
                dues.append(invoice_issue(
                    customer=customer, invoice_date=day, actor=SYSTEM,
                    lines=[LineSpec("Consulting", Decimal(100), tax_code=story.zero_tax)]
                ).due_date)
                if ready:
                    ready.set()
                    locked.wait(30)
        finally:
            connection.close()

    threads = [threading.Thread(target=poster), threading.Thread(target=holder)]
    threads[0].start()
    assert warm.wait(30)
    threads[1].start()
    assert locked.wait(30)
    with connection.cursor() as cursor:
        for _ in range(300):  # until the poster waits for the lock
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("the second posting never waited for the customer")
        cursor.execute("UPDATE receivables_receivablesparameters SET default_payment_terms_id"
                       " = %s WHERE legal_entity_id = %s", [n60.pk, entity.pk])
    release.set()
    for t in threads:
        t.join(timeout=60)
    assert dues == [day + timedelta(days=30), day + timedelta(days=60)]
