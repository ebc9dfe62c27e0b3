from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "remit.ledger"
    label = "ledger"
    verbose_name = "general ledger"
