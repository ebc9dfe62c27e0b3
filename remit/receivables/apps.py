from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "remit.receivables"
    label = "receivables"
    verbose_name = "accounts receivable"
    # Configuration that posting keeps between use cases (remit.core.config): a change to
    # these tables replaces the configuration stamp.
    config_models = ("ReceivablesParameters", "SalesTaxCode", "PaymentTerms", "PostingProfile",
                     "PostingProfileLine", "BankAccount")

    def ready(self) -> None:
        from remit.ledger.subledgers import Subledger, register

        from .reconcile import receivable_account_ids, reconcile_open_items

        register(Subledger("receivables", receivable_account_ids, reconcile_open_items))
