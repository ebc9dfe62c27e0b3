"""Free-text invoices and credit notes: drafts a clerk edits, posted into a numbered,
balanced entry and an open item."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.fields import AmountField, CurrencyField
from remit.core.models import EntityOwned


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "invoice"
    CREDIT_NOTE = "credit_note", "credit note"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    POSTED = "posted", "posted"


class Invoice(EntityOwned):
    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="invoices")
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices,
                            default=InvoiceKind.INVOICE)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.DRAFT)
    number = models.CharField(max_length=40, blank=True, help_text="Assigned at posting.")
    invoice_date = models.DateField()
    due_date = models.DateField(null=True, blank=True,
                                help_text="Leave empty to take it from the payment terms.")
    currency = CurrencyField()
    payment_terms = models.ForeignKey("receivables.PaymentTerms", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    cash_discount_terms = models.ForeignKey("receivables.CashDiscountTerms", null=True,
                                            blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    original = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="credit_notes",
                                 help_text="The invoice a credit note credits.")
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections",
                                 help_text="The invoice this one corrects (cancel and re-issue).")
    reason = models.CharField(max_length=255, blank=True)
    your_reference = models.CharField(max_length=100, blank=True)
    attributes = models.JSONField(default=dict, blank=True,
                                  help_text="Extra facts carried to the open item (channel, "
                                            "region, dispute ...).")
    net_amount = AmountField()
    tax_amount = AmountField()
    total_amount = AmountField()
    journal_entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-invoice_date", "-id"]
        permissions = [("post_invoice", "Can post invoices and credit notes")]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "kind", "number"],
                                    condition=~Q(number=""),
                                    name="%(app_label)s_%(class)s_unique_number"),
            models.CheckConstraint(condition=Q(status="draft") | ~Q(number=""),
                                   name="%(app_label)s_%(class)s_posted_numbered"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.get_kind_display()} #{self.pk}"

    @property
    def sign(self) -> int:
        return -1 if self.kind == InvoiceKind.CREDIT_NOTE else 1


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=1)
    unit_price = AmountField()
    amount = AmountField(help_text="Quantity × unit price, rounded to the currency.")
    revenue_account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT,
                                        related_name="+")
    tax_code = models.ForeignKey("receivables.SalesTaxCode", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    tax_amount = AmountField()

    class Meta:
        ordering = ["invoice", "line_no"]
        constraints = [models.UniqueConstraint(fields=["invoice", "line_no"],
                                               name="%(app_label)s_%(class)s_unique_line_no")]

    def __str__(self) -> str:
        return f"{self.invoice} #{self.line_no}"
