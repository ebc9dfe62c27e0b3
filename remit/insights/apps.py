from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "remit.insights"
    label = "insights"
    verbose_name = "payment predictions"
    # Configuration that posting keeps between use cases (remit.core.config): a change to
    # these tables replaces the configuration stamp.
    config_models = ("PredictionModel",)

    def ready(self) -> None:
        from remit.receivables.signals import invoice_posted

        from .tasks import on_invoice_posted

        invoice_posted.connect(on_invoice_posted, dispatch_uid="insights.score_new_invoice")
