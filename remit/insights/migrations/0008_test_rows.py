"""Each model keeps its test invoices' classes and what it and the baselines said of them, so
that the legal entities of a group can be judged together. Versions stored before are left
empty: they show in the group evaluation as 'train a new version'."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0007_feature_definition"),
    ]

    operations = [
        migrations.AddField(
            model_name="predictionmodel",
            name="test_rows",
            field=models.JSONField(
                blank=True, default=dict,
                help_text="Its test invoices' classes and the probabilities it and the "
                          "baselines gave them, so legal entities can be judged together "
                          "(empty before 0008)."),
        ),
    ]
