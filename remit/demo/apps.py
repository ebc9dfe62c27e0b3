from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "remit.demo"
    label = "demo"
    verbose_name = "demo company"
