"""On PostgreSQL the guard against new lines on a posted entry runs once per statement over
all the new lines, not once per line (see remit/ledger/guards.py). Reinstalling the guards
drops the old triggers and creates the current ones; SQLite's are unchanged."""

from django.db import migrations


def install(apps, schema_editor):
    from remit.ledger.guards import guards_install
    guards_install(schema_editor.connection, line_counts=False)  # 0007 adds them


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_fewer_posting_indexes")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
