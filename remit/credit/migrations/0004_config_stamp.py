"""Changes to the credit configuration a check reads (parameters, checkpoints, blocking
rules) replace the configuration stamp (remit.core.config), so every process sees them at its
next use case."""

from django.db import migrations

TABLES = ["credit_creditparameters", "credit_checkpoint", "credit_blockingrule"]


def install(apps, schema_editor):
    from remit.core.config import stamp_triggers_install
    stamp_triggers_install(schema_editor.connection, TABLES)


def remove(apps, schema_editor):
    from remit.core.config import stamp_triggers_remove
    stamp_triggers_remove(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    dependencies = [("credit", "0003_hold_released_automatically"),
                    ("core", "0003_config_stamp")]
    operations = [migrations.RunPython(install, remove)]
