"""Predictions scored before feature rows were stored keep their factors (they cannot be
explained again from an empty row)."""

from django.db import migrations


def keep(apps, schema_editor):
    Prediction = apps.get_model("insights", "Prediction")
    Prediction.objects.exclude(factors=[]).update(explained=True)


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_prediction_features")]
    operations = [migrations.RunPython(keep, migrations.RunPython.noop)]
