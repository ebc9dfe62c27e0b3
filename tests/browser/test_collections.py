"""A collections agent's day in a real browser: from the aged balances list to a customer's
Collections page; a small balance written off with a reason code, a bounced payment registered,
an interest note waived, a call planned — and the books prove themselves afterwards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from remit.collections.interest import (
    VersionSpec,
    interest_code_save,
    interest_note_post,
    interest_notes_create,
)
from remit.collections.models import Activity, WaiveLimit
from remit.collections.services import snapshot_create
from remit.core.services import user_create
from remit.ledger.services import ledger_check_run
from remit.receivables.models import CustomerTransaction, Settlement, WriteOffLimit
from tests.browser.conftest import snapshot
from tests.helpers import SYSTEM
from tests.receivables.conftest import Story

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def book(entity):
    today = timezone.localdate()
    story = Story(entity)
    interest_code_save(legal_entity=entity, code="STD", name="1 % a month", is_default=True,
                       version=VersionSpec(today - timedelta(days=900),
                                           [(Decimal(0), Decimal(1))]), actor=SYSTEM)
    late = story.customer()
    late.name = "Havblikk Marine AS"
    late.save()
    story.invoice(late, "10000.00", on=today - timedelta(days=130))
    paid = story.invoice(late, "2000.00", on=today - timedelta(days=40))
    story.pay(late, "2000.00", today - timedelta(days=3), paid)
    (note,) = interest_notes_create(legal_entity=entity, to=today - timedelta(days=5),
                                    actor=SYSTEM)
    interest_note_post(note=note, actor=SYSTEM)
    small = story.customer()
    small.name = "Småbeløp AS"
    small.save()
    story.invoice(small, "45.00", on=today - timedelta(days=70))
    snapshot_create(legal_entity=entity, as_of=today, actor=SYSTEM)
    agent = user_create(username="siri", password="correct-horse-9",
                        roles=["collections-agent"], legal_entities=[entity], actor=SYSTEM)
    WaiveLimit.objects.create(legal_entity=entity, user=agent, max_amount=Decimal("1000"))
    WriteOffLimit.objects.create(legal_entity=entity, user=agent, max_amount=Decimal("1000"))
    return {"late": late, "small": small, "note": note, "paid": paid}


def test_an_agent_writes_off_registers_nsf_waives_interest_and_plans_a_call(
        page, live_server, book):
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("siri")
    page.get_by_label("Password").fill("correct-horse-9")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Aged balances").click()
    expect(page.get_by_role("link", name="Havblikk Marine AS")).to_be_visible()

    page.get_by_role("link", name="Småbeløp AS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Småbeløp AS")
    expect(page.locator("#items-form > button[hidden]")).to_be_hidden()  # no empty box shown
    page.get_by_label("Write-off reason").select_option(label="BADDEBT · Bad debt: customer "
                                                              "cannot pay")
    page.get_by_label("Reason comment").fill("company dissolved")
    page.get_by_role("button", name="Write off all").click()
    expect(page.get_by_role("status")).to_contain_text("(BADDEBT)")
    assert Settlement.objects.get(kind="write_off").reason.code == "BADDEBT"

    page.get_by_role("link", name="Aged balances").first.click()
    page.get_by_role("link", name="Havblikk Marine AS").click()
    page.get_by_role("link", name="open and settled").first.click()
    payment = CustomerTransaction.objects.get(customer=book["late"], kind="payment")
    page.get_by_label("Bounce reason").fill("account closed")
    page.get_by_role("row", name=payment.document_number).get_by_role("button",
                                                                      name="NSF…").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"{payment.document_number} bounced: {book['paid'].document_number} reopened")
    snapshot(page, "collections-nsf")

    page.get_by_label(f"Waive reason for {book['note'].number}").fill("goodwill after NSF call")
    page.get_by_role("button", name="Waive").click()
    expect(page.get_by_role("status")).to_contain_text(f"{book['note'].number}: waive done")
    expect(page.get_by_text("waived")).to_be_visible()

    page.get_by_label("Purpose").fill("Call about the bounced payment")
    page.get_by_role("button", name="Plan activity").click()
    expect(page.get_by_role("status")).to_contain_text("Phone call planned for")
    snapshot(page, "collections-customer")
    assert Activity.objects.get().owner.username == "siri"
    run = ledger_check_run(actor=SYSTEM)
    assert run.ok, run.violations
