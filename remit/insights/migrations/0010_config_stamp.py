"""Changes to the configuration that posting caches replace the configuration stamp
(remit.core.config), so every process sees them at its next use case."""

from django.db import migrations

from remit.core.config import stamp_triggers_operation

TABLES = ["insights_predictionmodel"]


class Migration(migrations.Migration):
    dependencies = [("insights", "0009_features_per_column"), ("core", "0003_config_stamp")]
    operations = [stamp_triggers_operation(TABLES)]
