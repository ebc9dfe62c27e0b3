"""What a legal entity's CRM starts with: qualification settings, the default field mappings
and the duplicate rules, made with the legal entity (``ENTITY_INITIALIZERS``) so that its
first lead is checked for duplicates and gets its match codes. Apart from ``qualify``, which
needs the settings, and ``duplicates``, which needs the settings row as its lock, so neither
imports the other."""

from __future__ import annotations

from django.db import transaction

from . import duplicates
from .models import FieldMapping, QualificationSettings, Target

DEFAULT_MAPPINGS = [
    # target, lead field, target field
    (Target.ACCOUNT, "company_name", "name"), (Target.ACCOUNT, "website", "website"),
    (Target.ACCOUNT, "business_phone", "phone"), (Target.ACCOUNT, "industry", "industry"),
    (Target.ACCOUNT, "address_line1", "address_line1"),
    (Target.ACCOUNT, "address_line2", "address_line2"), (Target.ACCOUNT, "city", "city"),
    (Target.ACCOUNT, "postal_code", "postal_code"), (Target.ACCOUNT, "region", "region"),
    (Target.ACCOUNT, "country", "country"),
    (Target.CONTACT, "first_name", "first_name"), (Target.CONTACT, "last_name", "last_name"),
    (Target.CONTACT, "job_title", "job_title"), (Target.CONTACT, "email", "email"),
    (Target.CONTACT, "business_phone", "business_phone"),
    (Target.CONTACT, "mobile_phone", "mobile_phone"),
    (Target.CONTACT, "address_line1", "address_line1"),
    (Target.CONTACT, "address_line2", "address_line2"), (Target.CONTACT, "city", "city"),
    (Target.CONTACT, "postal_code", "postal_code"), (Target.CONTACT, "region", "region"),
    (Target.CONTACT, "country", "country"),
    (Target.OPPORTUNITY, "topic", "topic"),
    (Target.OPPORTUNITY, "estimated_value", "estimated_revenue"),
    (Target.OPPORTUNITY, "currency", "currency"),
]


def crm_setup_default(legal_entity) -> None:
    """An initializer of a new legal entity (settings.REMIT["ENTITY_INITIALIZERS"])."""
    settings_for(legal_entity)


def settings_for(legal_entity) -> QualificationSettings:
    """The legal entity's qualification settings; the default field mappings and duplicate
    rules are made with them (a legal entity made before they were gets them here)."""
    found = QualificationSettings.objects.filter(legal_entity=legal_entity).first()
    if found is not None:
        return found
    with transaction.atomic():
        found, made = QualificationSettings.objects.get_or_create(legal_entity=legal_entity)
        if made:
            for target, source, dest in DEFAULT_MAPPINGS:
                FieldMapping.objects.get_or_create(
                    legal_entity=legal_entity, target=target, target_field=dest,
                    defaults={"lead_field": source, "is_default": True})
            duplicates.rules_setup_default(legal_entity)
    return found
