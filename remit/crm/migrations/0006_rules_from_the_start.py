"""Duplicate rules belong to a legal entity from its creation: every legal entity gets its
settings, mappings and rules now (before, they were made when someone first opened the lead
settings page, and records made before that had no check and no match codes). The shipped
lead rules now compare a lead with contacts and accounts on every match code; the rule that
compared it with contacts by e-mail alone is folded into them. Then every record's match
codes are built, the surname included."""

from django.db import migrations, models
from django.utils import timezone

from remit.crm import matching
from remit.crm.duplicates import DEFAULT_RULES, MAX_PUBLISHED
from remit.crm.setup import DEFAULT_MAPPINGS

OLD_LEAD_RULES = {  # shipped name → kind, as 0001 to 0005 made them
    "Leads with the same email address": "email",
    "Leads with the same phone number": "phone",
    "Leads with a similar name and company name": "name_company",
    "Leads with a similar name and the same email domain": "name_domain",
}
FOLDED = "Contacts with the same email address as a lead"


def _rules(apps, entity):
    Rule = apps.get_model("crm", "DuplicateRule")
    rules = Rule.objects.filter(legal_entity=entity)
    new_lead = {kind: name for name, rtype, _, kind in DEFAULT_RULES if rtype == "lead"}
    for rule in rules.filter(record_type="lead", matching_type="lead",
                             name__in=list(OLD_LEAD_RULES)):
        if OLD_LEAD_RULES[rule.name] == rule.kind:
            rule.name, rule.matching_type = new_lead[rule.kind], "any"
            rule.save(update_fields=["name", "matching_type"])
    rules.filter(record_type="lead", matching_type="contact", kind="email",
                 name=FOLDED).delete()
    for name, rtype, mtype, kind in DEFAULT_RULES:
        if rules.filter(name=name).exists():
            continue
        published = rules.filter(record_type=rtype, is_published=True).count()
        Rule.objects.create(legal_entity=entity, name=name, record_type=rtype,
                            matching_type=mtype, kind=kind, exclude_inactive=True,
                            is_published=published < MAX_PUBLISHED,
                            published_at=timezone.now())


def _party(rtype, row):
    if rtype == "account":
        return matching.Party(company=row.name, email=row.email, phones=(row.phone,),
                              country=row.country or "NO", is_account=True)
    company = row.company_name if rtype == "lead" else (row.account.name if row.account_id
                                                        else "")
    return matching.Party(row.first_name, row.last_name, company, row.email,
                          (row.business_phone, row.mobile_phone), row.country or "NO")


def _codes(apps, entity):
    Rule = apps.get_model("crm", "DuplicateRule")
    MatchCode = apps.get_model("crm", "MatchCode")
    for rtype, model in (("lead", "Lead"), ("contact", "Contact"), ("account", "Account")):
        kinds = set(Rule.objects.filter(legal_entity=entity, is_published=True,
                                        matching_type__in=(rtype, "any"))
                    .values_list("kind", flat=True))
        if rtype != "account":
            kinds.add(matching.SURNAME)
        MatchCode.objects.filter(legal_entity=entity, record_type=rtype).delete()
        qs = apps.get_model("crm", model).objects.filter(legal_entity=entity).order_by("pk")
        if rtype == "contact":
            qs = qs.select_related("account")
        last = 0
        while chunk := list(qs.filter(pk__gt=last)[:5000]):
            MatchCode.objects.bulk_create(
                [MatchCode(legal_entity=entity, record_type=rtype, record_id=row.pk,
                           kind=kind, code=code[:200])
                 for row in chunk for kind in sorted(kinds)
                 for code in sorted(matching.codes(_party(rtype, row), kind))],
                ignore_conflicts=True)
            last = chunk[-1].pk


def forward(apps, schema_editor):
    Settings = apps.get_model("crm", "QualificationSettings")
    Mapping = apps.get_model("crm", "FieldMapping")
    for entity in apps.get_model("core", "LegalEntity").objects.order_by("pk"):
        _, made = Settings.objects.get_or_create(legal_entity=entity)
        if made:
            for target, source, dest in DEFAULT_MAPPINGS:
                Mapping.objects.get_or_create(
                    legal_entity=entity, target=target, target_field=dest,
                    defaults={"lead_field": source, "is_default": True})
        _rules(apps, entity)
        _codes(apps, entity)


def backward(apps, schema_editor):
    """Rules the code before this migration can read: no matching type 'any' (the shipped
    lead rules compare leads with leads again, under their old names, and the contact e-mail
    rule comes back); settings, mappings and codes made forward stay, they do no harm."""
    Rule = apps.get_model("crm", "DuplicateRule")
    old_names = {kind: name for name, kind in OLD_LEAD_RULES.items()}
    new_names = {name for name, rtype, mtype, _ in DEFAULT_RULES if mtype == "any"}
    for rule in Rule.objects.filter(matching_type="any"):
        if rule.record_type == "lead" and rule.name in new_names:
            rule.name = old_names[rule.kind]
        rule.matching_type = "lead"
        rule.save(update_fields=["name", "matching_type"])
    for entity_id in Rule.objects.values_list("legal_entity_id", flat=True).distinct():
        rules = Rule.objects.filter(legal_entity_id=entity_id)
        if not rules.filter(name=FOLDED).exists():
            published = rules.filter(record_type="lead", is_published=True).count()
            Rule.objects.create(legal_entity_id=entity_id, name=FOLDED, record_type="lead",
                                matching_type="contact", kind="email", exclude_inactive=True,
                                is_published=published < MAX_PUBLISHED,
                                published_at=timezone.now())
    apps.get_model("crm", "MatchCode").objects.filter(kind=matching.SURNAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0005_activities_and_detach"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="duplicaterule",
            name="matching_type",
            field=models.CharField(choices=[("lead", "lead"), ("account", "account"),
                                            ("contact", "contact"),
                                            ("any", "lead, contact or account")],
                                   max_length=8),
        ),
        migrations.RunPython(forward, backward),
    ]
