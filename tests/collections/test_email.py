"""Email from the Collections page, through a real SMTP server (aiosmtpd on a free port): the
message that arrived has the template's words and the open items as an Excel attachment."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from remit.collections.models import Activity, EmailTemplate
from remit.receivables.models import Contact
from tests.receivables.conftest import Story

pytestmark = pytest.mark.django_db


def test_an_agent_emails_the_open_items_to_the_collections_contact(entity, make_user, smtp):
    story = Story(entity)
    customer = story.customer()
    Contact.objects.create(customer=customer, name="Ingrid Berg", email="ingrid@fjord.example",
                           is_collections=True)
    today = timezone.localdate()
    story.invoice(customer, "1000.00", on=today - timedelta(days=50))
    story.invoice(customer, "250.00", on=today - timedelta(days=2))
    agent = make_user("Collections agent", [entity])
    client = Client()
    client.force_login(agent)
    url = f"/collections/customers/{customer.account_number}/"
    template = EmailTemplate.objects.get(legal_entity=entity, code="OVERDUE")
    response = client.post(url + "email/", {"template": template.pk,
                                            "to": "ingrid@fjord.example"}, follow=True)
    assert b"Email sent" in response.content
    (recipients, message), = smtp.messages
    assert recipients == ["ingrid@fjord.example"]
    assert message["Subject"] == f"Overdue invoices from Nordlys Test AS ({customer.account_number})"
    text, attachment = [part for part in message.walk() if not part.is_multipart()]
    body = text.get_payload(decode=True).decode()
    assert "Dear Ingrid Berg" in body and "1 overdue invoice(s), 1,000.00 NOK" in body
    assert "1,250.00 NOK open in total" in body
    assert attachment.get_filename().startswith(f"open-items-{customer.account_number}")
    sheet = load_workbook(io.BytesIO(attachment.get_payload(decode=True))).active
    amounts = [row[7] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]
               and row[0] != "Total"]
    assert sorted(Decimal(str(a)) for a in amounts) == [Decimal("250"), Decimal("1000")]
    logged = Activity.objects.get(kind="email")
    assert (logged.status, logged.outcome) == ("done", "sent to ingrid@fjord.example")


def test_without_an_address_nothing_is_sent_and_the_reason_is_given(entity, make_user, smtp):
    story = Story(entity)
    customer = story.customer()
    story.invoice(customer, "100.00")
    client = Client()
    client.force_login(make_user("Collections agent", [entity]))
    url = f"/collections/customers/{customer.account_number}/"
    assert b"Email open items (Excel)</button>" in client.get(url).content
    assert b"disabled title=\"No email address" in client.get(url).content
    template = EmailTemplate.objects.get(legal_entity=entity, code="OVERDUE")
    response = client.post(url + "email/", {"template": template.pk, "to": ""}, follow=True)
    assert b"has no email address for collections" in response.content
    assert smtp.messages == [] and not Activity.objects.exists()


BAD_ADDRESSES = ["ola@x.example\nBcc: all@evil.example", "ola\r\n@x.example", "not an address",
                 "ola@", "a@b.example, c@d.example"]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_a_bad_address_is_named_as_such_on_every_page_that_sends(entity, make_user, smtp,
                                                                 address):
    """A line break in 'to' raised BadHeaderError (a 500); a malformed address was reported as
    'has no email address'. Both senders — open items and a letter — now answer the same."""
    from remit.collections.letters import letter_email
    from tests.helpers import SYSTEM

    story = Story(entity)
    customer = story.customer()
    story.invoice(customer, "100.00")
    client = Client(raise_request_exception=False)
    client.force_login(make_user("Collections agent", [entity]))
    template = EmailTemplate.objects.get(legal_entity=entity, code="OVERDUE")
    response = client.post(f"/collections/customers/{customer.account_number}/email/",
                           {"template": template.pk, "to": address}, follow=True)
    assert response.status_code == 200
    assert b"to: " in response.content and b"is not an e-mail address" in response.content
    from remit.core.exceptions import InvalidInput

    with pytest.raises(InvalidInput, match="to: .* is not an e-mail address"):
        letter_email(letter=None, to=address, actor=SYSTEM)
    assert smtp.messages == [] and not Activity.objects.exists()


def test_a_contact_with_a_malformed_address_is_named_not_called_missing(entity, make_user,
                                                                       smtp):
    story = Story(entity)
    customer = story.customer()
    story.invoice(customer, "100.00")
    Contact.objects.create(customer=customer, name="Ingrid Berg", email="ingrid at fjord",
                           is_collections=True)
    client = Client()
    client.force_login(make_user("Collections agent", [entity]))
    template = EmailTemplate.objects.get(legal_entity=entity, code="OVERDUE")
    response = client.post(f"/collections/customers/{customer.account_number}/email/",
                           {"template": template.pk, "to": ""}, follow=True)
    assert b"Ingrid Berg&#x27;s address &#x27;ingrid at fjord&#x27; is not an e-mail" \
        in response.content
    assert smtp.messages == []
