from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "remit.ledger"
    label = "ledger"
    verbose_name = "general ledger"
    # Configuration that posting keeps between use cases (remit.core.config): a change to
    # these tables replaces the configuration stamp.
    config_models = ("Account", "Journal")
