"""Ledger check results belong to a legal entity, so people see only their own entity's
findings. Earlier results (a log, not books) are dropped: they named no entity."""

import django.db.models.deletion
from django.db import migrations, models


def drop_old_runs(apps, schema_editor):
    apps.get_model("ledger", "LedgerCheckRun").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_api_token_verbose_name"),
        ("ledger", "0002_posted_entry_guards"),
    ]

    operations = [
        migrations.RunPython(drop_old_runs, migrations.RunPython.noop),
        migrations.AddField(
            model_name="ledgercheckrun",
            name="legal_entity",
            field=models.ForeignKey(default=1, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="core.legalentity"),
            preserve_default=False,
        ),
    ]
