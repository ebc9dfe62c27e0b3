from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "remit.credit"
    label = "credit"
    verbose_name = "credit management"
    # Configuration that posting keeps between use cases (remit.core.config): a change to
    # these tables replaces the configuration stamp.
    config_models = ("CreditParameters", "Checkpoint", "BlockingRule")
