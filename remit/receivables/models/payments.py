"""Customer payment journals: lines of money received (cash, check, card, transfer, direct
debit) into a bank account, each posted to the bank and the receivable and settled against the
items it pays."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.fields import AmountField, CurrencyField
from remit.core.models import EntityOwned


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "bank transfer"
    DIRECT_DEBIT = "direct_debit", "direct debit"
    CARD = "card", "card"
    CHECK = "check", "check"
    CASH = "cash", "cash"


class JournalStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    POSTED = "posted", "posted"


class PaymentJournal(EntityOwned):
    number = models.CharField(max_length=40)
    description = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=JournalStatus.choices,
                              default=JournalStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("post_paymentjournal", "Can post customer payment journals")]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "number"],
                                               name="%(app_label)s_%(class)s_unique_number")]

    def __str__(self) -> str:
        return self.number


class UseCashDiscount(models.TextChoices):
    NORMAL = "normal", "normal (inside the discount period)"
    ALWAYS = "always", "always"
    NEVER = "never", "never"


class PaymentLine(models.Model):
    journal = models.ForeignKey(PaymentJournal, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="+")
    payment_date = models.DateField()
    amount = AmountField(help_text="Received, in the payment currency (positive).")
    currency = CurrencyField()
    method = models.CharField(max_length=20, choices=PaymentMethod.choices,
                              default=PaymentMethod.BANK_TRANSFER)
    bank_account = models.ForeignKey("receivables.BankAccount", on_delete=models.PROTECT,
                                     related_name="+")
    reference = models.CharField(max_length=100, blank=True)
    full_settlement = models.BooleanField(default=False, help_text="Close the marked items "
                                          "even if the payment falls short; the shortfall is "
                                          "posted as extra cash discount.")
    document_number = models.CharField(max_length=40, blank=True,
                                       help_text="The payment voucher, set at posting.")

    class Meta:
        ordering = ["journal", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["journal", "line_no"],
                                    name="%(app_label)s_%(class)s_unique_line_no"),
            models.CheckConstraint(condition=Q(amount__gt=0),
                                   name="%(app_label)s_%(class)s_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.journal} #{self.line_no}"


class PaymentMark(models.Model):
    """An open item the payment line is meant to settle."""

    line = models.ForeignKey(PaymentLine, on_delete=models.CASCADE, related_name="marks")
    item = models.ForeignKey("receivables.CustomerTransaction", on_delete=models.PROTECT,
                             related_name="+")
    amount_to_settle = AmountField(null=True, blank=True, default=None,
                                   help_text="Empty: all that is open.")
    use_cash_discount = models.CharField(max_length=10, choices=UseCashDiscount.choices,
                                         default=UseCashDiscount.NORMAL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "item"],
                                               name="%(app_label)s_%(class)s_unique_item")]

    def __str__(self) -> str:
        return f"{self.line} → {self.item}"
