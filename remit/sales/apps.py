from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "remit.sales"
    label = "sales"
    verbose_name = "sales orders"
