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

    @property
    def reach(self) -> str:
        """How far the period reaches from the one before it, in words: 'current', '30 days
        earlier', 'everything older'."""
        if self.interval == Interval.UNLIMITED:
            return "everything older" if self.unit < 0 else "everything later"
        if self.unit == 0:
            return "current"
        n = abs(self.unit)
        unit = self.get_interval_display() + ("s" if n != 1 else "")
        return f"{n} {unit} {'earlier' if self.unit < 0 else 'later'}"


class AgingSnapshot(EntityOwned):
    """One run of 'age customer balances': the newest per definition is the current one."""

    definition = models.ForeignKey(AgingPeriodDefinition, on_delete=models.PROTECT,
                                   related_name="snapshots")
    pool = models.ForeignKey("collections.CustomerPool", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="snapshots",
                             help_text="Only this pool's customers (none: all customers).")
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
        constraints = [
            # one current snapshot of all customers per definition, and one per pool
            models.UniqueConstraint(fields=["definition"],
                                    condition=Q(is_current=True, pool__isnull=True),
                                    name="%(app_label)s_%(class)s_one_current"),
            models.UniqueConstraint(fields=["definition", "pool"],
                                    condition=Q(is_current=True, pool__isnull=False),
                                    name="%(app_label)s_%(class)s_one_current_per_pool"),
        ]

    def __str__(self) -> str:
        return f"aging snapshot {self.definition.code} as of {self.as_of}"


class AgingSnapshotLine(models.Model):
    """Per customer, in the accounting currency: total due, each period's amount, overdue,
    the oldest period with an open debit, disputed items, the last payment."""

    # derived data written a hundred thousand rows at a time: one index only, the unique
    # (snapshot, customer) one, which serves both lookups; no database foreign-key check per
    # row for the customer (the snapshot's own query only ever names existing customers)
    snapshot = models.ForeignKey(AgingSnapshot, on_delete=models.CASCADE, related_name="lines",
                                 db_index=False)
    customer = models.ForeignKey("receivables.Customer", on_delete=models.CASCADE,
                                 related_name="+", db_constraint=False, db_index=False)
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
    credit_limit = AmountField(null=True, blank=True, default=None,
                               help_text="The customer's credit limit; empty: none set or "
                                         "unlimited.")
    # database defaults: the snapshot's INSERT … SELECT leaves them to the extras pass
    open_orders = AmountField(db_default=0, help_text="Sales orders not yet delivered.")
    packing_slips = AmountField(db_default=0, help_text="Delivered, not yet invoiced.")
    last_payment = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "customer"],
                                               name="%(app_label)s_%(class)s_unique_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.total_due}"

    def buckets(self, n: int) -> list:
        return [getattr(self, f"bucket_{i}") for i in range(n)]


# --- the work: activities and cases ----------------------------------------------------------

class ActivityKind(models.TextChoices):
    CALL = "call", "phone call"
    EMAIL = "email", "email"
    TASK = "task", "task"
    APPOINTMENT = "appointment", "appointment"


class ActivityStatus(models.TextChoices):
    OPEN = "open", "open"
    DONE = "done", "done"
    CANCELLED = "cancelled", "cancelled"


class CaseStatus(models.TextChoices):
    OPEN = "open", "open"
    IN_PROGRESS = "in_progress", "in progress"
    CLOSED = "closed", "closed"


class CaseCategory(EntityOwned):
    """What a case is about (a payment plan, a dispute, legal action). Only categories of type
    collections can hold collections cases."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    category_type = models.CharField(max_length=20, default="collections",
                                     choices=[("collections", "collections")])

    class Meta:
        ordering = ["legal_entity", "code"]
        verbose_name_plural = "case categories"
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CollectionsCase(EntityOwned):
    """A case groups a customer's transactions and the activities spent on them, from opening
    to resolution."""

    number = models.CharField(max_length=40)
    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="collections_cases")
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="cases")
    description = models.CharField(max_length=255)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    transactions = models.ManyToManyField("receivables.CustomerTransaction", blank=True,
                                          related_name="collections_cases")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["legal_entity", "-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "number"],
                                    name="%(app_label)s_%(class)s_unique_number"),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_on__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True)),
                name="%(app_label)s_%(class)s_closed_on_when_closed"),
        ]
        indexes = [models.Index(fields=["legal_entity", "status"], name="coll_case_status_idx")]

    def __str__(self) -> str:
        return f"case {self.number}"


class Activity(EntityOwned):
    """A call to make, an email sent, a task or an appointment, about a customer (and perhaps
    a case), owned by someone and due on a date."""

    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="collections_activities")
    case = models.ForeignKey(CollectionsCase, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    purpose = models.CharField(max_length=255)
    notes = models.TextField(blank=True)
    due_on = models.DateField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=ActivityStatus.choices,
                              default=ActivityStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["legal_entity", "due_on", "id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ActivityStatus.OPEN, closed_on__isnull=True)
                | (~Q(status=ActivityStatus.OPEN) & Q(closed_on__isnull=False)),
                name="%(app_label)s_%(class)s_closed_on_when_closed"),
        ]
        indexes = [
            models.Index(fields=["legal_entity", "status", "due_on"],
                         name="coll_activity_open_idx"),
            models.Index(fields=["owner", "status", "due_on"], name="coll_activity_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.purpose}"


# --- who works which customers: pools, teams, agents -----------------------------------------

class CustomerPool(EntityOwned):
    """A saved customer query. Customer criteria (groups, currencies, countries) read the
    customer; balance and overdue criteria read the current aging snapshot, like every
    collections list. Empty criteria match everyone."""

    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100)
    groups = models.JSONField(default=list, blank=True, help_text="Customer group codes.")
    currencies = models.JSONField(default=list, blank=True, help_text="ISO currency codes.")
    countries = models.JSONField(default=list, blank=True,
                                 help_text="Country codes of any of the customer's addresses.")
    min_total_due = AmountField(null=True, blank=True, default=None,
                                help_text="Total due at least this (accounting currency).")
    min_days_overdue = models.PositiveIntegerField(
        null=True, blank=True, help_text="Oldest open invoice at least this many days overdue.")
    aging_definition = models.ForeignKey(AgingPeriodDefinition, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+",
                                         help_text="Used on the pool's lists and pages.")

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class CollectionsTeam(EntityOwned):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return self.name


class CollectionsAgent(EntityOwned):
    """A user working collections in a legal entity: the pools they work (one the default),
    or every pool."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="collections_agents")
    team = models.ForeignKey(CollectionsTeam, on_delete=models.PROTECT, related_name="agents")
    pools = models.ManyToManyField(CustomerPool, blank=True, related_name="agents")
    default_pool = models.ForeignKey(CustomerPool, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    view_all_pools = models.BooleanField(default=False)

    class Meta:
        ordering = ["legal_entity", "user"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "user"],
                                               name="%(app_label)s_%(class)s_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.team})"


# --- interest ------------------------------------------------------------------------------

class InterestCode(EntityOwned):
    """How overdue customers are charged interest. Applies to the customer groups listed, or,
    for the default code, to every customer whose group no other code lists."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    customer_groups = models.JSONField(default=list, blank=True,
                                       help_text="Customer group codes this code applies to.")
    is_default = models.BooleanField(default=False)
    account = models.ForeignKey("ledger.Account", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                help_text="Interest income (default: the chart's).")

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


class InterestVersion(models.Model):
    """The rates of an interest code from a date on (a new version changes them from a future
    date, keeping the history)."""

    code = models.ForeignKey(InterestCode, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField()
    basis = models.CharField(max_length=12, choices=[("percentage", "percentage"),
                                                      ("amount", "amount")],
                             default="percentage")
    every = models.PositiveSmallIntegerField(default=1)
    unit = models.CharField(max_length=5, choices=[("day", "days"), ("month", "months")],
                            default="month")
    range_by = models.CharField(max_length=8, default="none",
                                choices=[("none", "no ranges"), ("amount", "amount"),
                                         ("days", "days overdue"),
                                         ("months", "months overdue")])
    per_day = models.BooleanField(default=False,
                                  help_text="Yearly percent ÷ 365 per day late.")
    grace_days = models.PositiveSmallIntegerField(default=0)
    min_interest = AmountField(null=True, blank=True, default=None)
    max_interest = AmountField(null=True, blank=True, default=None)

    class Meta:
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"],
                                    name="%(app_label)s_%(class)s_unique_date"),
            models.CheckConstraint(condition=Q(every__gte=1),
                                   name="%(app_label)s_%(class)s_every_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code.code} from {self.effective_from}"


class InterestRange(models.Model):
    version = models.ForeignKey(InterestVersion, on_delete=models.CASCADE,
                                related_name="ranges")
    from_value = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    value = models.DecimalField(max_digits=20, decimal_places=4,
                                help_text="Percent, or amount in the currency.")
    currency = models.CharField(max_length=3, blank=True,
                                help_text="For amounts: the currency (blank: any).")

    class Meta:
        ordering = ["version", "currency", "from_value"]


class InterestNoteStatus(models.TextChoices):
    CREATED = "created", "created"
    POSTED = "posted", "posted"
    CANCELLED = "cancelled", "cancelled"
    REVERSED = "reversed", "reversed"


class InterestNote(EntityOwned):
    """Interest charged to a customer for its overdue items up to a date, under one version
    of an interest code; posting makes it an open item the customer owes."""

    number = models.CharField(max_length=40)
    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="interest_notes")
    version = models.ForeignKey(InterestVersion, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    note_date = models.DateField()
    to_date = models.DateField()
    total = AmountField()
    status = models.CharField(max_length=10, choices=InterestNoteStatus.choices,
                              default=InterestNoteStatus.CREATED)
    item = models.OneToOneField("receivables.CustomerTransaction", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="interest_note")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["legal_entity", "-note_date", "-id"]
        permissions = [("waive_interest", "Can waive and reinstate interest (within a limit)"),
                       ("reverse_interest", "Can reverse posted interest notes")]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "number"],
                                               name="%(app_label)s_%(class)s_unique_number")]
        indexes = [models.Index(fields=["customer", "status"], name="coll_interest_cust_idx")]

    def __str__(self) -> str:
        return f"interest note {self.number}"


class InterestNoteLine(models.Model):
    note = models.ForeignKey(InterestNote, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("receivables.CustomerTransaction", on_delete=models.PROTECT,
                             related_name="interest_lines")
    from_date = models.DateField()
    to_date = models.DateField()
    intervals = models.PositiveIntegerField()
    base_amount = AmountField()
    rate = models.DecimalField(max_digits=20, decimal_places=4)
    interest = AmountField()

    class Meta:
        ordering = ["note", "id"]


class InterestAdjustment(models.Model):
    """The history of waiving, reinstating and reversing an interest note."""

    note = models.ForeignKey(InterestNote, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(max_length=10, choices=[("waive", "waived"),
                                                     ("reinstate", "reinstated"),
                                                     ("reverse", "reversed")])
    amount = AmountField()
    item = models.ForeignKey("receivables.CustomerTransaction", on_delete=models.PROTECT,
                             related_name="+")
    undone_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="undoes")
    reason = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["note", "at", "id"]

    def __str__(self) -> str:
        return f"{self.note.number} {self.kind} {self.amount}"


class WaiveLimit(EntityOwned):
    """How much interest a user may waive on one note, in the accounting currency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    max_amount = AmountField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["legal_entity", "user"],
                                               name="%(app_label)s_%(class)s_one_per_user")]


class EmailTemplate(EntityOwned):
    """The wording of an email sent from the Collections page (Django template syntax over
    customer, contact_name, company, sender, as_of, currency, open_total, overdue_total,
    overdue_count)."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# --- collection letters ------------------------------------------------------------------

class LetterSequence(EntityOwned):
    """Up to five collection letters per currency, with fees and minimum balances. Applies to
    the customer groups listed, else (the default sequence) to every customer whose group no
    other sequence lists."""

    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100)
    customer_groups = models.JSONField(default=list, blank=True)
    is_default = models.BooleanField(default=False)
    per_transaction = models.BooleanField(
        default=False, help_text="Each item climbs its own letters (else one level per "
                                 "customer, set by its oldest overdue item).")
    ignore_credits = models.BooleanField(
        default=True, help_text="Payments and credit notes do not count toward the minimum "
                                "overdue balance.")

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "code"],
                                    name="%(app_label)s_%(class)s_unique_code"),
            models.UniqueConstraint(fields=["legal_entity"], condition=Q(is_default=True),
                                    name="%(app_label)s_%(class)s_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class LetterLevel(models.Model):
    sequence = models.ForeignKey(LetterSequence, on_delete=models.CASCADE,
                                 related_name="levels")
    currency = models.CharField(max_length=3)
    number = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100)
    days = models.PositiveSmallIntegerField(
        help_text="Letter 1: days after the due date; later letters: after the previous one.")
    min_overdue = AmountField()
    fee = AmountField()
    fee_account = models.ForeignKey("ledger.Account", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    help_text="Fee income (default: the chart's).")
    block = models.BooleanField(default=False,
                                help_text="Put the customer on hold for invoicing.")
    note = models.TextField(blank=True, help_text="Printed on the letter.")

    class Meta:
        ordering = ["sequence", "currency", "number"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "currency", "number"],
                                    name="%(app_label)s_%(class)s_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=5, fee__gte=0,
                                               min_overdue__gte=0),
                                   name="%(app_label)s_%(class)s_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"


class CollectionLetter(EntityOwned):
    number = models.CharField(max_length=40)
    customer = models.ForeignKey("receivables.Customer", on_delete=models.PROTECT,
                                 related_name="collection_letters")
    level = models.ForeignKey(LetterLevel, on_delete=models.PROTECT, related_name="letters")
    currency = models.CharField(max_length=3)
    letter_date = models.DateField()
    overdue = AmountField()
    status = models.CharField(max_length=10, default="created",
                              choices=[("created", "created"), ("posted", "posted"),
                                       ("cancelled", "cancelled")])
    fee_item = models.OneToOneField("receivables.CustomerTransaction", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="collection_letter")
    sent_to = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["legal_entity", "-letter_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "number"],
                                               name="%(app_label)s_%(class)s_unique_number")]
        indexes = [models.Index(fields=["customer", "status"], name="coll_letter_cust_idx")]

    def __str__(self) -> str:
        return f"collection letter {self.number}"


class CollectionLetterLine(models.Model):
    letter = models.ForeignKey(CollectionLetter, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("receivables.CustomerTransaction", on_delete=models.PROTECT,
                             related_name="letter_lines")
    level = models.PositiveSmallIntegerField()
    days_overdue = models.IntegerField()
    open_amount = AmountField()

    class Meta:
        ordering = ["letter", "id"]


# --- collections process automation ------------------------------------------------------

class CollectionsProcess(EntityOwned):
    """Automated collections for one customer pool: steps (activity, email or letter) on days
    relative to the leading invoice's due date. A customer in several pools follows the
    process of the best rank (1 first)."""

    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100)
    pool = models.OneToOneField(CustomerPool, on_delete=models.PROTECT, related_name="process")
    rank = models.PositiveSmallIntegerField(default=1)
    quiet_days = models.PositiveSmallIntegerField(default=0)
    track_step = models.BooleanField(default=True)
    min_balance = AmountField(null=True, blank=True, default=None,
                              help_text="Leave out customers whose balance is less.")
    min_invoice = AmountField(null=True, blank=True, default=None,
                              help_text="Leave out invoices smaller than this.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["legal_entity", "rank", "code"]
        verbose_name_plural = "collections processes"
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ProcessStep(models.Model):
    process = models.ForeignKey(CollectionsProcess, on_delete=models.CASCADE,
                                related_name="steps")
    description = models.CharField(max_length=100)
    action = models.CharField(max_length=10, choices=[("activity", "activity"),
                                                       ("email", "email"),
                                                       ("letter", "collection letter")])
    days = models.SmallIntegerField(help_text="Days after the leading invoice's due date "
                                              "(negative: before it).")
    activity_kind = models.CharField(max_length=20, choices=ActivityKind.choices, blank=True,
                                     default=ActivityKind.CALL)
    email_template = models.ForeignKey("collections.EmailTemplate", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["process", "days", "id"]

    def __str__(self) -> str:
        return f"{self.description} ({self.days:+d} days)"


class ProcessRun(EntityOwned):
    """What automation did for a customer on a day (its history)."""

    customer = models.ForeignKey("receivables.Customer", on_delete=models.CASCADE,
                                 related_name="+")
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="runs")
    invoice = models.ForeignKey("receivables.CustomerTransaction", on_delete=models.PROTECT,
                                related_name="+")
    run_on = models.DateField()
    outcome = models.CharField(max_length=255)
    succeeded = models.BooleanField(default=True, help_text="A skipped or failed step is "
                                                            "tried again on a later day.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_entity", "-run_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "run_on"],
                                               name="%(app_label)s_%(class)s_once_a_day")]
