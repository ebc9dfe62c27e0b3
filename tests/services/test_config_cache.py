"""Configuration kept between postings (remit.core.config) is never used after it changed:
not after a change that bypasses the ORM (a shell's UPDATE, another process), not after a
change that was rolled back, and not where the stamp row is gone."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from remit.core import config
from remit.receivables.models import PaymentTerms, ReceivablesParameters
from remit.receivables.services import LineSpec, invoice_issue
from tests.helpers import SYSTEM

DAY = date(2026, 3, 2)
pytestmark = pytest.mark.django_db


@pytest.fixture
def story(entity):
    from tests.receivables.conftest import Story

    return Story(entity)


def _due(story, customer) -> date:
    """The due date of a new invoice for a customer without terms: the entity's default."""
    invoice = invoice_issue(customer=customer, invoice_date=DAY, actor=SYSTEM,
                            lines=[LineSpec("Consulting", Decimal(100), tax_code=story.zero_tax)])
    return invoice.due_date


def _set_default_terms(entity, code: str) -> None:
    """As a shell or another process would: SQL, no model signal."""
    terms = PaymentTerms.objects.get(legal_entity=entity, code=code)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE receivables_receivablesparameters SET default_payment_terms_id = "
                       "%s WHERE legal_entity_id = %s", [terms.pk, entity.pk])


def test_a_change_made_with_plain_sql_is_seen_by_the_next_posting(story, entity):
    customer = story.customer()
    assert _due(story, customer) == DAY + timedelta(days=30)  # N30, and now kept
    assert _due(story, customer) == DAY + timedelta(days=30)
    _set_default_terms(entity, "N60")
    assert _due(story, customer) == DAY + timedelta(days=60)


def test_a_change_rolled_back_leaves_nothing_behind(story, entity):
    customer = story.customer()
    _due(story, customer)
    with pytest.raises(RuntimeError), transaction.atomic():
        _set_default_terms(entity, "N14")
        assert _due(story, customer) == DAY + timedelta(days=14)  # kept under the new stamp
        raise RuntimeError("undo")
    assert _due(story, customer) == DAY + timedelta(days=30)


def test_without_the_stamp_row_nothing_is_kept(story, entity):
    customer = story.customer()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_configstamp")
    _due(story, customer)
    ReceivablesParameters.objects.filter(legal_entity=entity).update(
        default_payment_terms=PaymentTerms.objects.get(legal_entity=entity, code="N14"))
    # the update's trigger writes the row again: from here on it is kept as before
    assert _due(story, customer) == DAY + timedelta(days=14)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_configstamp")
        assert cursor.fetchone()[0] == 1


def test_outside_a_use_case_every_read_is_fresh():
    loads = []
    for _ in range(2):
        config.cached(("test", 1), lambda: loads.append(1))
    assert len(loads) == 2
    with config.config_scope():
        config.stamp_observed(42)
        for _ in range(2):
            config.cached(("test", 1), lambda: loads.append(1))
        config.stamp_observed(43)  # another use case saw another stamp
        config.cached(("test", 1), lambda: loads.append(1))
    assert len(loads) == 4


def test_configuration_written_inside_a_use_case_and_rolled_back_is_not_kept(story, entity):
    """A use case may set up configuration on first use, under the stamp it observed. What
    it reads after that write must not outlive the write's rollback."""
    from remit.receivables.services.customers import customers_lock
    from remit.receivables.services.setup import parameters_read

    customer = story.customer()
    assert _due(story, customer) == DAY + timedelta(days=30)
    n14 = PaymentTerms.objects.get(legal_entity=entity, code="N14")
    with pytest.raises(RuntimeError), transaction.atomic(), config.config_scope():
        customers_lock([customer.pk])
        assert parameters_read(entity).default_payment_terms.code == "N30"  # from the cache
        ReceivablesParameters.objects.filter(legal_entity=entity).update(
            default_payment_terms=n14)
        assert not config.caching()
        assert parameters_read(entity).default_payment_terms.code == "N14"  # read afresh
        raise RuntimeError("a later step failed")
    assert _due(story, customer) == DAY + timedelta(days=30)


def test_every_configuration_table_has_its_trigger_and_migrate_puts_back_a_lost_one(entity):
    """SQLite drops a table's triggers when a migration rebuilds the table; the ledger check
    says so and the next migrate repairs it."""
    from remit.core.config import (
        stamp_triggers_missing,
        stamp_triggers_on_migrate,
        stamp_triggers_remove,
        stamped_tables,
    )
    from remit.ledger.checks import check_config_stamps

    assert "receivables_paymentterms" in stamped_tables()
    assert stamp_triggers_missing(connection) == []
    assert list(check_config_stamps(entity)) == []
    stamp_triggers_remove(connection, ["receivables_paymentterms"])  # as a rebuild leaves it
    assert stamp_triggers_missing(connection) == ["receivables_paymentterms"]
    [violation] = check_config_stamps(entity)
    assert "receivables_paymentterms" in violation.message
    stamp_triggers_on_migrate(sender=None, using="default")
    assert stamp_triggers_missing(connection) == []
