"""Single-column indexes that a composite index already leads with, or that nothing reads, are
dropped: every posting wrote each of them. The indexes are dropped by name rather than by
AlterField, which on SQLite would rebuild the tables under remit's immutability triggers."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_api_token_verbose_name'),
        ('ledger', '0004_fewer_posting_indexes'),
        ('receivables', '0013_import_runs_move_to_imports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS receivables_customertransaction_customer_id_eb0988f6",
                    reverse_sql='CREATE INDEX receivables_customertransaction_customer_id_eb0988f6 ON receivables_customertransaction ("customer_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS receivables_customertransaction_legal_entity_id_adce7c4e",
                    reverse_sql='CREATE INDEX receivables_customertransaction_legal_entity_id_adce7c4e ON receivables_customertransaction ("legal_entity_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS receivables_customertransaction_receivable_account_id_8926cf35",
                    reverse_sql='CREATE INDEX receivables_customertransaction_receivable_account_id_8926cf35 ON receivables_customertransaction ("receivable_account_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS receivables_settlement_created_by_id_d0bcdeca",
                    reverse_sql='CREATE INDEX receivables_settlement_created_by_id_d0bcdeca ON receivables_settlement ("created_by_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS receivables_settlement_customer_id_cdf7cfa9",
                    reverse_sql='CREATE INDEX receivables_settlement_customer_id_cdf7cfa9 ON receivables_settlement ("customer_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS receivables_settlement_reason_id_099205bf",
                    reverse_sql='CREATE INDEX receivables_settlement_reason_id_099205bf ON receivables_settlement ("reason_id")'),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='customertransaction',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='receivables.customer'),
                ),
                migrations.AlterField(
                    model_name='customertransaction',
                    name='legal_entity',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.legalentity'),
                ),
                migrations.AlterField(
                    model_name='customertransaction',
                    name='receivable_account',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='settlement',
                    name='created_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='settlement',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='settlements', to='receivables.customer'),
                ),
                migrations.AlterField(
                    model_name='settlement',
                    name='reason',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='receivables.writeoffreason'),
                ),
            ],
        ),
    ]
