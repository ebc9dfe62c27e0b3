"""The leads API: a possible duplicate is a 409 with the matches, linking or ignoring goes
on; qualify with the pane's choices; bad input names its field."""


import pytest

from remit.crm import leads
from remit.crm.models import Lead

pytestmark = pytest.mark.django_db


LEAD = {"topic": "Deck cranes", "first_name": "Kari", "last_name": "Nordmann",
        "company_name": "Fjord Marine AS", "email": "kari@fjordmarine.no"}


def test_duplicates_link_qualify_and_close_over_the_api(entity, crm, rep, call):
    contact = leads.contact_create(legal_entity=entity, actor=rep, first_name="Kari",
                                   last_name="Nordmann", email="kari@fjordmarine.no")
    status, body = call("POST", "/leads", LEAD)
    assert status == 409 and body["code"] == "duplicates"
    assert body["matches"][0] == {"record_type": "contact", "id": contact.pk,
                                  "name": "Kari Nordmann", "rule": body["matches"][0]["rule"],
                                  "score": 100.0, "band": "duplicate",
                                  "explanation": "same first name (Kari); same last name "
                                                 "(Nordmann); same e-mail address; same e-mail "
                                                 "domain (fjordmarine.no)"}
    status, made = call("POST", "/leads", {**LEAD, "link_contact": contact.pk})
    assert status == 201 and made["parent_contact"] == contact.pk and made["status"] == "new"
    status, body = call("POST", f"/leads/{made['id']}/qualify", {
        "contact": {"action": "existing", "existing": contact.pk},
        "opportunities": [{"topic": "Deck cranes", "estimated_revenue": "250000.00"},
                          {"topic": "Service", "close_date": "2027-03-01"}]})
    assert status == 200 and body["lead"]["state"] == "qualified"
    assert body["contact"] == contact.pk and len(body["opportunities"]) == 2
    first = body["opportunities"][0]["id"]
    status, closed = call("POST", f"/opportunities/{first}/close",
                          {"won": True, "on": "2027-03-01"})
    assert status == 200 and closed["status"] == "won"
    assert call("GET", f"/accounts/{body['account']}")[1]["customer"] is None


def test_bad_input_names_the_field_and_unknown_fields_are_refused(entity, crm, call):
    status, body = call("POST", "/leads", {**LEAD, "email": "nope"})
    assert status == 422 and body["errors"][0]["loc"] == ["email"]
    status, body = call("POST", "/leads", {**LEAD, "colour": "red"})
    assert status == 422
    status, body = call("POST", "/leads/999999/status", {"action": "contacted"})
    assert status == 404
    status, made = call("POST", "/leads", LEAD)
    status, body = call("POST", f"/leads/{made['id']}/status", {"action": "disqualify",
                                                                "reason": "contacted"})
    assert status == 422 and "not a reason to disqualify" in body["message"]
    status, body = call("POST", f"/leads/{made['id']}/status", {"action": "disqualify",
                                                                "reason": "lost"})
    assert status == 200 and body["state"] == "disqualified"
    assert Lead.objects.get().status.code == "lost"
    status, listed = call("GET", "/leads?view=closed")
    assert [x["id"] for x in listed] == [made["id"]]
