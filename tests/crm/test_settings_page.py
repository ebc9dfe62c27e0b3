"""Lead settings on remit's own page: a sales manager changes qualification modes, publishes
and unpublishes duplicate rules (five at most), adds a rule and a mapping and cannot delete a
default one; a sales rep sees the page but changes nothing."""

import pytest
from django.test import Client

from remit.core.models import AuditLog
from remit.crm.models import DuplicateRule, FieldMapping, QualificationSettings

pytestmark = pytest.mark.django_db


def client_of(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


SETTINGS = {"action": "settings", "account_mode": "automatic", "contact_mode": "seller",
            "opportunity_mode": "seller", "multiple_opportunities": "on", "lead_summary": "on",
            "enhanced_duplicate_dialog": "on"}


def test_a_sales_manager_changes_settings_rules_and_mappings(entity, crm, manager):
    boss = client_of(manager)
    assert boss.post("/crm/settings/", {**SETTINGS, "summary_api_key": "sk-1"}).status_code \
        == 302
    saved = QualificationSettings.objects.get(legal_entity=entity)
    assert (saved.account_mode, saved.customer_on_won, saved.summary_api_key) == (
        "automatic", False, "sk-1")
    boss.post("/crm/settings/", SETTINGS)  # an empty key box keeps the saved key
    assert QualificationSettings.objects.get(legal_entity=entity).summary_api_key == "sk-1"
    logged = AuditLog.objects.filter(action="crm.settings.change").first()
    assert "sk-1" not in str(logged.data)

    page = boss.get("/crm/settings/").content.decode()
    assert "Leads, contacts or accounts with the same email address" in page \
        and "Unpublish" in page and "leads, contacts and accounts" in page
    for name, matching_type in (("Leads vs accounts by phone", "account"),
                                ("Leads vs contacts by phone", "contact")):
        boss.post("/crm/settings/", {"action": "rule_add", "name": name,
                                     "record_type": "lead", "matching_type": matching_type,
                                     "kind": "phone", "exclude_inactive": "1"})
    fifth, rule = (DuplicateRule.objects.get(name=n) for n in ("Leads vs accounts by phone",
                                                                "Leads vs contacts by phone"))
    assert rule.matching_type == "contact"
    assert not rule.is_published
    boss.post("/crm/settings/", {"action": "publish", "rule": fifth.pk})
    # five lead rules are published now: the shipped four and the fifth
    page = boss.post("/crm/settings/", {"action": "publish", "rule": rule.pk},
                     follow=True).content.decode()
    assert "5 rules are already published" in page
    first = DuplicateRule.objects.filter(legal_entity=entity, record_type="lead",
                                         is_published=True).first()
    boss.post("/crm/settings/", {"action": "unpublish", "rule": first.pk})
    boss.post("/crm/settings/", {"action": "publish", "rule": rule.pk})
    rule.refresh_from_db()
    assert rule.is_published

    page = boss.post("/crm/settings/", {"action": "mapping_add", "lead_field": "source",
                                        "target": "account", "target_field": "industry"},
                     follow=True).content.decode()
    assert "account.industry is already filled by a mapping" in page
    for lead_field, target, field, why in (
            ("source", "opportunity", "stage", "opportunity.stage cannot be mapped"),
            ("description", "account", "website", "cannot fill account.website: up to any "
                                                  "number of characters into 200"),
            ("estimated_value", "contact", "job_title", "not the same kind of value")):
        page = boss.post("/crm/settings/", {"action": "mapping_add", "lead_field": lead_field,
                                            "target": target, "target_field": field},
                         follow=True).content.decode()
        assert why in page, why
    boss.post("/crm/settings/", {"action": "mapping_add", "lead_field": "email",
                                 "target": "account", "target_field": "email"})
    mine = FieldMapping.objects.get(legal_entity=entity, target="account",
                                    target_field="email", is_default=False)
    default = FieldMapping.objects.filter(legal_entity=entity, is_default=True).first()
    page = boss.post("/crm/settings/", {"action": "mapping_delete", "mapping": default.pk},
                     follow=True).content.decode()
    assert "cannot be deleted" in page and FieldMapping.objects.filter(pk=default.pk).exists()
    boss.post("/crm/settings/", {"action": "mapping_delete", "mapping": mine.pk})
    assert not FieldMapping.objects.filter(pk=mine.pk).exists()
    page = boss.post("/crm/settings/", {"action": "rule_add", "name": "x",
                                        "record_type": "lead", "matching_type": "lead",
                                        "kind": "shoe size"}, follow=True).content.decode()
    assert "kind: one of" in page


def test_a_sales_rep_sees_the_settings_but_changes_nothing(entity, crm, rep):
    seller = client_of(rep)
    page = seller.get("/crm/settings/").content.decode()
    assert "Duplicate rules" in page and "Save settings" not in page and "Publish" not in page
    assert 'data-testid="read-only"' in page
    seller.post("/crm/settings/", {**SETTINGS, "account_mode": "automatic"}, follow=True)
    assert QualificationSettings.objects.get(legal_entity=entity).account_mode == "seller"
