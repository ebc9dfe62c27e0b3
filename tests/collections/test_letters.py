"""Collection letters through the services: the next letter once its days have passed and its
minimum is reached, never twice, fees charged at posting, blocking letters, per transaction."""

from datetime import timedelta
from decimal import Decimal

import pytest

from remit.collections.letters import (
    letter_cancel,
    letter_pdf,
    letter_post,
    letter_sequence_save,
    letters_create,
)
from remit.collections.models import CollectionLetter
from remit.core.exceptions import RuleViolation
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, books_ok, fresh, story  # noqa: F401

pytestmark = pytest.mark.django_db
D = Decimal
LEVELS = [("NOK", "L1", "Reminder", 2, D(0), D(0), False, "A friendly reminder."),
          ("NOK", "L2", "Second reminder", 3, D(10), D(20), False, ""),
          ("NOK", "FINAL", "Final notice", 15, D(100), D(50), True, "Last notice before "
                                                                     "debt collection.")]


@pytest.fixture
def customer(story, entity):
    letter_sequence_save(legal_entity=entity, code="STD", description="Standard",
                         levels=LEVELS, is_default=True, actor=SYSTEM)
    customer = story.customer()
    invoice = story.invoice(customer, "500.00")  # due DAY0 + 30 (net 30)
    return customer, invoice


def test_letters_climb_one_level_at_a_time_and_charge_their_fees(entity, customer):
    customer, invoice = customer
    due = invoice.due_date
    assert letters_create(legal_entity=entity, on=due + timedelta(1), actor=SYSTEM) == []
    (first,) = letters_create(legal_entity=entity, on=due + timedelta(4), actor=SYSTEM)
    assert (first.number, first.level.code, first.overdue) == ("LTR-000001", "L1", D("500"))
    assert letters_create(legal_entity=entity, on=due + timedelta(4), actor=SYSTEM) == []
    letter_post(letter=first, actor=SYSTEM)
    assert fresh(first).fee_item is None  # no fee on letter 1
    assert letters_create(legal_entity=entity, on=due + timedelta(6), actor=SYSTEM) == []
    (second,) = letters_create(legal_entity=entity, on=due + timedelta(8), actor=SYSTEM)
    letter_post(letter=second, actor=SYSTEM)
    assert fresh(second).fee_item.amount == D("20.00") and second.level.code == "L2"
    (final,) = letters_create(legal_entity=entity, on=due + timedelta(23), actor=SYSTEM)
    letter_post(letter=final, actor=SYSTEM)
    assert fresh(customer).status == "on_hold"  # the final notice blocks invoicing
    assert letters_create(legal_entity=entity, on=due + timedelta(90), actor=SYSTEM) == []
    assert letter_pdf(final).startswith(b"%PDF")
    assert books_ok()


def test_a_letter_waiting_to_be_posted_stops_the_next_and_can_be_cancelled(entity, customer):
    customer, invoice = customer
    (first,) = letters_create(legal_entity=entity, on=invoice.due_date + timedelta(4),
                              actor=SYSTEM)
    assert letters_create(legal_entity=entity, on=invoice.due_date + timedelta(30),
                          actor=SYSTEM) == []
    letter_cancel(letter=first, actor=SYSTEM)
    with pytest.raises(RuleViolation, match="not yet posted"):
        letter_cancel(letter=first, actor=SYSTEM)
    (again,) = letters_create(legal_entity=entity, on=invoice.due_date + timedelta(30),
                              actor=SYSTEM)
    assert again.level.code == "L1"


def test_per_transaction_each_item_climbs_its_own_letters(entity, story):
    letter_sequence_save(legal_entity=entity, code="TX", description="Per item",
                         levels=LEVELS, is_default=True, per_transaction=True, actor=SYSTEM)
    customer = story.customer()
    old = story.invoice(customer, "300.00")
    (first,) = letters_create(legal_entity=entity, on=old.due_date + timedelta(5), actor=SYSTEM)
    letter_post(letter=first, actor=SYSTEM)
    new = story.invoice(customer, "200.00", on=DAY0 + timedelta(10))
    letters = letters_create(legal_entity=entity, on=new.due_date + timedelta(5), actor=SYSTEM)
    by_level = {x.level.code: [line.item for line in x.lines.all()] for x in letters}
    assert by_level == {"L2": [old], "L1": [new]}


def test_without_a_sequence_the_run_says_so(entity, story):
    with pytest.raises(RuleViolation, match="no collection letter sequence"):
        letters_create(legal_entity=entity, on=DAY0, actor=SYSTEM)
    assert not CollectionLetter.objects.exists()


def test_an_agent_creates_posts_prints_and_emails_letters_from_the_pages(entity, customer,
                                                                         make_user, smtp):
    from django.test import Client

    from remit.receivables.models import Contact

    customer, invoice = customer
    Contact.objects.create(customer=customer, name="Ola", email="ola@havblikk.example",
                           is_collections=True)
    client = Client()
    client.force_login(make_user("Collections agent", [entity]))
    on = (invoice.due_date + timedelta(4)).isoformat()
    response = client.post("/collections/letters/run/", {"on": on}, follow=True)
    assert b"1 collection letter(s) created" in response.content
    letter = CollectionLetter.objects.get()
    pdf = client.get(f"/collections/letters/{letter.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.post(f"/collections/letters/{letter.pk}/post/")
    assert fresh(letter).status == "posted"
    response = client.post(f"/collections/letters/{letter.pk}/email/", follow=True)
    assert b"LTR-000001: email done" in response.content
    (recipients, message), = smtp.messages
    assert recipients == ["ola@havblikk.example"]
    assert [p.get_filename() for p in message.walk() if p.get_filename()] == ["LTR-000001.pdf"]
    assert fresh(letter).sent_to == "ola@havblikk.example"
