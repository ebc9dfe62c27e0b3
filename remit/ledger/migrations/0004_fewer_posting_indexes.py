"""Single-column indexes that a composite index already leads with, or that nothing reads, are
dropped: every posting wrote each of them. The indexes are dropped by name rather than by
AlterField, which on SQLite would rebuild the tables under remit's immutability triggers."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_api_token_verbose_name'),
        ('ledger', '0003_check_run_per_entity'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS ledger_journalentry_journal_id_8d298578",
                    reverse_sql='CREATE INDEX ledger_journalentry_journal_id_8d298578 ON ledger_journalentry ("journal_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS ledger_journalentry_legal_entity_id_a31c4586",
                    reverse_sql='CREATE INDEX ledger_journalentry_legal_entity_id_a31c4586 ON ledger_journalentry ("legal_entity_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS ledger_journalentry_posted_by_id_7f54f54f",
                    reverse_sql='CREATE INDEX ledger_journalentry_posted_by_id_7f54f54f ON ledger_journalentry ("posted_by_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS ledger_journalline_account_id_2b31745b",
                    reverse_sql='CREATE INDEX ledger_journalline_account_id_2b31745b ON ledger_journalline ("account_id")'),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS ledger_journalline_entry_id_9e70d486",
                    reverse_sql='CREATE INDEX ledger_journalline_entry_id_9e70d486 ON ledger_journalline ("entry_id")'),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='journalentry',
                    name='journal',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='ledger.journal'),
                ),
                migrations.AlterField(
                    model_name='journalentry',
                    name='legal_entity',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.legalentity'),
                ),
                migrations.AlterField(
                    model_name='journalentry',
                    name='posted_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='journalline',
                    name='account',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='ledger.account'),
                ),
                migrations.AlterField(
                    model_name='journalline',
                    name='entry',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='ledger.journalentry'),
                ),
            ],
        ),
    ]
