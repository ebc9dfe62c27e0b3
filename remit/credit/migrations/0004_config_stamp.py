"""Changes to the credit configuration a check reads (parameters, checkpoints, blocking
rules) replace the configuration stamp (remit.core.config), so every process sees them at its
next use case."""

from django.db import migrations

from remit.core.config import stamp_triggers_operation

TABLES = ["credit_creditparameters", "credit_checkpoint", "credit_blockingrule"]


class Migration(migrations.Migration):
    dependencies = [("credit", "0003_hold_released_automatically"),
                    ("core", "0003_config_stamp")]
    operations = [stamp_triggers_operation(TABLES)]
