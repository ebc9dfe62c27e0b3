"""Credit management: each customer's credit record (limit, flags, status, risk), shared
credit groups, insurance and guarantees, credit limit adjustment journals (which are how limits
change when manual editing is off), risk scoring, balance statistics, blocking rules,
checkpoints, and the holds they put on sales orders.

Limits and exposure are kept in the legal entity's accounting currency (a credit group's in
its own currency); pages show the customer's currency beside them when it differs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.fields import AmountField, CurrencyField
from remit.core.models import EntityOwned

PERCENT = {"max_digits": 7, "decimal_places": 2}


class LimitType(models.TextChoices):
    NONE = "none", "none"
    BALANCE = "balance", "balance"
    BALANCE_PACKING = "balance_packing", "balance + packing slips"
    BALANCE_ALL = "balance_all", "balance + packing slips + open orders"


class AutoRelease(models.TextChoices):
    NO = "no", "no automatic release"
    WITHOUT_POSTING = "without_posting", "release without posting"
    WITH_POSTING = "with_posting", "release with posting"


class CreditParameters(models.Model):
    """Credit and collections parameters of one legal entity (the Credit limits and Credit
    management tabs)."""

    legal_entity = models.OneToOneField("core.LegalEntity", on_delete=models.CASCADE,
                                        related_name="credit_parameters")
    enabled = models.BooleanField(default=True, help_text="Credit management is on: 0 means "
                                  "no credit, and blocking rules hold sales orders.")
    limit_type = models.CharField(max_length=16, choices=LimitType.choices,
                                  default=LimitType.BALANCE_ALL)
    check_sales_order_limit = models.BooleanField(
        default=True, help_text="Run the credit limit used rule on sales orders.")
    check_credit_groups = models.BooleanField(
        default=True, help_text="Check a customer credit group's shared limit first.")
    allow_manual_limit_edit = models.BooleanField(
        default=False, help_text="Off: limits change only through posted adjustments.")
    ignore_blank_expiry = models.BooleanField(
        default=True, help_text="A blank expiry date never triggers the credit limit expired "
                                "rule.")
    check_terms_increase = models.BooleanField(
        default=False, help_text="Hold orders whose payment terms rank above the customer's.")
    check_discount_increase = models.BooleanField(
        default=False, help_text="Hold orders whose cash discount ranks above the customer's.")
    allow_edit_after_release = models.BooleanField(
        default=False, help_text="Off: an order whose amount grew after its release is checked "
                                 "again.")
    auto_release = models.CharField(max_length=16, choices=AutoRelease.choices,
                                    default=AutoRelease.NO,
                                    help_text="What evaluation does with a hold whose reasons "
                                              "have all cleared (never for forced holds).")
    release_approval = models.BooleanField(
        default=False, help_text="Releases and rejections wait for a second person's approval.")
    adjustment_approval = models.BooleanField(
        default=False, help_text="Adjustment journals are submitted and approved before "
                                 "posting.")
    dso1_months = models.PositiveSmallIntegerField(default=12)
    dso2_months = models.PositiveSmallIntegerField(default=6)
    average_balance_months = models.PositiveSmallIntegerField(default=12)
    statistics_months = models.PositiveSmallIntegerField(
        default=12, help_text="Balance statistics younger than this are never deleted.")

    class Meta:
        verbose_name_plural = "credit parameters"

    def __str__(self) -> str:
        return f"credit parameters of {self.legal_entity_id}"


class Checkpoint(EntityOwned):
    """Whether credit rules run at a posting step, on real and on pro-forma posting, and the
    grace days after a pass during which later steps are not checked again."""

    step = models.CharField(max_length=14)
    on_posting = models.BooleanField(default=False)
    on_pro_forma = models.BooleanField(default=False)
    grace_days = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["legal_entity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "step"],
                                    name="%(app_label)s_%(class)s_unique_step"),
            models.CheckConstraint(condition=Q(grace_days=0) | Q(on_posting=True),
                                   name="%(app_label)s_%(class)s_grace_needs_posting"),
        ]

    def __str__(self) -> str:
        return self.step


class ReasonType(models.TextChoices):
    HOLD = "hold", "hold"
    RELEASE = "release", "release"
    STATUS = "status", "status"


class CreditReason(EntityOwned):
    kind = models.CharField(max_length=8, choices=ReasonType.choices)
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100)

    class Meta:
        ordering = ["legal_entity", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "kind", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class InvoicingHold(models.TextChoices):
    NONE = "none", "no hold"
    INVOICING = "invoicing", "hold invoicing"
    ALL = "all", "hold all processing"


class AccountStatus(EntityOwned):
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100)
    hold = models.CharField(max_length=10, choices=InvoicingHold.choices,
                            default=InvoicingHold.NONE,
                            help_text="Invoicing and delivery on hold.")

    class Meta:
        ordering = ["legal_entity", "code"]
        verbose_name_plural = "account statuses"
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ManagementGroup(EntityOwned):
    """A credit management group: customers that blocking rules and scores treat alike."""

    code = models.CharField(max_length=10)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "code"],
                                               name="%(app_label)s_%(class)s_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CreditGroup(models.Model):
    """Customers — of any legal entity — sharing one credit limit. Not owned by one legal
    entity: its members are."""

    code = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=100)
    currency = CurrencyField()
    credit_limit = AmountField()
    limit_expires = models.DateField(help_text="The group's limit expires on this date.")
    limit_date = models.DateField(null=True, blank=True, help_text="Last changed by an "
                                  "adjustment.")

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(credit_limit__gte=0),
                                              name="%(app_label)s_%(class)s_limit_not_negative")]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class RiskGroup(EntityOwned):
    code = models.CharField(max_length=20)
    description = models.CharField(max_length=100)
    score_from = models.DecimalField(max_digits=10, decimal_places=2)
    score_to = models.DecimalField(max_digits=10, decimal_places=2)
    indicator = models.CharField(max_length=10, default="green",
                                 choices=[("green", "green"), ("yellow", "yellow"),
                                          ("red", "red")])

    class Meta:
        ordering = ["legal_entity", "score_from"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "code"],
                                    name="%(app_label)s_%(class)s_unique_code"),
            models.CheckConstraint(condition=Q(score_to__gte=models.F("score_from")),
                                   name="%(app_label)s_%(class)s_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class CustomerCredit(EntityOwned):
    """The Credit and collections tab of one customer."""

    customer = models.OneToOneField("receivables.Customer", on_delete=models.CASCADE,
                                    related_name="credit")
    credit_limit = AmountField(help_text="Accounting currency. 0 means no credit (or 'use the "
                               "credit group' when the customer is in one).")
    unlimited = models.BooleanField(default=False)
    mandatory = models.BooleanField(
        default=False, help_text="Mandatory credit limit: checked even when the limit type is "
                                 "none; with 0, every order goes to credit management.")
    exclude = models.BooleanField(default=False, help_text="Exclude from credit management.")
    ignore_until = models.DateField(null=True, blank=True,
                                    help_text="Credit management ignores the customer until "
                                              "this date.")
    limit_expires = models.DateField(null=True, blank=True,
                                     help_text="Blank: the limit never expires.")
    limit_date = models.DateField(null=True, blank=True,
                                  help_text="Last changed by an adjustment.")
    credit_group = models.ForeignKey(CreditGroup, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="members")
    management_group = models.ForeignKey(ManagementGroup, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    account_status = models.ForeignKey(AccountStatus, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    status_reason = models.ForeignKey(CreditReason, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      limit_choices_to={"kind": ReasonType.STATUS})
    last_review = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)
    business_started = models.DateField(null=True, blank=True)
    eligible_limit = AmountField(null=True, blank=True, default=None,
                                 help_text="Informational: the most this customer could get.")
    annual_revenue = AmountField(null=True, blank=True, default=None,
                                 help_text="The customer's own company revenue (financial "
                                           "statistics); caps automatic credit limits.")
    with_agency = models.BooleanField(default=False)
    title_held = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    risk_score = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    risk_group = models.ForeignKey(RiskGroup, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    risk_scored_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["legal_entity", "customer"]
        constraints = [models.CheckConstraint(condition=Q(credit_limit__gte=0),
                                              name="%(app_label)s_%(class)s_limit_not_negative")]
        permissions = [("change_credit_limit", "Can edit credit limits by hand (when the "
                                               "parameters allow it)"),
                       ("exclude_order", "Can exclude a sales order from credit management")]

    def __str__(self) -> str:
        return f"credit of {self.customer_id}"


class TemporaryLimit(models.Model):
    """A temporary credit limit from an adjustment: replaces the normal limit in [from, to]."""

    customer_credit = models.ForeignKey(CustomerCredit, null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="temporary")
    credit_group = models.ForeignKey(CreditGroup, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="temporary")
    credit_limit = AmountField()
    valid_from = models.DateField()
    valid_to = models.DateField()
    adjustment_line = models.ForeignKey("credit.AdjustmentLine", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")),
                                   name="%(app_label)s_%(class)s_dates"),
            models.CheckConstraint(
                condition=(Q(customer_credit__isnull=False, credit_group__isnull=True)
                           | Q(customer_credit__isnull=True, credit_group__isnull=False)),
                name="%(app_label)s_%(class)s_one_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_limit} {self.valid_from}–{self.valid_to}"


class InsuranceKind(models.TextChoices):
    INSURANCE = "insurance", "insurance"
    GUARANTEE = "guarantee", "guarantee"


class Insurance(models.Model):
    """Credit insurance or a guarantee: raises the limit by value × update % while in force
    (A + B × C); 'included in exposure' also takes the whole value off (A + B × C − B)."""

    customer_credit = models.ForeignKey(CustomerCredit, on_delete=models.CASCADE,
                                        related_name="insurances")
    kind = models.CharField(max_length=10, choices=InsuranceKind.choices)
    insurance_type = models.CharField(max_length=60, blank=True)
    insurer = models.CharField(max_length=150, help_text="Insurer or guarantor.")
    coverage_type = models.CharField(max_length=60, blank=True,
                                     help_text="Policy coverage type (insurance only).")
    policy_number = models.CharField(max_length=60, blank=True)
    effective = models.DateField()
    expires = models.DateField()
    value = AmountField()
    currency = CurrencyField()
    update_percent = models.DecimalField(**PERCENT, help_text="Update credit limit %, 0–100.")
    included_in_exposure = models.BooleanField(default=False)

    class Meta:
        ordering = ["customer_credit", "effective"]
        constraints = [
            models.CheckConstraint(condition=Q(update_percent__gte=0, update_percent__lte=100),
                                   name="%(app_label)s_%(class)s_percent"),
            models.CheckConstraint(condition=Q(value__gt=0), name="%(app_label)s_%(class)s_value"),
            models.CheckConstraint(condition=Q(expires__gte=models.F("effective")),
                                   name="%(app_label)s_%(class)s_dates"),
            models.CheckConstraint(condition=Q(kind="insurance") | Q(coverage_type=""),
                                   name="%(app_label)s_%(class)s_guarantee_no_coverage"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.policy_number or self.insurer}"


# --- credit limit adjustments -----------------------------------------------------------------

class AdjustmentType(models.TextChoices):
    LIMIT = "limit", "credit limit"
    TEMPORARY = "temporary", "temporary credit limit"


class AdjustmentStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    SUBMITTED = "submitted", "submitted for approval"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"
    POSTED = "posted", "posted"


class Adjustment(EntityOwned):
    number = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=AdjustmentType.choices)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=AdjustmentStatus.choices,
                              default=AdjustmentStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    posted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["legal_entity", "-number"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "number"],
                                               name="%(app_label)s_%(class)s_unique_number")]
        permissions = [("post_adjustment", "Can post credit limit adjustments"),
                       ("approve_adjustment", "Can approve credit limit adjustments")]

    def __str__(self) -> str:
        return self.number


class AdjustmentLine(models.Model):
    adjustment = models.ForeignKey(Adjustment, on_delete=models.CASCADE, related_name="lines")
    customer_credit = models.ForeignKey(CustomerCredit, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    credit_group = models.ForeignKey(CreditGroup, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    current_limit = AmountField(help_text="The limit when the line was made.")
    new_limit = AmountField()
    new_from = models.DateField(null=True, blank=True, help_text="Temporary limits only.")
    new_to = models.DateField(help_text="The new expiry date (temporary: the last day).")

    class Meta:
        ordering = ["adjustment", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(customer_credit__isnull=False, credit_group__isnull=True)
                           | Q(customer_credit__isnull=True, credit_group__isnull=False)),
                name="%(app_label)s_%(class)s_customer_or_group"),
            models.CheckConstraint(condition=Q(new_limit__gte=0),
                                   name="%(app_label)s_%(class)s_limit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.adjustment_id}: {self.new_limit}"


# --- risk scoring ------------------------------------------------------------------------------

class ScoringGroupType(models.TextChoices):
    AVERAGE_PAYMENT_DAYS = "avg_payment_days", "average payment days"
    CUSTOMER_YEARS = "customer_years", "customer since, in years"
    BUSINESS_YEARS = "business_years", "in business since, in years"
    DSO = "dso", "days sales outstanding (12 months)"
    AVERAGE_BALANCE = "avg_balance", "average balance (12 months)"
    MANAGEMENT_GROUP = "management_group", "credit management group"
    ACCOUNT_STATUS = "account_status", "account status"
    COUNTRY = "country", "country"
    USER_DEFINED = "user_defined", "user defined"


class ScoreType(models.TextChoices):
    RANGE = "range", "range"
    VALUE = "value", "user defined values"


class ScoringGroup(EntityOwned):
    name = models.CharField(max_length=30)
    description = models.CharField(max_length=100, blank=True)
    group_type = models.CharField(max_length=20, choices=ScoringGroupType.choices)
    score_type = models.CharField(max_length=6, choices=ScoreType.choices)

    class Meta:
        ordering = ["legal_entity", "name"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "name"],
                                               name="%(app_label)s_%(class)s_unique_name")]

    def __str__(self) -> str:
        return self.name


class ScoringLine(models.Model):
    group = models.ForeignKey(ScoringGroup, on_delete=models.CASCADE, related_name="lines")
    from_value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    to_value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    value = models.CharField(max_length=60, blank=True)
    score = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["group", "from_value", "value"]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.score}"


class CustomerScoreValue(models.Model):
    """A user-defined scoring group's value for one customer (e.g. an agency rating, 'A2')."""

    customer_credit = models.ForeignKey(CustomerCredit, on_delete=models.CASCADE,
                                        related_name="score_values")
    group = models.ForeignKey(ScoringGroup, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer_credit", "group"],
                                               name="%(app_label)s_%(class)s_unique")]


class CustomerScore(models.Model):
    """What each scoring group gave the customer at the last risk score update."""

    customer_credit = models.ForeignKey(CustomerCredit, on_delete=models.CASCADE,
                                        related_name="scores")
    group = models.ForeignKey(ScoringGroup, on_delete=models.CASCADE, related_name="+")
    measured = models.CharField(max_length=60, blank=True)
    score = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer_credit", "group"],
                                               name="%(app_label)s_%(class)s_unique")]


class AutomaticLimit(EntityOwned):
    """Automatic credit limits for a risk group and currency, for customers whose revenue is
    at most ``max_revenue``."""

    risk_group = models.ForeignKey(RiskGroup, on_delete=models.CASCADE, related_name="+")
    currency = CurrencyField()
    max_revenue = AmountField(null=True, blank=True, default=None)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["risk_group", "currency"],
                                               name="%(app_label)s_%(class)s_unique")]


class AutomaticLimitLine(models.Model):
    rule = models.ForeignKey(AutomaticLimit, on_delete=models.CASCADE, related_name="lines")
    scoring_group = models.ForeignKey(ScoringGroup, on_delete=models.CASCADE, related_name="+")
    operator = models.CharField(max_length=2, choices=[(">=", "≥"), (">", ">"), ("=", "="),
                                                       ("<=", "≤"), ("<", "<")])
    value = models.CharField(max_length=60)
    credit_limit = AmountField()

    class Meta:
        ordering = ["rule", "id"]


class BalanceStatistic(models.Model):
    """One run of 'calculate balance statistics' for one customer."""

    customer_credit = models.ForeignKey(CustomerCredit, on_delete=models.CASCADE,
                                        related_name="statistics")
    as_of = models.DateField()
    balance = AmountField()
    dso1 = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    dso2 = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    average_balance = AmountField(null=True, default=None)
    highest_balance = AmountField(null=True, default=None)
    highest_balance_on = models.DateField(null=True)
    average_payment_days = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    credit_limit_used = models.DecimalField(max_digits=10, decimal_places=2, null=True)

    class Meta:
        ordering = ["customer_credit", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["customer_credit", "as_of"],
                                               name="%(app_label)s_%(class)s_unique")]


# --- blocking rules and holds -----------------------------------------------------------------

class RuleType(models.TextChoices):
    DAYS_OVERDUE = "days_overdue", "days overdue"
    ACCOUNT_STATUS = "account_status", "account status"
    TERMS = "terms", "terms of payment"
    LIMIT_EXPIRED = "limit_expired", "credit limit expired"
    OVERDUE_AMOUNT = "overdue_amount", "overdue amount"
    ORDER_AMOUNT = "order_amount", "sales order amount"
    LIMIT_USED = "limit_used", "credit limit used"


class Scope(models.TextChoices):
    CUSTOMER = "customer", "customer (table)"
    GROUP = "group", "credit management group"
    ALL = "all", "all customers"


class RuleKind(models.TextChoices):
    BLOCKING = "blocking", "blocking"
    EXCLUSION = "exclusion", "exclusion"


class ValueType(models.TextChoices):
    DAYS = "days", "days"
    AMOUNT = "amount", "amount"
    PERCENT = "percent", "percent"
    NONE = "none", "—"


class BlockingRule(EntityOwned):
    rule_type = models.CharField(max_length=16, choices=RuleType.choices)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    customer = models.ForeignKey("receivables.Customer", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    management_group = models.ForeignKey(ManagementGroup, null=True, blank=True,
                                         on_delete=models.CASCADE, related_name="+")
    risk_group = models.ForeignKey(RiskGroup, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    kind = models.CharField(max_length=10, choices=RuleKind.choices,
                            default=RuleKind.BLOCKING)
    value_type = models.CharField(max_length=8, choices=ValueType.choices,
                                  default=ValueType.NONE)
    value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True,
                                help_text="Days, amount (accounting currency) or percent.")
    limit_threshold = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True,
        help_text="Overdue amount rule: credit limit used % that must also be exceeded.")
    account_status = models.ForeignKey(AccountStatus, null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="+")
    payment_terms = models.ForeignKey("receivables.PaymentTerms", null=True, blank=True,
                                      on_delete=models.CASCADE, related_name="+")
    release_order = models.BooleanField(
        default=False, help_text="Exclusions only: when true, release the order at once "
                                 "without any other rule.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["legal_entity", "rule_type", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(release_order=False) | Q(kind="exclusion"),
                                   name="%(app_label)s_%(class)s_release_only_exclusion"),
            models.CheckConstraint(condition=~Q(scope="customer") | Q(customer__isnull=False),
                                   name="%(app_label)s_%(class)s_customer_scope"),
            models.CheckConstraint(condition=~Q(scope="group")
                                   | Q(management_group__isnull=False),
                                   name="%(app_label)s_%(class)s_group_scope"),
            models.CheckConstraint(condition=Q(value_type="percent")
                                   | ~Q(rule_type="overdue_amount")
                                   | Q(value_type="amount"),
                                   name="%(app_label)s_%(class)s_overdue_amount_value"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_rule_type_display()} ({self.scope})"


class HoldStatus(models.TextChoices):
    OPEN = "open", "on hold"
    PENDING = "pending", "awaiting approval"
    RELEASED = "released", "released"
    REJECTED = "rejected", "rejected"


class CreditHold(EntityOwned):
    """A sales order held by credit management at one posting step, with its reasons."""

    order = models.ForeignKey("sales.SalesOrder", on_delete=models.CASCADE,
                              related_name="credit_holds")
    step = models.CharField(max_length=14)
    status = models.CharField(max_length=10, choices=HoldStatus.choices,
                              default=HoldStatus.OPEN)
    held_on = models.DateField()
    held_at = models.DateTimeField(auto_now_add=True)
    order_amount = AmountField(help_text="The order total when it was held or released.")
    exposure = models.JSONField(default=dict, help_text="What the check saw: balance, "
                                "packing slips, open orders, limit, used %.")
    forced = models.BooleanField(default=False)
    forced_reason = models.ForeignKey(CreditReason, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    ready_to_release = models.BooleanField(default=False)
    evaluated_on = models.DateField(null=True, blank=True)
    release_reason = models.ForeignKey(CreditReason, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    release_note = models.CharField(max_length=255, blank=True)
    release_posting = models.BooleanField(default=False)
    released_automatically = models.BooleanField(
        default=False, help_text="Released by evaluation, not by a person: the step is checked "
                                 "again when it is posted.")
    review_date = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     help_text="Who asked for the release or rejection.")
    requested_action = models.CharField(max_length=10, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(status__in=["open", "pending"]),
                                    name="%(app_label)s_%(class)s_one_open_per_order"),
        ]
        indexes = [models.Index(fields=["legal_entity", "status"], name="credit_hold_status_idx")]
        permissions = [("release_credithold", "Can release, reject and force credit holds"),
                       ("approve_credithold", "Can approve credit hold releases")]

    def __str__(self) -> str:
        return f"hold on {self.order_id} at {self.step}"


class HoldReason(models.Model):
    hold = models.ForeignKey(CreditHold, on_delete=models.CASCADE, related_name="reasons")
    code = models.CharField(max_length=20)
    text = models.CharField(max_length=255)
    rule = models.ForeignKey(BlockingRule, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    cleared = models.BooleanField(default=False)

    class Meta:
        ordering = ["hold", "id"]

    def __str__(self) -> str:
        return self.text


class CreditCheck(EntityOwned):
    """Every credit decision at a checkpoint: passed, held, skipped (and why), with what it saw."""

    order = models.ForeignKey("sales.SalesOrder", on_delete=models.CASCADE,
                              related_name="credit_checks")
    step = models.CharField(max_length=14)
    as_of = models.DateField()
    outcome = models.CharField(max_length=10)  # passed, held, skipped, released
    detail = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict)
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
