"""Collections process automation through the services: the leading invoice's steps by day,
disputed invoices skipped, one run per customer per day, activities, emails and letters."""

from datetime import timedelta
from decimal import Decimal

import pytest

from remit.collections.automation import automation_run
from remit.collections.letters import letter_sequence_save
from remit.collections.models import (
    Activity,
    CollectionLetter,
    CollectionsProcess,
    EmailTemplate,
    ProcessRun,
    ProcessStep,
)
from remit.collections.pools import pool_save
from remit.receivables.models import Contact
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, story  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(entity):
    pool = pool_save(legal_entity=entity, code="ALL", description="Everyone", actor=SYSTEM)
    process = CollectionsProcess.objects.create(legal_entity=entity, code="STD",
                                                description="Standard", pool=pool,
                                                quiet_days=2)
    template = EmailTemplate.objects.get(legal_entity=entity, code="OVERDUE")
    ProcessStep.objects.create(process=process, description="Email reminder", action="email",
                               days=3, email_template=template)
    ProcessStep.objects.create(process=process, description="Call", action="activity",
                               days=10, activity_kind="call")
    ProcessStep.objects.create(process=process, description="Letter", action="letter", days=20)
    letter_sequence_save(legal_entity=entity, code="STD", description="Standard",
                         is_default=True, actor=SYSTEM,
                         levels=[("NOK", "L1", "Reminder", 2, Decimal(0), Decimal(0), False,
                                  "")])
    return process


def test_the_leading_invoice_walks_through_the_steps_once_a_day(entity, story, process,
                                                                smtp):
    customer = story.customer()
    Contact.objects.create(customer=customer, name="Ola", email="ola@x.example",
                           is_collections=True)
    invoice = story.invoice(customer, "1000.00")
    due = invoice.due_date
    assert automation_run(legal_entity=entity, on=due + timedelta(2), actor=SYSTEM) == []
    (run,) = automation_run(legal_entity=entity, on=due + timedelta(3), actor=SYSTEM)
    assert (run.step.action, run.outcome) == ("email", "sent to ola@x.example")
    assert len(smtp.messages) == 1
    assert automation_run(legal_entity=entity, on=due + timedelta(3), actor=SYSTEM) == []
    (call,) = automation_run(legal_entity=entity, on=due + timedelta(10), actor=SYSTEM)
    assert call.outcome == "planned phone call"
    assert Activity.objects.filter(kind="call", status="open").count() == 1
    (letter,) = automation_run(legal_entity=entity, on=due + timedelta(25), actor=SYSTEM)
    assert letter.outcome.startswith("letter LTR-000001")
    assert CollectionLetter.objects.count() == 1
    assert automation_run(legal_entity=entity, on=due + timedelta(40), actor=SYSTEM) == []
    assert ProcessRun.objects.count() == 3


def test_disputed_invoices_are_skipped_failed_steps_retried_and_quiet_days_kept(
        entity, story, process, smtp):
    customer = story.customer()
    old = story.invoice(customer, "1000.00")
    newer = story.invoice(customer, "200.00", on=DAY0 + timedelta(5))
    old.collection_status = "disputed"
    old.save(update_fields=["collection_status"])
    day = newer.due_date + timedelta(3)
    (run,) = automation_run(legal_entity=entity, on=day, actor=SYSTEM)
    assert run.invoice == newer and run.outcome.startswith("skipped: ")  # no email address
    assert run.succeeded is False
    Contact.objects.create(customer=customer, name="Ola", email="ola@x.example",
                           is_collections=True)
    (retry,) = automation_run(legal_entity=entity, on=day + timedelta(1), actor=SYSTEM)
    assert (retry.step, retry.succeeded) == (run.step, True)  # a failed step is tried again
    (call,) = automation_run(legal_entity=entity, on=newer.due_date + timedelta(10),
                             actor=SYSTEM)
    assert call.outcome == "planned phone call"
    newer.refresh_from_db()
    assert automation_run(legal_entity=entity, on=newer.due_date + timedelta(11),
                          actor=SYSTEM) == []  # nothing more until the letter's day


def test_the_automation_page_runs_for_today_and_shows_the_history(entity, story, process,
                                                                  make_user, smtp):
    from django.test import Client
    from django.utils import timezone

    customer = story.customer()
    story.invoice(customer, "1000.00", on=timezone.localdate() - timedelta(days=45))
    client = Client()
    client.force_login(make_user("Collections agent", [entity]))
    response = client.post("/collections/automation/run/", follow=True)
    assert b"1 automated step(s) today" in response.content
    # 15 days overdue, track step: the first step (email), skipped without an address
    page = response.content.decode()
    assert "STD · Email reminder" in page and "skipped: " in page
