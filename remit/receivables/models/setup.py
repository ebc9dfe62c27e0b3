"""Receivables setup: payment terms, cash discount terms, sales tax codes, bank accounts and
the parameters that steer settlement."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from remit.core.fields import AmountField, CurrencyField
from remit.core.models import EntityOwned


class TermsMethod(models.TextChoices):
    NET = "net", "net: invoice date + N days"
    END_OF_MONTH = "end_of_month", "end of month + N days"
    ON_RECEIPT = "on_receipt", "due on receipt"


class PaymentTerms(EntityOwned):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    method = models.CharField(max_length=20, choices=TermsMethod.choices)
    days = models.PositiveSmallIntegerField(default=0)
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Credit management: a sales order with terms ranked "
        "higher than the customer's own is held (when that check is on). Relative: 1, 2, 3.")

    class Meta:
        ordering = ["legal_entity", "code"]
        verbose_name_plural = "payment terms"
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "code"],
                                    name="%(app_label)s_%(class)s_unique_code"),
            models.CheckConstraint(condition=Q(method__in=TermsMethod.values),
                                   name="%(app_label)s_%(class)s_method"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CashDiscountTerms(EntityOwned):
    """One or more discount periods, e.g. 2 % within 10 days, then 1 % within 20 days."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Credit management: a sales order with a discount "
        "ranked higher than the customer's own is held (when that check is on).")

    class Meta:
        ordering = ["legal_entity", "code"]
        verbose_name_plural = "cash discount terms"
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CashDiscountPeriod(models.Model):
    terms = models.ForeignKey(CashDiscountTerms, on_delete=models.CASCADE, related_name="periods")
    days = models.PositiveSmallIntegerField(help_text="Days after the invoice date.")
    percent = models.DecimalField(max_digits=5, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0.01")),
                                              MaxValueValidator(Decimal("99.99"))])

    class Meta:
        ordering = ["terms", "days"]
        constraints = [
            models.UniqueConstraint(fields=["terms", "days"],
                                    name="%(app_label)s_%(class)s_unique_days"),
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lt=100),
                                   name="%(app_label)s_%(class)s_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.percent} % within {self.days} days"


class SalesTaxCode(EntityOwned):
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    rate = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percent.",
                               validators=[MinValueValidator(0), MaxValueValidator(100)])
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+",
                                help_text="Sales tax payable account.")

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "code"],
                                    name="%(app_label)s_%(class)s_unique_code"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100),
                                   name="%(app_label)s_%(class)s_rate"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.rate} %)"


class BankAccount(EntityOwned):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    currency = CurrencyField()
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+",
                                help_text="The ledger account payments to this bank post to.")
    iban = models.CharField(max_length=34, blank=True)
    is_active = models.BooleanField(default=True)
    nsf_fee = AmountField(help_text="Charged to the customer when a payment to this account "
                                    "bounces (in the bank account's currency; 0: no fee).")
    nsf_journal = models.ForeignKey("ledger.Journal", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    help_text="Journal for the fee of a bounced payment "
                                              "(default: the customer payment journal; the "
                                              "payment's reversal stays in its own journal).")

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code"),
                       models.CheckConstraint(condition=Q(nsf_fee__gte=0),
                                              name="%(app_label)s_%(class)s_nsf_fee")]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.currency})"


class WriteOffReason(EntityOwned):
    """Why a balance was written off (bad debt, small balance, dispute settled, ...)."""

    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100)

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class WriteOffLimit(EntityOwned):
    """The most a user may write off at once (one customer's balance, in the accounting
    currency). A person with no limit in a legal entity writes off nothing there: a balance
    closed against bad debt is money given up, so each person's reach is set on purpose."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    max_amount = AmountField(help_text="In the legal entity's accounting currency.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["legal_entity", "user"],
                                               name="%(app_label)s_%(class)s_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user} up to {self.max_amount}"


class DiscountAdministration(models.TextChoices):
    SPECIFIC = "specific", "specific: small overpayments go to the cash discount account"
    UNSPECIFIC = "unspecific", "unspecific: an overpayment reduces the cash discount taken"


class ReceivablesParameters(models.Model):
    """Per legal entity. Tolerances are in the accounting currency."""

    legal_entity = models.OneToOneField("core.LegalEntity", on_delete=models.CASCADE,
                                        related_name="receivables_parameters")
    automatic_settlement = models.BooleanField(
        default=False, help_text="Settle a payment against open invoices (by due date) when it "
                                 "is posted without marked invoices.")
    discount_on_partial_payments = models.BooleanField(default=True)
    discount_on_credit_notes = models.BooleanField(default=True)
    discount_administration = models.CharField(max_length=10,
                                               choices=DiscountAdministration.choices,
                                               default=DiscountAdministration.SPECIFIC)
    max_penny_difference = AmountField(help_text="Differences up to this go to the penny "
                                                 "difference account.")
    max_over_under = AmountField(help_text="Over- or underpayments up to this go to the cash "
                                           "discount account; above it they stay open.")
    default_payment_terms = models.ForeignKey(PaymentTerms, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    default_tax_code = models.ForeignKey(SalesTaxCode, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    default_write_off_reason = models.ForeignKey(WriteOffReason, null=True, blank=True,
                                                 on_delete=models.PROTECT, related_name="+")
    write_off_separate_tax = models.BooleanField(
        default=False, help_text="Write-offs take the sales tax in what is written off back "
                                 "from the tax payable account (separate sales tax lines).")

    class Meta:
        verbose_name_plural = "receivables parameters"
        constraints = [
            models.CheckConstraint(condition=Q(max_penny_difference__gte=0,
                                               max_over_under__gte=0),
                                   name="%(app_label)s_%(class)s_tolerances"),
        ]

    def __str__(self) -> str:
        return f"receivables parameters of {self.legal_entity_id}"
