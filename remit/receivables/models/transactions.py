"""Customer transactions (open items) and their settlements: the customer subledger itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from remit.core.fields import AmountField, CurrencyField
from remit.core.models import EntityOwned

class TransactionKind(models.TextChoices):
    OPENING_BALANCE = "opening_balance", "opening balance"
    INVOICE = "invoice", "invoice"
    CREDIT_NOTE = "credit_note", "credit note"
    PAYMENT = "payment", "payment"
    FEE = "fee", "fee"
    PAYMENT_REVERSAL = "payment_reversal", "bounced payment"
    INTEREST_NOTE = "interest_note", "interest note"
    INTEREST_ADJUSTMENT = "interest_adjustment", "interest adjustment"


class CollectionStatus(models.TextChoices):
    NOT_DISPUTED = "not_disputed", "not disputed"
    DISPUTED = "disputed", "disputed"
    PROMISED = "promised", "promised to pay"
    PROMISE_BROKEN = "promise_broken", "promise to pay broken"
    RESOLVED = "resolved", "resolved"


class CustomerTransaction(EntityOwned):
    """An open item: one posted amount owed by (positive) or to (negative) a customer, in its
    currency and in the accounting currency, with how much of it has been settled.

    Legal entity and customer are indexed by the composite indexes that lead with them, not on
    their own: every posting writes each index, and the single-column ones were never read."""

    legal_entity = models.ForeignKey("core.LegalEntity", on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="transactions", db_index=False)
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    document_number = models.CharField(max_length=40)
    document_date = models.DateField()
    due_date = models.DateField()
    currency = CurrencyField()
    amount = AmountField(help_text="Signed: positive is owed by the customer.")
    amount_acc = AmountField()
    settled_amount = AmountField()
    settled_acc = AmountField()
    discount_taken = AmountField(help_text="Cash discount taken so far (signed like amount).")
    is_open = models.BooleanField(default=True)
    closed_on = models.DateField(null=True, blank=True)
    receivable_account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT,
                                           related_name="+", db_index=False)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT,
                                      related_name="+")
    invoice = models.ForeignKey("receivables.Invoice", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="transactions")
    payment_line = models.ForeignKey("receivables.PaymentLine", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="transactions")
    description = models.CharField(max_length=255, blank=True)
    attributes = models.JSONField(default=dict, blank=True,
                                  help_text="Extra columns from an import (channel, region, ...).")
    collection_status = models.CharField(max_length=20, choices=CollectionStatus.choices,
                                         default=CollectionStatus.NOT_DISPUTED)
    promise_date = models.DateField(null=True, blank=True,
                                    help_text="When the customer promised to pay.")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by",
                                    help_text="The payment this bounced-payment item cancels.")

    class Meta:
        ordering = ["legal_entity", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "kind", "document_number"],
                                    name="%(app_label)s_%(class)s_unique_document"),
            models.CheckConstraint(condition=Q(kind__in=TransactionKind.values),
                                   name="%(app_label)s_%(class)s_kind"),
            models.CheckConstraint(condition=~Q(amount=0),
                                   name="%(app_label)s_%(class)s_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(amount__gt=0, discount_taken__gte=0)
                | Q(amount__lt=0, discount_taken__lte=0),
                name="%(app_label)s_%(class)s_discount_sign"),
            # a discount is part of what was settled, never more
            models.CheckConstraint(
                condition=(Q(amount__gt=0, discount_taken__lte=F("settled_amount"))
                           | Q(amount__lt=0, discount_taken__gte=F("settled_amount"))),
                name="%(app_label)s_%(class)s_discount_within_settled"),
            # settled never exceeds the amount, and has its sign
            models.CheckConstraint(
                condition=(Q(amount__gt=0, settled_amount__gte=0,
                             settled_amount__lte=F("amount"))
                           | Q(amount__lt=0, settled_amount__lte=0,
                               settled_amount__gte=F("amount"))),
                name="%(app_label)s_%(class)s_settled_within_amount"),
        ]
        indexes = [
            models.Index(fields=["legal_entity", "is_open", "due_date"],
                         name="recv_trans_open_due_idx"),
            models.Index(fields=["customer", "is_open"], name="recv_trans_customer_open_idx"),
            # promises to pay are few: the snapshot finds the broken ones without a scan
            models.Index(fields=["legal_entity", "promise_date"], name="recv_trans_promise_idx",
                         condition=Q(collection_status="promised")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_number}"

    @property
    def open_amount(self):
        return self.amount - self.settled_amount


class CashDiscountDate(models.Model):
    """A discount the customer may take if the item is paid by ``until``."""

    transaction = models.ForeignKey(CustomerTransaction, on_delete=models.CASCADE,
                                    related_name="discount_dates")
    until = models.DateField()
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["transaction", "until"]
        constraints = [models.CheckConstraint(condition=Q(percent__gt=0, percent__lt=100),
                                              name="%(app_label)s_%(class)s_percent")]

    def __str__(self) -> str:
        return f"{self.percent} % until {self.until}"


class SettlementKind(models.TextChoices):
    PAYMENT = "payment", "payment against marked items"
    AUTOMATIC = "automatic", "automatic, by due date"
    CREDIT_NOTE = "credit_note", "credit note against invoice"
    CORRECTION = "correction", "invoice correction"
    IMPORT = "import", "imported history"
    WRITE_OFF = "write_off", "write-off"
    NSF = "nsf", "bounced payment (NSF)"
    INTEREST = "interest", "interest waived, reinstated or reversed"


class Settlement(EntityOwned):
    """One settlement: how much of which open items it closed, the discounts and write-offs it
    granted, and the entry that posted them. Unsettling reverses that entry and gives the
    amounts back to the items."""

    # Indexed by recv_settlement_cust_idx (customer, settled_on).
    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="settlements", db_index=False)
    settled_on = models.DateField()
    kind = models.CharField(max_length=20, choices=SettlementKind.choices)
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    reversal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    reversed_on = models.DateField(null=True, blank=True)
    reason = models.ForeignKey("receivables.WriteOffReason", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", db_index=False)
    comment = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)

    class Meta:
        ordering = ["-settled_on", "-id"]
        permissions = [("write_off", "Can write off customer balances"),
                       ("register_nsf", "Can register bounced (NSF) payments")]
        indexes = [models.Index(fields=["customer", "settled_on"], name="recv_settlement_cust_idx")]

    def __str__(self) -> str:
        return f"settlement {self.pk} on {self.settled_on}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_on is not None


class WriteOffKind(models.TextChoices):
    NONE = "", "none"
    PENNY = "penny", "penny difference"
    OVER_UNDER = "over_under", "over- or underpayment"
    FULL_SETTLEMENT = "full_settlement", "full settlement"
    WRITE_OFF = "write_off", "written off"


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(CustomerTransaction, on_delete=models.PROTECT,
                             related_name="settlement_lines")
    amount = AmountField(help_text="How much of the item this closed (signed like the item).")
    amount_acc = AmountField()
    discount = AmountField(help_text="Cash discount granted (part of amount).")
    write_off = AmountField(help_text="Penny difference, over/underpayment or full settlement "
                                      "(part of amount).")
    write_off_kind = models.CharField(max_length=20, choices=WriteOffKind.choices, blank=True)

    class Meta:
        ordering = ["settlement", "id"]
        constraints = [
            # discount and write-off are parts of the amount, with its sign: the cash that
            # moved (amount − discount − write-off) never runs against the item
            models.CheckConstraint(
                condition=(Q(amount__gt=0, discount__gte=0, write_off__gte=0,
                             amount__gte=F("discount") + F("write_off"))
                           | Q(amount__lt=0, discount__lte=0, write_off__lte=0,
                               amount__lte=F("discount") + F("write_off"))),
                name="%(app_label)s_%(class)s_parts_within_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class InvoiceAttribute(EntityOwned):
    """A column kept on invoices beside remit's own fields (a channel, a region, a dispute
    flag from an import), and whether it gives the payment outcome away. A leak found once
    stays: such a column is never offered to payment predictions as a feature."""

    name = models.CharField(max_length=255)
    leak = models.CharField(max_length=255, blank=True,
                            help_text="Why the column gives the outcome away ('' if not).")
    values = models.PositiveIntegerField(default=0, help_text="Invoices seen with a value.")
    samples = models.JSONField(default=list, blank=True)
    last_run = models.PositiveBigIntegerField(null=True, blank=True,
                                              help_text="The import run that last saw it.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_entity", "name"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "name"],
                                               name="%(app_label)s_%(class)s_unique_name")]

    def __str__(self) -> str:
        return self.name + (" (leak)" if self.leak else "")
