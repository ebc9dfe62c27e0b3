from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "remit.web"
    label = "web"
    verbose_name = "web shell"
