"""An entry is inserted complete and posted, with the number of its lines, and its lines
follow: the insert guard lets a posted entry take lines numbered up to ``line_count`` (once
each) and no other, where it refused every line of a posted entry (see remit/ledger/guards.py).
Entries already posted keep no count and take no line. Reinstalling the guards drops the old
triggers and creates the current ones."""

from django.db import migrations, models


def install(apps, schema_editor):
    from remit.ledger.guards import guards_install
    guards_install(schema_editor.connection)


def uninstall(apps, schema_editor):  # the guards of 0005, before the column goes
    from remit.ledger.guards import guards_install
    guards_install(schema_editor.connection, line_counts=False)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_config_stamp")]
    operations = [
        migrations.AddField(
            model_name="journalentry", name="line_count",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True,
                help_text="The lines it was posted with: a posted entry takes lines numbered up "
                          "to this once each, and no other (empty: posted complete, takes "
                          "none).")),
        migrations.RunPython(install, uninstall),
    ]
