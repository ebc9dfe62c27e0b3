"""Leads, accounts, contacts and opportunities; the lead's states and the transitions between
its status reasons (as data); the timeline; qualification settings, field mappings, duplicate
rules and the match codes they are found by."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.fields import AmountField, CurrencyField
from remit.core.models import EntityOwned


class LeadState(models.TextChoices):
    OPEN = "open", "open"
    QUALIFIED = "qualified", "qualified"
    DISQUALIFIED = "disqualified", "disqualified"


class StatusReason(models.Model):
    """A lead status reason and the state it belongs to (new and contacted are open; lost,
    cannot contact, no longer interested and canceled are disqualified). Administrators add
    their own; the shipped ones are made by a migration."""

    code = models.SlugField(max_length=30, unique=True)
    label = models.CharField(max_length=60)
    state = models.CharField(max_length=12, choices=LeadState.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["state", "position", "code"]

    def __str__(self) -> str:
        return self.label


class Transition(models.Model):
    """Which status reason may follow which, and by what action. A move not listed here is
    refused: the lifecycle is this table, not code."""

    source = models.ForeignKey(StatusReason, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(StatusReason, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, help_text="contact, qualify, disqualify, "
                                                       "reactivate, ...")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"],
                                               name="%(app_label)s_%(class)s_once")]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code} ({self.action})"


class Person(models.Model):
    """The fields a lead and a contact share."""

    first_name = models.CharField(max_length=60, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=200, blank=True)
    business_phone = models.CharField(max_length=40, blank=True)
    mobile_phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. NO.")

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Lead(EntityOwned, Person):
    topic = models.CharField(max_length=200)
    company_name = models.CharField(max_length=200, blank=True)
    website = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=60, blank=True, help_text="Web, referral, event, ...")
    estimated_value = AmountField(null=True, blank=True, default=None)
    currency = CurrencyField(blank=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=12, choices=LeadState.choices, default=LeadState.OPEN)
    status = models.ForeignKey(StatusReason, on_delete=models.PROTECT, related_name="+")
    parent_account = models.ForeignKey("crm.Account", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="leads",
                                       help_text="An existing account this lead is linked to.")
    parent_contact = models.ForeignKey("crm.Contact", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="leads",
                                       help_text="An existing contact this lead is linked to.")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged")
    external_ref = models.CharField(max_length=80, blank=True,
                                    help_text="The key of an imported row (re-import updates).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["legal_entity", "-created_at", "-id"]
        permissions = [("qualify_lead", "Can qualify leads")]
        indexes = [models.Index(fields=["legal_entity", "state", "owner"],
                                name="crm_lead_state_owner")]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "external_ref"],
                                    condition=~Q(external_ref=""),
                                    name="%(app_label)s_%(class)s_one_per_import_key"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.full_name or self.company_name})"

    @property
    def is_active(self) -> bool:
        return self.state == LeadState.OPEN


class Account(EntityOwned):
    name = models.CharField(max_length=200)
    website = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(default=True)
    originating_lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="accounts")
    customer = models.OneToOneField("receivables.Customer", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="crm_account",
                                    help_text="The receivables customer it became (lead to "
                                              "cash).")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_entity", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Contact(EntityOwned, Person):
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="contacts")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(default=True)
    originating_lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="contacts")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_entity", "last_name", "first_name", "id"]

    def __str__(self) -> str:
        return self.full_name or self.email or f"contact {self.pk}"


class OpportunityStatus(models.TextChoices):
    OPEN = "open", "open"
    WON = "won", "won"
    LOST = "lost", "lost"


class Stage(models.TextChoices):
    QUALIFY = "qualify", "qualify"
    DEVELOP = "develop", "develop"
    PROPOSE = "propose", "propose"
    CLOSE = "close", "close"


class Opportunity(EntityOwned):
    topic = models.CharField(max_length=200)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="opportunities")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="opportunities")
    estimated_revenue = AmountField(null=True, blank=True, default=None)
    currency = CurrencyField()
    close_date = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.QUALIFY)
    status = models.CharField(max_length=6, choices=OpportunityStatus.choices,
                              default=OpportunityStatus.OPEN)
    is_primary = models.BooleanField(default=False,
                                     help_text="The first opportunity of its lead.")
    originating_lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="opportunities")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_entity", "-created_at", "-id"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.topic


class EntryKind(models.TextChoices):
    NOTE = "note", "note"
    ACTIVITY = "activity", "activity"
    STATUS = "status", "status change"
    CREATED = "created", "created"
    QUALIFIED = "qualified", "qualified"
    SUMMARY = "summary", "lead summary"
    MERGED = "merged", "merged"
    WON = "won", "won or lost"
    CHANGED = "changed", "changed"


class TimelineEntry(EntityOwned):
    """A note, activity or event on exactly one record. A lead's notes show on the
    opportunities it became through ``originating_lead`` (kept once, never copied)."""

    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="timeline")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="timeline")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="timeline")
    opportunity = models.ForeignKey(Opportunity, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    attachment = models.FileField(upload_to="crm/%Y/%m/", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # an activity (call, meeting, email, task): who does it, by when, and whether it is done
    activity_type = models.CharField(max_length=10, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="crm_activities")
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["assigned_to", "done_at", "due_on"],
                                name="crm_activity_worklist")]
        constraints = [models.CheckConstraint(
            condition=(Q(lead__isnull=False, account__isnull=True, contact__isnull=True,
                         opportunity__isnull=True)
                       | Q(lead__isnull=True, account__isnull=False, contact__isnull=True,
                           opportunity__isnull=True)
                       | Q(lead__isnull=True, account__isnull=True, contact__isnull=False,
                           opportunity__isnull=True)
                       | Q(lead__isnull=True, account__isnull=True, contact__isnull=True,
                           opportunity__isnull=False)),
            name="%(app_label)s_%(class)s_one_record")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class Mode(models.TextChoices):
    AUTOMATIC = "automatic", "automatic: created for the seller"
    SELLER = "seller", "seller: create new, use existing or skip"


class QualificationSettings(EntityOwned):
    """How leads are qualified in a legal entity (one row each)."""

    account_mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SELLER)
    contact_mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SELLER)
    opportunity_mode = models.CharField(max_length=10, choices=Mode.choices,
                                        default=Mode.SELLER)
    multiple_opportunities = models.BooleanField(
        default=True, help_text="Up to five opportunities from one lead (seller mode only).")
    lead_summary = models.BooleanField(default=True, help_text="A summary of the lead in the "
                                                               "timelines after qualification.")
    enhanced_duplicate_dialog = models.BooleanField(
        default=True, help_text="'Account or contact may already exist' with the matches; off: "
                                "the legacy duplicate warning.")
    customer_on_won = models.BooleanField(
        default=False, help_text="Make the account a receivables customer when an "
                                 "opportunity is won (else one click on the account).")
    summary_endpoint = models.URLField(blank=True, help_text="Optional OpenAI-compatible base "
                                                             "URL; the built-in summary is "
                                                             "used when it fails.")
    summary_model = models.CharField(max_length=100, blank=True)
    summary_api_key = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "qualification settings"
        constraints = [models.UniqueConstraint(fields=["legal_entity"],
                                               name="%(app_label)s_%(class)s_one_per_entity")]


class Target(models.TextChoices):
    ACCOUNT = "account", "account"
    CONTACT = "contact", "contact"
    OPPORTUNITY = "opportunity", "opportunity"


class FieldMapping(EntityOwned):
    """Which lead field fills which field of the records made at qualification. The default
    mappings cannot be deleted; administrators add their own."""

    target = models.CharField(max_length=12, choices=Target.choices)
    lead_field = models.CharField(max_length=60)
    target_field = models.CharField(max_length=60)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["legal_entity", "target", "id"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "target", "target_field"],
                                               name="%(app_label)s_%(class)s_one_source")]

    def __str__(self) -> str:
        return f"lead.{self.lead_field} → {self.target}.{self.target_field}"


class RecordType(models.TextChoices):
    LEAD = "lead", "lead"
    ACCOUNT = "account", "account"
    CONTACT = "contact", "contact"


class MatchingType(models.TextChoices):
    LEAD = "lead", "lead"
    ACCOUNT = "account", "account"
    CONTACT = "contact", "contact"
    ANY = "any", "lead, contact or account"


class DuplicateRule(EntityOwned):
    """Records of ``record_type`` are checked against records of ``matching_type`` (or of
    every type), found by one kind of match code and then weighed on all they hold. Published
    rules are in force (at most five per record type); a rule is unpublished to be edited."""

    name = models.CharField(max_length=100)
    record_type = models.CharField(max_length=8, choices=RecordType.choices)
    matching_type = models.CharField(max_length=8, choices=MatchingType.choices)
    kind = models.CharField(max_length=14, choices=[
        ("email", "same email address"), ("phone", "same phone number"),
        ("name_company", "similar name and company name"),
        ("name_domain", "similar name and same email domain")])
    exclude_inactive = models.BooleanField(default=True, help_text="Ignore qualified, "
                                                                   "disqualified and "
                                                                   "deactivated records.")
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["legal_entity", "record_type", "id"]

    def __str__(self) -> str:
        return self.name


class MatchCode(EntityOwned):
    """One blocking key of one record for one kind of match: duplicates are found by an index
    lookup on (legal entity, record type, kind, code), then scored."""

    record_type = models.CharField(max_length=8, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    kind = models.CharField(max_length=14)
    code = models.CharField(max_length=200)

    class Meta:
        # one index serves the lookup and keeps each code once; it ends in record_id, so a
        # lookup reads only the index. No other index may start with record_type: without
        # statistics SQLite's planner would scan the whole type through it.
        indexes = [models.Index(fields=["record_id", "record_type"],
                                name="crm_matchcode_of_record")]
        constraints = [models.UniqueConstraint(
            fields=["legal_entity", "record_type", "kind", "code", "record_id"],
            name="crm_matchcode_lookup_once")]


class NotDuplicate(EntityOwned):
    """A user's word that ``other`` is not a duplicate of ``record`` ("detach"): that match is
    no longer offered for that record. Per pair and per direction, as the commercial product:
    a record listed for several others is detached from each list."""

    record_type = models.CharField(max_length=8, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    other_type = models.CharField(max_length=8, choices=RecordType.choices)
    other_id = models.BigIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["record_type", "record_id", "other_type", "other_id"],
            name="%(app_label)s_%(class)s_once")]


from .scan_models import DuplicatePair, DuplicateScan, ScanStatus  # noqa: E402,F401
