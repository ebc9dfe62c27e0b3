"""Email from the Collections page: an editable template rendered for the customer, the open
items attached as an Excel workbook, sent through the configured SMTP server (or, with none
configured, written to the outbox folder), and logged as a completed email activity.

Templates are Django templates over a small, fixed context (customer, contact, sender, open
items and their total) so a collections manager can change the wording without code."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Template, TemplateSyntaxError

from remit.core.actor import Actor
from remit.core.addresses import email_address
from remit.core.audit import audit_record
from remit.core.exceptions import InvalidInput, RuleViolation
from remit.core.models import LegalEntity
from remit.receivables.documents import open_items_xlsx, statement_rows
from remit.receivables.models import Customer

from .models import Activity, ActivityKind, ActivityStatus, EmailTemplate

DEFAULT_TEMPLATES = [
    ("OVERDUE", "Overdue invoices",
     "Overdue invoices from {{ company }} ({{ customer.account_number }})",
     "Dear {{ contact_name }},\n\n"
     "according to our books, {{ customer.name }} has {{ overdue_count }} overdue "
     "invoice(s), {{ overdue_total }} {{ currency }} in all, and {{ open_total }} "
     "{{ currency }} open in total. The open items are attached.\n\n"
     "If you have paid in the last few days, thank you, and please disregard this message. "
     "Otherwise we would be grateful for payment, or a word about when it will come.\n\n"
     "Kind regards\n{{ sender }}\n{{ company }}"),
    ("STATEMENT", "Statement of account",
     "Statement of account {{ customer.account_number }} as of {{ as_of }}",
     "Dear {{ contact_name }},\n\nattached are the open items of {{ customer.name }} as of "
     "{{ as_of }}: {{ open_total }} {{ currency }} in all.\n\nKind regards\n{{ sender }}\n"
     "{{ company }}"),
]


def email_templates_setup_default(*, legal_entity: LegalEntity) -> None:
    for code, name, subject, body in DEFAULT_TEMPLATES:
        EmailTemplate.objects.get_or_create(legal_entity=legal_entity, code=code,
                                            defaults={"name": name, "subject": subject,
                                                      "body": body})


def render(template: EmailTemplate, customer: Customer, contact, as_of: date,
           sender: str) -> tuple[str, str]:
    rows = statement_rows(customer, as_of)
    overdue = [r for r in rows if r.days_overdue and r.open_amount > 0]
    context = Context({
        "customer": customer, "company": customer.legal_entity.name,
        "contact_name": contact.name if contact else customer.name, "as_of": as_of.isoformat(),
        "currency": customer.currency, "sender": sender,
        "open_total": f"{sum((r.open_amount for r in rows), 0):,.2f}",
        "overdue_total": f"{sum((r.open_amount for r in overdue), 0):,.2f}",
        "overdue_count": len(overdue)}, autoescape=False)
    try:
        subject = Template(template.subject).render(context).strip()
        body = Template(template.body).render(context)
    except TemplateSyntaxError as exc:
        raise InvalidInput.field("template", f"{template.code} does not render: {exc}") from None
    return " ".join(subject.split())[:200], body


@transaction.atomic
def email_open_items(*, customer: Customer, template: EmailTemplate, as_of: date, actor: Actor,
                     to: str | None = None, contact=None) -> Activity:
    """Send the template to the customer's collections contact (or ``to``) with the open
    items attached; the email is logged as a done activity."""
    actor.require("collections.add_activity")
    if template.legal_entity_id != customer.legal_entity_id:
        raise InvalidInput.field("template", "belongs to another legal entity")
    if (to or "").strip():
        address = email_address("to", to)
    elif contact is not None and (contact.email or "").strip():
        address = email_address("to", contact.email, whose=f"{contact.name}'s address")
    else:
        raise RuleViolation(f"{customer} has no email address for collections; add one to a "
                            "contact", code="no_email")
    sender = actor.user.get_full_name() or actor.user.username if actor.user else "remit"
    subject, body = render(template, customer, contact, as_of, sender)
    message = EmailMessage(subject=subject, body=body, to=[address],
                           from_email=settings.DEFAULT_FROM_EMAIL,
                           reply_to=[actor.user.email] if actor.user and actor.user.email
                           else None)
    message.attach(f"open-items-{customer.account_number}-{as_of.isoformat()}.xlsx",
                   open_items_xlsx(customer, as_of),
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    activity = Activity.objects.create(
        legal_entity=customer.legal_entity, customer=customer, kind=ActivityKind.EMAIL,
        purpose=subject[:255], notes=f"To {address}\n\n{body}", due_on=as_of,
        owner=actor.user, status=ActivityStatus.DONE, closed_on=as_of,
        outcome=f"sent to {address}", created_by=actor.user)
    message.send(fail_silently=False)  # an SMTP failure rolls the activity back
    audit_record(actor=actor, action="collections.email.send", obj=activity,
                 data={"customer": customer.account_number, "to": address,
                       "template": template.code, "subject": subject})
    return activity
