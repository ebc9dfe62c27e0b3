"""Legal entities created before collections existed get the default aging definitions too."""

from django.db import migrations


def add_defaults(apps, schema_editor):
    from remit.collections.services import DEFAULT_DEFINITIONS

    LegalEntity = apps.get_model("core", "LegalEntity")
    Definition = apps.get_model("collections", "AgingPeriodDefinition")
    Period = apps.get_model("collections", "AgingPeriod")
    for entity in LegalEntity.objects.all():
        for code, name, criteria, default, periods in DEFAULT_DEFINITIONS:
            if Definition.objects.filter(legal_entity=entity, code=code).exists():
                continue
            definition = Definition.objects.create(
                legal_entity=entity, code=code, name=name, criteria=criteria,
                is_default=default and not Definition.objects.filter(
                    legal_entity=entity, is_default=True).exists())
            Period.objects.bulk_create(
                Period(definition=definition, position=i, label=label, unit=unit,
                       interval=interval, indicator=indicator)
                for i, (label, unit, interval, indicator) in enumerate(periods))


class Migration(migrations.Migration):
    dependencies = [("collections", "0001_initial"), ("core", "0002_api_token_verbose_name")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
