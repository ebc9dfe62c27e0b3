"""Changes to the configuration that posting caches replace the configuration stamp
(remit.core.config), so every process sees them at its next use case."""

from django.db import migrations

from remit.core.config import stamp_triggers_operation

TABLES = ["ledger_account", "ledger_journal"]


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_line_insert_guard_per_statement"),
                    ("core", "0003_config_stamp")]
    operations = [stamp_triggers_operation(TABLES)]
