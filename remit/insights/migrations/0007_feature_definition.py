"""Each model keeps what its columns meant (``features.DEFINITION``). A stored version
with any of the four columns added together with the first change of meaning (0006: unpaid
invoices count as very late) was trained after it, with definition 2; the others are taken as
trained before it, with 1 (a hand-picked selection without them is flagged too, to be
retrained). Both are older than the definition of this release."""

from django.db import migrations, models

NEW = {"recent_very_late_weighted", "recent_days_late", "days_late_trend",
       "oldest_overdue_days"}


def mark_current(apps, schema_editor):
    model = apps.get_model("insights", "PredictionModel")
    for found in model.objects.only("pk", "features"):
        if NEW & set(found.features):
            model.objects.filter(pk=found.pk).update(feature_definition=2)


class Migration(migrations.Migration):
    dependencies = [("insights", "0006_days_late_features")]
    operations = [
        migrations.AddField(
            model_name="predictionmodel", name="feature_definition",
            field=models.PositiveSmallIntegerField(
                default=1, help_text="What its columns meant when it was trained "
                                     "(features.DEFINITION).")),
        migrations.RunPython(mark_current, migrations.RunPython.noop),
    ]
