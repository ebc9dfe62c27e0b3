from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "remit.insights"
    label = "insights"
    verbose_name = "payment predictions"
