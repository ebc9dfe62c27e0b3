from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "remit.credit"
    label = "credit"
    verbose_name = "credit management"
