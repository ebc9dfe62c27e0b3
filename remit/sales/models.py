"""Sales orders: only what credit management needs — the order, its lines and totals, its
terms, and the posting steps (confirmation → picking list → packing slip → invoice) at which
credit checkpoints hold or pass it. The invoice step posts a receivables invoice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.fields import AmountField, CurrencyField
from remit.core.models import EntityOwned


class OrderStatus(models.TextChoices):
    OPEN = "open", "open order"
    CONFIRMED = "confirmed", "confirmed"
    PICKED = "picked", "picking list posted"
    DELIVERED = "delivered", "delivered (packing slip)"
    INVOICED = "invoiced", "invoiced"
    CANCELLED = "cancelled", "cancelled"


class PostingStep(models.TextChoices):
    """The posting processes a credit checkpoint can guard, in the order they happen."""
    CONFIRMATION = "confirmation", "confirmation"
    PICKING = "picking", "picking list"
    PACKING_SLIP = "packing_slip", "packing slip"
    INVOICE = "invoice", "invoice"


STEP_ORDER = [PostingStep.CONFIRMATION, PostingStep.PICKING, PostingStep.PACKING_SLIP,
              PostingStep.INVOICE]
STATUS_AFTER = {PostingStep.CONFIRMATION: OrderStatus.CONFIRMED,
                PostingStep.PICKING: OrderStatus.PICKED,
                PostingStep.PACKING_SLIP: OrderStatus.DELIVERED,
                PostingStep.INVOICE: OrderStatus.INVOICED}
# what an order in each status still counts as in the credit exposure
UNDELIVERED = (OrderStatus.OPEN, OrderStatus.CONFIRMED, OrderStatus.PICKED)


class SalesOrder(EntityOwned):
    number = models.CharField(max_length=20)
    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="sales_orders")
    order_date = models.DateField()
    currency = CurrencyField()
    payment_terms = models.ForeignKey("receivables.PaymentTerms", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    cash_discount_terms = models.ForeignKey("receivables.CashDiscountTerms", null=True,
                                            blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    your_reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.OPEN)
    net_amount = AmountField()
    tax_amount = AmountField()
    total_amount = AmountField()
    exclude_from_credit = models.BooleanField(
        default=False, help_text="Skip credit management for this order (credit staff only).")
    credit_rejected = models.BooleanField(default=False,
                                          help_text="Credit management rejected the order.")
    credit_grace_until = models.DateField(
        null=True, blank=True, help_text="Credit rules are not checked again until after this "
                                         "date (grace days of the last checkpoint passed).")
    confirmed_on = models.DateField(null=True, blank=True)
    picked_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    invoiced_on = models.DateField(null=True, blank=True)
    invoice = models.OneToOneField("receivables.Invoice", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="sales_order")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_entity", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "number"],
                                    name="%(app_label)s_%(class)s_unique_number"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values),
                                   name="%(app_label)s_%(class)s_status"),
            models.CheckConstraint(condition=Q(total_amount__gte=0),
                                   name="%(app_label)s_%(class)s_total_not_negative"),
        ]
        indexes = [models.Index(fields=["customer", "status"], name="sales_order_customer_idx")]
        permissions = [("post_salesorder", "Can post sales order steps (confirm, pick, deliver, "
                                           "invoice)")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status in (OrderStatus.INVOICED, OrderStatus.CANCELLED)


class SalesOrderLine(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(max_digits=20, decimal_places=4)
    amount = AmountField()
    tax_code = models.ForeignKey("receivables.SalesTaxCode", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    tax_amount = AmountField()
    revenue_account = models.ForeignKey("ledger.Account", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["order", "line_no"]
        constraints = [models.UniqueConstraint(fields=["order", "line_no"],
                                               name="%(app_label)s_%(class)s_unique_line")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no}"
