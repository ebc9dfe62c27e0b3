"""Database triggers that refuse UPDATE and DELETE of posted journal entries and their lines
(see remit/ledger/guards.py for why)."""

from django.db import migrations


def install(apps, schema_editor):
    from remit.ledger.guards import guards_install

    guards_install(schema_editor.connection, line_counts=False)  # 0007 adds them


def remove(apps, schema_editor):
    from remit.ledger.guards import guards_remove

    guards_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
