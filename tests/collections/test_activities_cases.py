"""The collections work log: activities planned and closed, cases that group transactions and
activities — through the services and the agent's pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from remit.collections.activities import activity_close, activity_create, case_close, case_open
from remit.collections.models import Activity, CaseCategory, CollectionsCase
from remit.core.actor import Actor
from remit.core.exceptions import AccessDenied, InvalidInput, RuleViolation
from remit.receivables.models import CustomerTransaction
from tests.receivables.conftest import Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(make_user, entity):
    return make_user("Collections agent", [entity], username="agent")


@pytest.fixture
def customer(entity):
    story = Story(entity)
    customer = story.customer()
    today = timezone.localdate()
    story.invoice(customer, "1000.00", on=today - timedelta(days=60))
    story.invoice(customer, "400.00", on=today - timedelta(days=10))
    return customer


def test_a_case_groups_transactions_and_activities_until_it_is_resolved(customer, agent,
                                                                       entity):
    actor = Actor.web(agent)
    invoices = list(CustomerTransaction.objects.filter(customer=customer))
    category = CaseCategory.objects.get(legal_entity=entity, code="PAYPLAN")
    case = case_open(customer=customer, category=category, description="Payment plan, 3 months",
                     transactions=invoices, actor=actor)
    assert case.number == "CASE-000001" and case.owner == agent
    assert set(case.transactions.all()) == set(invoices)
    call = activity_create(customer=customer, kind="call", purpose="Agree the instalments",
                           due_on=timezone.localdate(), case=case, actor=actor)
    follow_up = activity_create(customer=customer, kind="task", purpose="Check first instalment",
                                due_on=timezone.localdate() + timedelta(days=30), case=case,
                                actor=actor)
    activity_close(activity=call, outcome="agreed 3 × 466.67", actor=actor)
    with pytest.raises(RuleViolation, match="already done"):
        activity_close(activity=call, actor=actor)
    closed = case_close(case=case, resolution="Plan agreed and paid", actor=actor)
    assert closed.status == "closed" and closed.closed_on == timezone.localdate()
    follow_up.refresh_from_db()
    assert follow_up.status == "cancelled" and "closed" in follow_up.outcome


def test_bad_activity_and_case_input_names_the_field(customer, agent, entity, other_entity,
                                                     make_user):
    actor = Actor.web(agent)
    with pytest.raises(InvalidInput) as refused:
        activity_create(customer=customer, kind="fax", purpose="x",
                        due_on=timezone.localdate(), actor=actor)
    assert refused.value.errors[0][0] == ("kind",)
    outsider = make_user("Collections agent", [other_entity])
    with pytest.raises(InvalidInput, match="cannot work in NO01"):
        activity_create(customer=customer, kind="call", purpose="x", owner=outsider,
                        due_on=timezone.localdate(), actor=actor)
    foreign = CaseCategory.objects.get(legal_entity=other_entity, code="LEGAL")
    with pytest.raises(InvalidInput) as refused:
        case_open(customer=customer, category=foreign, description="x", actor=actor)
    assert refused.value.errors[0][0] == ("category",)
    with pytest.raises(AccessDenied):
        activity_create(customer=customer, kind="call", purpose="x", due_on=timezone.localdate(),
                        actor=Actor.web(make_user("Credit manager", [entity])))
    assert not Activity.objects.exists() and not CollectionsCase.objects.exists()


def test_an_agent_works_cases_and_activities_from_the_pages(customer, agent, entity):
    client = Client()
    client.force_login(agent)
    url = f"/collections/customers/{customer.account_number}/"
    invoice = CustomerTransaction.objects.filter(customer=customer).order_by("document_date")[0]
    category = CaseCategory.objects.get(legal_entity=entity, code="DISPUTE")
    response = client.post(url + "cases/", {"item": [invoice.pk], "category": category.pk,
                                            "description": "Goods damaged"}, follow=True)
    assert b"CASE-000001 opened with 1 transaction(s)" in response.content
    case = CollectionsCase.objects.get()
    due = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(url + "activities/", {"kind": "call", "purpose": "Call the buyer",
                                                 "due_on": due, "case": case.pk}, follow=True)
    assert b"Phone call planned for" in response.content
    page = client.get("/collections/activities/?who=mine&status=overdue").content.decode()
    assert "Call the buyer" in page and "overdue" in page and customer.name in page
    activity = Activity.objects.get()
    client.post(f"/collections/activities/{activity.pk}/close/",
                {"outcome": "promised a credit note", "next": url})
    activity.refresh_from_db()
    assert activity.status == "done" and activity.outcome == "promised a credit note"
    assert "CASE-000001" in client.get("/collections/cases/").content.decode()
    response = client.post(f"/collections/cases/{case.pk}/close/",
                           {"resolution": "credited 10 %"}, follow=True)
    assert b"CASE-000001 closed" in response.content
    case.refresh_from_db()
    assert case.status == "closed"
    assert "CASE-000001" not in client.get("/collections/cases/?status=active").content.decode()
