from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "remit.imports"
    label = "imports"
    verbose_name = "imports"
