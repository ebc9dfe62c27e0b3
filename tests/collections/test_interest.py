"""Interest notes through the services: created once per period, posted as open items, and
waived, reinstated or reversed — each a balanced posting the ledger check proves."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from remit.collections.interest import (
    VersionSpec,
    interest_code_save,
    interest_note_cancel,
    interest_note_post,
    interest_notes_create,
    interest_reinstate,
    interest_reverse,
    interest_waive,
)
from remit.collections.models import InterestNote, WaiveLimit
from remit.core.actor import Actor
from remit.core.exceptions import AccessDenied, RuleViolation
from remit.ledger.models import JournalLine
from tests.helpers import SYSTEM
from tests.receivables.conftest import DAY0, books_ok, fresh, story  # noqa: F401

pytestmark = pytest.mark.django_db
D = Decimal


def income(entity):
    return -sum((l.debit_acc - l.credit_acc for l in JournalLine.objects.filter(
        account__role="interest_income", account__legal_entity=entity)), D(0))


@pytest.fixture
def overdue(story, entity):
    """1 % a month on a customer's 10,000 invoice, due DAY0 + 30."""
    interest_code_save(legal_entity=entity, code="STD", name="1 % a month", is_default=True,
                       version=VersionSpec(date(2020, 1, 1), [(D(0), D(1))]), actor=SYSTEM)
    customer = story.customer()
    return customer, story.invoice(customer, "10000.00")


def test_a_run_charges_each_month_once_and_posting_makes_an_open_item(entity, overdue):
    customer, invoice = overdue
    to = invoice.due_date + timedelta(days=95)  # three months over
    (note,) = interest_notes_create(legal_entity=entity, to=to, actor=SYSTEM)
    assert (note.number, note.total, note.lines.get().intervals) == ("INT-000001", D("300.00"), 3)
    assert interest_notes_create(legal_entity=entity, to=to, actor=SYSTEM) == []  # idempotent
    posted = interest_note_post(note=note, actor=SYSTEM)
    assert posted.item.kind == "interest_note" and posted.item.open_amount == D("300.00")
    assert income(entity) == D("300.00") and books_ok()
    (later,) = interest_notes_create(legal_entity=entity, to=to + timedelta(days=31),
                                     actor=SYSTEM)
    assert later.total == D("100.00")  # only the month since


def test_recalculating_cancels_unposted_notes_and_a_cancelled_note_charges_nothing(entity,
                                                                                 overdue):
    customer, invoice = overdue
    to = invoice.due_date + timedelta(days=65)
    (first,) = interest_notes_create(legal_entity=entity, to=to, actor=SYSTEM)
    (again,) = interest_notes_create(legal_entity=entity, to=to, recalculate=True, actor=SYSTEM)
    assert fresh(first).status == "cancelled" and again.total == first.total
    interest_note_cancel(note=again, actor=SYSTEM)
    with pytest.raises(RuleViolation, match="only an unposted note"):
        interest_note_cancel(note=again, actor=SYSTEM)
    assert interest_notes_create(legal_entity=entity, to=to, actor=SYSTEM)[0].total == D("200.00")


def test_waive_within_the_limit_then_reinstate_then_waive_again(entity, overdue, make_user):
    customer, invoice = overdue
    note = interest_note_post(note=interest_notes_create(
        legal_entity=entity, to=invoice.due_date + timedelta(days=95), actor=SYSTEM)[0],
        actor=SYSTEM)
    agent = Actor.web(make_user("Collections agent", [entity]))
    with pytest.raises(AccessDenied, match="may waive up to 0"):
        interest_waive(note=note, actor=agent, reason="goodwill")
    WaiveLimit.objects.create(legal_entity=entity, user=agent.user, max_amount=D("250"))
    with pytest.raises(AccessDenied, match="up to 250"):
        interest_waive(note=note, actor=agent, reason="goodwill")
    waiver = interest_waive(note=note, actor=agent, amount=D("200.00"), reason="goodwill")
    with pytest.raises(AccessDenied, match="up to 250"):  # the limit is per note, in all
        interest_waive(note=note, actor=agent, amount=D("60.00"), reason="more goodwill")
    assert fresh(note.item).open_amount == D("100.00") and income(entity) == D("100.00")
    reinstated = interest_reinstate(adjustment=waiver, actor=agent, reason="promise broken")
    assert fresh(note.item).open_amount == D("300.00") and income(entity) == D("300.00")
    assert fresh(waiver).undone_by == reinstated
    with pytest.raises(RuleViolation, match="not yet reinstated"):
        interest_reinstate(adjustment=waiver, actor=agent)
    interest_waive(note=note, actor=SYSTEM, reason="settled the dispute")
    assert fresh(note.item).is_open is False and income(entity) == 0
    assert [a.kind for a in note.adjustments.all()] == ["waive", "reinstate", "waive"]
    assert books_ok()


def test_reverse_the_newest_first_and_the_next_run_recalculates(entity, overdue, story):
    customer, invoice = overdue
    first = interest_note_post(note=interest_notes_create(
        legal_entity=entity, to=invoice.due_date + timedelta(days=35), actor=SYSTEM)[0],
        actor=SYSTEM)
    second = interest_note_post(note=interest_notes_create(
        legal_entity=entity, to=invoice.due_date + timedelta(days=65), actor=SYSTEM)[0],
        actor=SYSTEM)
    story.pay(customer, "40.00", second.note_date, second.item)  # part paid already
    with pytest.raises(RuleViolation, match="first"):
        interest_reverse(note=first, actor=SYSTEM, reason="wrong rate")
    reversal = interest_reverse(note=second, actor=SYSTEM, reason="wrong rate")
    assert reversal.amount == D("60.00")  # the total less what was paid
    assert fresh(second).status == "reversed" and fresh(second.item).is_open is False
    interest_reverse(note=first, actor=SYSTEM, reason="wrong rate")
    # 40 of the second note was paid, so its days stay charged; remit remembers charged days
    # as "up to", so the first month (before them) is not charged again either — never
    # twice, at the price of not recharging (a review found the days charged twice before)
    assert interest_notes_create(legal_entity=entity, to=invoice.due_date + timedelta(days=65),
                                 actor=SYSTEM) == []


def test_reversing_an_unpaid_note_lets_the_next_run_charge_it_again(entity, overdue):
    customer, invoice = overdue
    note = interest_note_post(note=interest_notes_create(
        legal_entity=entity, to=invoice.due_date + timedelta(days=65), actor=SYSTEM)[0],
        actor=SYSTEM)
    interest_reverse(note=note, actor=SYSTEM, reason="wrong rate")
    (redo,) = interest_notes_create(legal_entity=entity,
                                    to=invoice.due_date + timedelta(days=65), actor=SYSTEM)
    assert redo.total == D("200.00") and books_ok()
    assert books_ok()


def test_no_interest_code_is_a_clear_error(entity, story):
    with pytest.raises(RuleViolation, match="no interest code"):
        interest_notes_create(legal_entity=entity, to=DAY0, actor=SYSTEM)
    assert not InterestNote.objects.exists()


def test_an_agent_charges_waives_and_reinstates_interest_from_the_pages(entity, overdue,
                                                                        make_user):
    from django.test import Client

    from remit.collections.models import InterestAdjustment

    customer, invoice = overdue
    user = make_user("Collections agent", [entity])
    WaiveLimit.objects.create(legal_entity=entity, user=user, max_amount=D("1000"))
    client = Client()
    client.force_login(user)
    url = f"/collections/customers/{customer.account_number}/"
    to = (invoice.due_date + timedelta(days=95)).isoformat()
    response = client.post(url + "interest/", {"to": to}, follow=True)
    assert b"1 interest note(s) created" in response.content
    note = InterestNote.objects.get()
    response = client.post(f"/collections/interest/{note.pk}/post/", follow=True)
    assert b"INT-000001: post done" in response.content
    response = client.post(f"/collections/interest/{note.pk}/waive/",
                           {"amount": "abc", "reason": "x"}, follow=True)
    assert b"amount: &#x27;abc&#x27; is not an amount" in response.content
    client.post(f"/collections/interest/{note.pk}/waive/", {"amount": "100", "reason": "goodwill"})
    assert fresh(fresh(note).item).open_amount == D("200.00")
    waiver = InterestAdjustment.objects.get()
    page = client.get(url).content.decode()
    assert "waived 100.00 by" in page and f"/collections/interest/waivers/{waiver.pk}/" in page
    client.post(f"/collections/interest/waivers/{waiver.pk}/reinstate/")
    assert fresh(fresh(note).item).open_amount == D("300.00")
    response = client.post(f"/collections/interest/{note.pk}/reverse/", {"reason": "x"},
                           follow=True)
    assert b"lacks the permission collections.reverse_interest" in response.content
    assert books_ok()


def test_interest_from_the_command_line(entity, overdue):
    from io import StringIO

    from django.core.management import call_command

    customer, invoice = overdue
    out = StringIO()
    to = (invoice.due_date + timedelta(days=35)).isoformat()
    call_command("collections", "interest", "--entity", "NO01", "--to", to, "--post", stdout=out)
    assert InterestNote.objects.get().status == "posted"
    call_command("collections", "interest", "--entity", "NO01", "--to", to, stdout=out)
    assert InterestNote.objects.count() == 1  # nothing charged twice
