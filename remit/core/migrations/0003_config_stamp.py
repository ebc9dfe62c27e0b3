"""The configuration stamp (remit.core.config): its one row. The apps whose configuration
posting caches add the triggers that replace it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0002_api_token_verbose_name")]
    operations = [
        migrations.CreateModel(
            name="ConfigStamp",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True,
                                               serialize=False, verbose_name="ID")),
                    ("stamp", models.BigIntegerField())],
        ),
        migrations.RunSQL("INSERT INTO core_configstamp (id, stamp) VALUES (1, 1)",
                          migrations.RunSQL.noop),
    ]
