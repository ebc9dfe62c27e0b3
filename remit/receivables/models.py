"""The customer subledger's ground: customers, customer groups, posting profiles, and customer
transactions (open items), each of which was posted to a receivable account by a journal entry.

The full receivables capability (invoices, payments, settlement) builds on these; the ledger
check proves that the open items add up to the receivable accounts.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from remit.core.fields import AmountField, CurrencyField
from remit.core.models import EntityOwned


class CustomerGroup(EntityOwned):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", "active"
    ON_HOLD = "on_hold", "on hold for invoicing"
    BLOCKED = "blocked", "blocked"


class Customer(EntityOwned):
    account_number = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    group = models.ForeignKey(CustomerGroup, on_delete=models.PROTECT, related_name="customers")
    currency = CurrencyField()
    status = models.CharField(max_length=10, choices=CustomerStatus.choices,
                              default=CustomerStatus.ACTIVE)
    customer_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_entity", "account_number"]
        permissions = [("post_openingbalance", "Can post customer opening balances")]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "account_number"],
                                    name="%(app_label)s_%(class)s_unique_number"),
            models.CheckConstraint(condition=Q(status__in=CustomerStatus.values),
                                   name="%(app_label)s_%(class)s_status"),
        ]
        indexes = [models.Index(fields=["legal_entity", "name"], name="recv_customer_name_idx")]

    def __str__(self) -> str:
        return f"{self.account_number} {self.name}"


class PostingProfile(EntityOwned):
    """Which receivable account a customer's transactions post to (D365's customer posting
    profile). Lines are matched most specific first: the customer, then its group, then all."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "code"],
                                    name="%(app_label)s_%(class)s_unique_code"),
            models.UniqueConstraint(fields=["legal_entity"], condition=Q(is_default=True),
                                    name="%(app_label)s_%(class)s_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProfileScope(models.TextChoices):
    CUSTOMER = "customer", "one customer"
    GROUP = "group", "customer group"
    ALL = "all", "all customers"


class PostingProfileLine(models.Model):
    profile = models.ForeignKey(PostingProfile, on_delete=models.CASCADE, related_name="lines")
    scope = models.CharField(max_length=10, choices=ProfileScope.choices)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    customer_group = models.ForeignKey(CustomerGroup, null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="+")
    receivable_account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT,
                                           related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope=ProfileScope.CUSTOMER, customer__isnull=False,
                             customer_group__isnull=True)
                           | Q(scope=ProfileScope.GROUP, customer__isnull=True,
                               customer_group__isnull=False)
                           | Q(scope=ProfileScope.ALL, customer__isnull=True,
                               customer_group__isnull=True)),
                name="%(app_label)s_%(class)s_scope_matches"),
            models.UniqueConstraint(fields=["profile", "customer"], condition=Q(scope="customer"),
                                    name="%(app_label)s_%(class)s_unique_customer"),
            models.UniqueConstraint(fields=["profile", "customer_group"],
                                    condition=Q(scope="group"),
                                    name="%(app_label)s_%(class)s_unique_group"),
            models.UniqueConstraint(fields=["profile"], condition=Q(scope="all"),
                                    name="%(app_label)s_%(class)s_unique_all"),
        ]

    def __str__(self) -> str:
        target = self.customer or self.customer_group or "all"
        return f"{self.profile.code}: {target} → {self.receivable_account.number}"


class TransactionKind(models.TextChoices):
    OPENING_BALANCE = "opening_balance", "opening balance"
    INVOICE = "invoice", "invoice"
    CREDIT_NOTE = "credit_note", "credit note"
    PAYMENT = "payment", "payment"


class CustomerTransaction(EntityOwned):
    """An open item: one posted amount owed by (positive) or to (negative) a customer, in its
    currency and in the accounting currency, with how much of it has been settled."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    document_number = models.CharField(max_length=40)
    document_date = models.DateField()
    due_date = models.DateField()
    currency = CurrencyField()
    amount = AmountField(help_text="Signed: positive is owed by the customer.")
    amount_acc = AmountField()
    settled_amount = AmountField()
    settled_acc = AmountField()
    is_open = models.BooleanField(default=True)
    closed_on = models.DateField(null=True, blank=True)
    receivable_account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT,
                                           related_name="+")
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT,
                                      related_name="+")

    class Meta:
        ordering = ["legal_entity", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "kind", "document_number"],
                                    name="%(app_label)s_%(class)s_unique_document"),
            models.CheckConstraint(condition=Q(kind__in=TransactionKind.values),
                                   name="%(app_label)s_%(class)s_kind"),
            models.CheckConstraint(condition=~Q(amount=0),
                                   name="%(app_label)s_%(class)s_amount_not_zero"),
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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_number}"
