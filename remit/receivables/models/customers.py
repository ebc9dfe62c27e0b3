"""Customers, customer groups, their contacts and addresses, and posting profiles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.fields import CurrencyField
from remit.core.models import EntityOwned

class CustomerGroup(EntityOwned):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    payment_terms = models.ForeignKey("receivables.PaymentTerms", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      help_text="Default for new customers of the group.")
    cash_discount_terms = models.ForeignKey("receivables.CashDiscountTerms", null=True,
                                            blank=True, on_delete=models.PROTECT,
                                            related_name="+")

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
    search_name = models.CharField(max_length=200, blank=True, editable=False,
                                   help_text="The name case-folded, for search that knows Æ, Ø "
                                             "and Å (SQLite's own only knows A–Z).")
    group = models.ForeignKey(CustomerGroup, on_delete=models.PROTECT, related_name="customers")
    currency = CurrencyField()
    status = models.CharField(max_length=10, choices=CustomerStatus.choices,
                              default=CustomerStatus.ACTIVE)
    customer_since = models.DateField(null=True, blank=True)
    payment_terms = models.ForeignKey("receivables.PaymentTerms", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    cash_discount_terms = models.ForeignKey("receivables.CashDiscountTerms", null=True,
                                            blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=8, default="en", help_text="For letters and "
                                "statements, e.g. nb, da, sv, en.")
    organisation_number = models.CharField(max_length=30, blank=True)
    tax_code = models.ForeignKey("receivables.SalesTaxCode", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="Default sales tax on invoice lines.")
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


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)
    is_collections = models.BooleanField(default=False, help_text="The collections contact.")

    class Meta:
        ordering = ["customer", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_primary=True),
                                    name="%(app_label)s_%(class)s_one_primary"),
            models.UniqueConstraint(fields=["customer"], condition=Q(is_collections=True),
                                    name="%(app_label)s_%(class)s_one_collections"),
        ]

    def __str__(self) -> str:
        return self.name


class AddressPurpose(models.TextChoices):
    PRIMARY = "primary", "primary"
    STATEMENT = "statement", "statement"
    INVOICE = "invoice", "invoice"


class Address(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    purpose = models.CharField(max_length=10, choices=AddressPurpose.choices)
    street = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2)

    class Meta:
        verbose_name_plural = "addresses"
        constraints = [models.UniqueConstraint(fields=["customer", "purpose"],
                                               name="%(app_label)s_%(class)s_one_per_purpose")]

    def __str__(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}, {self.country}"

    @property
    def lines(self) -> list[str]:
        return [self.street, f"{self.postal_code} {self.city}".strip(), self.country]


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
    write_off_account = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Where written-off balances go (default: the bad debt write-off account).")

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


