from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "remit.collections"
    label = "collections"
    verbose_name = "collections"

    def ready(self):
        from remit.core.scope import customer_rule_register

        from .pools import pools_rule

        customer_rule_register(pools_rule)  # agents limited to pools see only their customers
