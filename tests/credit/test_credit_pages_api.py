"""The credit and sales pages and API, as the people who use them: a sales rep's order is held
over the limit, a credit manager sees why and releases it, and every page renders."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from remit.core.services import api_token_create
from remit.credit.models import AdjustmentStatus, CreditHold, HoldStatus
from remit.credit.setup import reason
from remit.sales.models import OrderStatus, SalesOrder
from tests.helpers import SYSTEM


@pytest.fixture
def people(entity, make_user):
    return {"rep": make_user("Sales rep", [entity], username="rep"),
            "credit": make_user("Credit manager", [entity], username="creditmgr")}


def _api(user):
    secret = api_token_create(user=user, name="t", actor=SYSTEM)[1]
    client = Client()

    def call(method, path, body=None):
        return client.generic(method, f"/api{path}", data=json.dumps(body or {}),
                              content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {secret}")
    return call


def test_api_order_held_then_released_with_posting(cs, people):
    customer = cs.customer(limit=1000)
    rep, credit = _api(people["rep"]), _api(people["credit"])
    made = rep("POST", "/sales/orders", {"customer": customer.account_number,
                                         "order_date": "2026-03-02",
                                         "lines": [{"description": "Pumps",
                                                    "unit_price": "1500.00",
                                                    "tax_code": "Z"}]})
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    held = rep("POST", f"/sales/orders/{number}/post", {"step": "confirmation",
                                                        "on": "2026-03-02"})
    assert held.status_code == 200 and held.json()["posted"] is False
    assert held.json()["order"]["holds"][0]["reasons"] == [
        "150.00 % of the customer credit limit used (more than 100 %)"]
    listed = credit("GET", "/credit/holds")
    assert [h["order"] for h in listed.json()] == [number]
    hold_id = listed.json()[0]["id"]
    assert rep("POST", f"/credit/holds/{hold_id}/release", {}).status_code == 403
    released = credit("POST", f"/credit/holds/{hold_id}/release",
                      {"reason": "APPROVED", "posting": True, "on": "2026-03-02",
                       "note": "Prepayment agreed"})
    assert released.status_code == 200, released.content
    assert released.json()["posted"] is True
    assert released.json()["hold"]["status"] == "released"
    assert released.json()["hold"]["decided_by"] == "creditmgr"
    position = credit("GET", f"/credit/customers/{customer.account_number}?as_of=2026-03-02")
    body = position.json()
    # released with posting: the order is confirmed and counts as an open order
    assert Decimal(body["open_orders"]) == Decimal(1500)
    assert Decimal(body["available"]) == Decimal(-500)


def test_api_refuses_bad_input_with_field_errors(cs, people):
    rep = _api(people["rep"])
    response = rep("POST", "/sales/orders", {"customer": "nobody", "order_date": "2026-03-02",
                                             "lines": []})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["customer"]
    customer = cs.customer(limit=10)
    order = cs.order(customer, "5.00")
    bad = rep("POST", f"/sales/orders/{order.number}/post", {"step": "shipping",
                                                             "on": "2026-03-02"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["step"]


def test_pages_render_for_a_credit_manager(cs, people, client):
    customer = cs.customer(limit=1000)
    order = cs.order(customer, "1500.00")
    cs.post(order)
    client.force_login(people["credit"])
    for url in ("/credit/holds/", "/credit/holds/?status=all", f"/credit/customers/"
                f"{customer.account_number}/", "/credit/adjustments/", "/credit/rules/",
                "/sales/orders/", "/sales/orders/?status=held", f"/sales/orders/{order.number}/"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/credit/holds/").content.decode()
    assert order.number in page and "150.00 % of the customer credit limit used" in page


def test_release_from_the_holds_page_and_the_history_shows_who_and_why(cs, people, client):
    customer = cs.customer(limit=1000)
    order = cs.order(customer, "1500.00")
    hold = cs.post(order).hold
    client.force_login(people["credit"])
    approved = reason(cs.entity, "release", "APPROVED")
    response = client.post("/credit/holds/action/", {
        "hold": hold.pk, "action": "release_posting", "reason": approved.pk,
        "note": "Known customer", "on": "2026-03-02"})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.status == HoldStatus.RELEASED
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    page = client.get(f"/sales/orders/{order.number}/").content.decode()
    assert "Released</strong> by creditmgr" in page and "Known customer" in page


def test_adjustment_journal_through_the_pages(cs, people, client):
    customer = cs.customer()
    client.force_login(people["credit"])
    client.post("/credit/adjustments/new/", {"kind": "limit", "description": "Spring review"})
    from remit.credit.models import Adjustment
    journal = Adjustment.objects.get(description="Spring review")
    base = f"/credit/adjustments/{journal.number}"
    client.post(f"{base}/line/", {"customer": customer.account_number, "new_limit": "25000",
                                  "new_to": "2027-03-31"})
    bad = client.post(f"{base}/line/", {"customer": customer.account_number, "new_limit": "1",
                                        "new_to": ""}, follow=True)
    assert "expiry" in bad.content.decode()
    client.post(f"{base}/post/")
    journal.refresh_from_db()
    assert journal.status == AdjustmentStatus.POSTED and journal.lines.count() == 1
    page = client.get(f"/credit/customers/{customer.account_number}/").content.decode()
    assert "25,000.00" in page or "25 000,00" in page or "25000.00" in page


def test_a_sales_rep_creates_an_order_from_the_page(cs, people, client):
    customer = cs.customer(limit=1000)
    client.force_login(people["rep"])
    response = client.post("/sales/orders/new/", {
        "customer": customer.account_number, "order_date": "2026-03-02",
        "description_0": "Valves", "quantity_0": "2", "unit_price_0": "100",
        "tax_0": str(cs.zero_tax.pk)})
    order = SalesOrder.objects.get(customer=customer)
    assert response.status_code == 302 and order.total_amount == 200
    posted = client.post(f"/sales/orders/{order.number}/post/", {"step": "confirmation",
                                                                 "on": "2026-03-02"},
                         follow=True)
    assert "confirmed" in posted.content.decode()
    assert client.get("/credit/rules/").status_code == 403
    assert not CreditHold.objects.exists()


def test_checkpoints_from_the_rules_page_are_all_or_none_for_grace_days(cs, people, client):
    from remit.credit.models import Checkpoint

    client.force_login(people["credit"])
    form = {"posting_confirmation": "on", "grace_confirmation": "2",
            "posting_invoice": "on", "grace_invoice": "0"}
    page = client.post("/credit/checkpoints/", form, follow=True).content.decode()
    assert "grace days are all or none" in page
    assert Checkpoint.objects.get(legal_entity=cs.entity, step="confirmation").grace_days == 0
    form["grace_invoice"] = "1"
    client.post("/credit/checkpoints/", form)
    saved = {c.step: (c.on_posting, c.grace_days)
             for c in Checkpoint.objects.filter(legal_entity=cs.entity)}
    assert saved == {"confirmation": (True, 2), "picking": (False, 0),
                     "packing_slip": (False, 0), "invoice": (True, 1)}


def test_the_holds_list_starts_in_the_current_entity_and_opens_another_by_switching(
        cs, entity, other_entity, make_user, client):
    from remit.receivables.models import SalesTaxCode
    from remit.sales.services import LineSpec, sales_order_create

    here = cs.order(cs.customer(limit=1000), "1500.00")
    cs.post(here)
    abroad_customer = cs.customer(limit=1000, entity=other_entity)
    abroad = sales_order_create(customer=abroad_customer, order_date=here.order_date,
                                actor=SYSTEM, lines=[LineSpec(
                                    "Widgets", Decimal("1500.00"), tax_code=SalesTaxCode.objects
                                    .get(legal_entity=other_entity, code="Z"))])
    cs.post(abroad)
    manager = make_user("Credit manager", [entity, other_entity], username="groupcredit")
    client.force_login(manager)
    page = client.get("/credit/holds/").content.decode()
    here_name, abroad_name = here.customer.name, abroad_customer.name
    assert here_name in page and abroad_name not in page  # the current entity first
    page = client.get("/credit/holds/?entity=all").content.decode()
    assert abroad_name in page and 'href="#"' not in page
    assert 'form="go-' in page and f'value="/sales/orders/{abroad.number}/"' in page
    response = client.post("/entity/switch/", {"legal_entity": other_entity.code,
                                               "next": f"/sales/orders/{abroad.number}/"},
                           follow=True)
    assert response.status_code == 200 and abroad.number in response.content.decode()
    rep = make_user("Sales rep", [entity], username="holdrep")
    client.force_login(rep)
    assert 'name="hold"' not in client.get("/credit/holds/").content.decode()


def test_a_hold_with_several_reasons_tells_the_poster_every_one(cs, people):
    customer = cs.customer(limit=1000)
    cs.rule("order_amount", value_type="amount", value=Decimal(1000))
    order = cs.order(customer, "1500.00")
    result = cs.post(order)
    assert not result.posted and "Multiple: " in result.message
    assert "credit limit used" in result.message and "1,000" in result.message
    assert result.message.count(";") == 1
