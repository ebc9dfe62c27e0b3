"""Settings that used every field get the four new ones (recency of very late payments,
recent days late and its trend, the oldest other overdue invoice); a hand-picked selection is
left as it was."""

from django.db import migrations

OLD = ["amount_log", "terms_days", "foreign_currency", "has_discount", "month", "hist_n",
       "hist_on_time_share", "hist_late_share", "hist_very_late_share", "hist_avg_days_late",
       "hist_max_days_late", "last10_late", "recent_late_weighted", "late_trend", "open_count",
       "open_amount_log", "overdue_count", "overdue_amount_log", "days_since_last_payment",
       "tenure_days", "invoices_90d", "credit_notes_180d"]
NEW = ["recent_very_late_weighted", "recent_days_late", "days_late_trend",
       "oldest_overdue_days"]


def add_new_fields(apps, schema_editor):
    settings = apps.get_model("insights", "InsightsSettings")
    for found in settings.objects.all():
        if set(OLD) <= set(found.features):
            found.features = [*found.features, *(n for n in NEW if n not in found.features)]
            found.save(update_fields=["features"])


class Migration(migrations.Migration):
    dependencies = [("insights", "0005_learn_from_group")]
    operations = [migrations.RunPython(add_new_fields, migrations.RunPython.noop)]
