"""Changes to the configuration that posting caches replace the configuration stamp
(remit.core.config), so every process sees them at its next use case."""

from django.db import migrations

TABLES = ["insights_predictionmodel"]


def install(apps, schema_editor):
    from remit.core.config import stamp_triggers_install
    stamp_triggers_install(schema_editor.connection, TABLES)


def remove(apps, schema_editor):
    from remit.core.config import stamp_triggers_remove
    stamp_triggers_remove(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    dependencies = [("insights", "0009_features_per_column"), ("core", "0003_config_stamp")]
    operations = [migrations.RunPython(install, remove)]
