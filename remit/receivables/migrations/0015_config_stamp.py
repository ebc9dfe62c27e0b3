"""Changes to the configuration that posting caches replace the configuration stamp
(remit.core.config), so every process sees them at its next use case."""

from django.db import migrations

from remit.core.config import stamp_triggers_operation

TABLES = ["receivables_receivablesparameters", "receivables_salestaxcode",
          "receivables_paymentterms", "receivables_postingprofile",
          "receivables_postingprofileline", "receivables_bankaccount"]


class Migration(migrations.Migration):
    dependencies = [("receivables", "0014_fewer_posting_indexes"), ("core", "0003_config_stamp")]
    operations = [stamp_triggers_operation(TABLES)]
