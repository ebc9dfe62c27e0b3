"""Collections: aging period definitions and aging snapshots (per customer, the open amounts in
each period as of a date), the ground the collections pages and lists stand on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.fields import AmountField
from remit.core.models import EntityOwned

MAX_PERIODS = 10


class AgingCriteria(models.TextChoices):
    DUE_DATE = "due_date", "due date"
    TRANSACTION_DATE = "transaction_date", "transaction date"
    DOCUMENT_DATE = "document_date", "document date"


class AgingPeriodDefinition(EntityOwned):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    criteria = models.CharField(max_length=20, choices=AgingCriteria.choices,
                                default=AgingCriteria.DUE_DATE)
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


class Interval(models.TextChoices):
    DAY = "day", "day"
    WEEK = "week", "week"
    MONTH = "month", "month"
    QUARTER = "quarter", "quarter"
    YEAR = "year", "year"
    UNLIMITED = "unlimited", "unlimited"


class Indicator(models.TextChoices):
    GREEN = "green", "green"
    YELLOW = "yellow", "yellow"
    RED = "red", "red"


class AgingPeriod(models.Model):
    definition = models.ForeignKey(AgingPeriodDefinition, on_delete=models.CASCADE,
                                   related_name="periods")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=40)
    unit = models.SmallIntegerField(help_text="Signed: negative towards the past, 0 = current.")
    interval = models.CharField(max_length=10, choices=Interval.choices)
    indicator = models.CharField(max_length=10, choices=Indicator.choices, default=Indicator.GREEN)

    class Meta:
        ordering = ["definition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "position"],
                                    name="%(app_label)s_%(class)s_unique_position"),
            models.CheckConstraint(condition=Q(position__lt=MAX_PERIODS),
                                   name="%(app_label)s_%(class)s_max_periods"),
        ]

    def __str__(self) -> str:
        return self.label


class AgingSnapshot(EntityOwned):
    """One run of 'age customer balances': the newest per definition is the current one."""

    definition = models.ForeignKey(AgingPeriodDefinition, on_delete=models.PROTECT,
                                   related_name="snapshots")
    as_of = models.DateField()
    criteria = models.CharField(max_length=20, choices=AgingCriteria.choices)
    labels = models.JSONField(default=list, help_text="Period labels, in bucket order.")
    is_current = models.BooleanField(default=True)
    customers = models.PositiveIntegerField(default=0)
    seconds = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        permissions = [("change_collection_status",
                        "Can mark items disputed, promised to pay or resolved")]
        constraints = [models.UniqueConstraint(fields=["definition"], condition=Q(is_current=True),
                                               name="%(app_label)s_%(class)s_one_current")]

    def __str__(self) -> str:
        return f"aging snapshot {self.definition.code} as of {self.as_of}"


class AgingSnapshotLine(models.Model):
    """Per customer, in the accounting currency: total due, each period's amount, overdue,
    the oldest period with an open debit, disputed items, the last payment."""

    snapshot = models.ForeignKey(AgingSnapshot, on_delete=models.CASCADE, related_name="lines")
    # derived data written a hundred thousand rows at a time: no database foreign-key check
    # per row (the snapshot's own query only ever names existing customers)
    customer = models.ForeignKey("receivables.Customer", on_delete=models.CASCADE,
                                 related_name="+", db_constraint=False)
    total_due = AmountField()
    overdue = AmountField()
    bucket_0 = AmountField()
    bucket_1 = AmountField()
    bucket_2 = AmountField()
    bucket_3 = AmountField()
    bucket_4 = AmountField()
    bucket_5 = AmountField()
    bucket_6 = AmountField()
    bucket_7 = AmountField()
    bucket_8 = AmountField()
    bucket_9 = AmountField()
    open_items = models.PositiveIntegerField(default=0)
    oldest_due = models.DateField(null=True, blank=True)
    disputed_count = models.PositiveIntegerField(default=0)
    disputed_amount = AmountField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "customer"],
                                               name="%(app_label)s_%(class)s_unique_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.total_due}"

    def buckets(self, n: int) -> list:
        return [getattr(self, f"bucket_{i}") for i in range(n)]
