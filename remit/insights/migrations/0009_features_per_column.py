"""A kept invoice column is a feature only when chosen by name ('attr:channel'). Settings that
chose every imported column at once ('attributes') keep the columns their invoices carry now —
except one that gives the payment outcome away, found by the same test an import makes — and
each column is recorded for the legal entity."""

from django.db import migrations, models

import remit.insights.models


def per_column(apps, schema_editor):
    from remit.receivables.leaks import ColumnStats, outcome_of

    settings = apps.get_model("insights", "InsightsSettings")
    items = apps.get_model("receivables", "CustomerTransaction")
    kept = apps.get_model("receivables", "InvoiceAttribute")
    for found in settings.objects.all():
        stats = {}
        rows = (items.objects.filter(legal_entity_id=found.legal_entity_id, kind="invoice")
                .exclude(attributes={}).values_list("attributes", "document_date", "due_date",
                                                    "closed_on", "is_open"))
        for attributes, issued, due, closed, is_open in rows.iterator(chunk_size=5000):
            for name, value in (attributes or {}).items():
                text = str(value).strip()
                if text:
                    stats.setdefault(name, ColumnStats()).add(
                        text, outcome_of(due, closed, not is_open), issued, due, closed)
        for name, s in stats.items():
            kept.objects.update_or_create(
                legal_entity_id=found.legal_entity_id, name=name[:255],
                defaults={"values": s.values, "leak": s.leak()[:255], "samples": s.samples})
        if "attributes" in (found.features or []):
            columns = [f"attr:{n}" for n, s in sorted(stats.items()) if not s.leak()]
            found.features = [f for f in found.features if f != "attributes"] + columns
            found.save(update_fields=["features"])


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0008_test_rows"),
        ("receivables", "0013_import_runs_move_to_imports"),
    ]

    operations = [
        migrations.RunPython(per_column, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="insightssettings",
            name="features",
            field=models.JSONField(
                default=remit.insights.models.default_features,
                help_text="The fields the model uses; 'attr:NAME' for a kept invoice column "
                          "such as channel or region."),
        ),
    ]
