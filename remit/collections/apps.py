from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "remit.collections"
    label = "collections"
    verbose_name = "collections"
