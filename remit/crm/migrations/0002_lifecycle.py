"""The shipped lead status reasons and the transitions between them (the lifecycle as data;
remit/crm/lifecycle.py holds them, and makes them again after a flush)."""

from django.db import migrations


def forward(apps, schema_editor):
    from remit.crm.lifecycle import lifecycle_ensure

    lifecycle_ensure(apps.get_model("crm", "StatusReason"), apps.get_model("crm", "Transition"),
                     schema_editor.connection.alias)


def backward(apps, schema_editor):
    apps.get_model("crm", "Transition").objects.all().delete()
    apps.get_model("crm", "StatusReason").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
