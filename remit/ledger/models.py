"""The general ledger: chart of accounts, journals, and journal entries with their lines.

A posted entry is immutable at three levels: this module refuses to save or delete it, the
services never try, and database triggers (see ``guards.py``) reject UPDATE and DELETE of posted
rows on both SQLite and PostgreSQL. A correction is a reversal: a new entry linked to the
original.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from remit.core.fields import AmountField, CurrencyField, RateField
from remit.core.models import Channel, EntityOwned, NumberSequence

from .exceptions import PostedEntryImmutable


class AccountType(models.TextChoices):
    ASSET = "asset", "asset"
    LIABILITY = "liability", "liability"
    EQUITY = "equity", "equity"
    REVENUE = "revenue", "revenue"
    EXPENSE = "expense", "expense"


class AccountRole(models.TextChoices):
    """The default account for a job remit does. Postings find their accounts by role, so a
    company can renumber its chart without touching code."""

    RECEIVABLE = "receivable", "accounts receivable"
    REVENUE = "revenue", "sales revenue"
    SALES_TAX_PAYABLE = "sales_tax_payable", "sales tax payable"
    BANK = "bank", "bank"
    CASH_DISCOUNT = "cash_discount", "cash discount given"
    WRITE_OFF = "write_off", "bad debt write-off"
    INTEREST_INCOME = "interest_income", "interest income"
    FEE_INCOME = "fee_income", "fee income"
    PENNY_DIFFERENCE = "penny_difference", "penny difference"
    EXCHANGE_GAIN = "exchange_gain", "realized exchange gain"
    EXCHANGE_LOSS = "exchange_loss", "realized exchange loss"
    BANK_FEES = "bank_fees", "bank fees"
    INTERCOMPANY_DUE_FROM = "intercompany_due_from", "intercompany due from"
    INTERCOMPANY_DUE_TO = "intercompany_due_to", "intercompany due to"
    OPENING_BALANCE = "opening_balance", "opening balance equity"
    SUSPENSE = "suspense", "suspense"


class Account(EntityOwned):
    number = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    account_type = models.CharField(max_length=10, choices=AccountType.choices)
    role = models.CharField(max_length=30, choices=AccountRole.choices, blank=True,
                            help_text="Makes this the account remit posts to for that job.")
    is_blocked = models.BooleanField(default=False, help_text="Blocked accounts take no postings.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_entity", "number"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "number"],
                                    name="%(app_label)s_%(class)s_unique_number"),
            models.UniqueConstraint(fields=["legal_entity", "role"], condition=~Q(role=""),
                                    name="%(app_label)s_%(class)s_unique_role"),
            models.CheckConstraint(condition=Q(account_type__in=AccountType.values),
                                   name="%(app_label)s_%(class)s_type"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class JournalType(models.TextChoices):
    DAILY = "daily", "daily (general journal)"
    CUSTOMER_PAYMENT = "customer_payment", "customer payment"
    SALES = "sales", "sales invoices and credit notes"
    INTEREST = "interest", "interest and fees"
    OPENING = "opening", "opening balances"


class Journal(EntityOwned):
    """A journal name: which kind of entries go here and which sequence numbers them."""

    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    journal_type = models.CharField(max_length=20, choices=JournalType.choices)
    sequence = models.ForeignKey(NumberSequence, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["legal_entity", "code"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "code"],
                                    name="%(app_label)s_%(class)s_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EntryStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    POSTED = "posted", "posted"


class JournalEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(status=EntryStatus.POSTED).exists():
            raise PostedEntryImmutable("Posted journal entries cannot be updated")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=EntryStatus.POSTED).exists():
            raise PostedEntryImmutable("Posted journal entries cannot be deleted")
        return super().delete()


class JournalEntry(EntityOwned):
    """A voucher: one balanced set of lines, numbered from its journal's sequence at posting.

    Single-column indexes that a composite index already leads with are left out (legal entity
    and journal; on the lines, entry and account): each is written on every posting, which an
    import of a company's history does hundreds of thousands of times, and none is read."""

    legal_entity = models.ForeignKey("core.LegalEntity", on_delete=models.PROTECT,
                                     related_name="+", db_index=False)
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries",
                                db_index=False)  # led by the unique (journal, sequence_value)
    number = models.CharField(max_length=40, blank=True)
    sequence_value = models.PositiveBigIntegerField(null=True, blank=True)
    entry_date = models.DateField(help_text="Accounting date.")
    description = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=EntryStatus.choices,
                              default=EntryStatus.DRAFT)
    source = models.CharField(
        max_length=40, default="manual",
        help_text="Which part of remit owns the entry (manual, receivables.opening_balance, ...).")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", db_index=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    checksum = models.CharField(max_length=64, blank=True,
                                help_text="SHA-256 of the entry as posted; see rules.checksum.")
    line_count = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="The lines it was posted with: a posted entry takes lines numbered up to this "
                  "once each, and no other (empty: posted complete, takes none).")

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-entry_date", "-id"]
        verbose_name_plural = "journal entries"
        permissions = [
            ("post_journalentry", "Can post journal entries"),
            ("reverse_journalentry", "Can reverse posted journal entries"),
            ("check_ledger", "Can run the ledger check"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["journal", "sequence_value"],
                                    name="%(app_label)s_%(class)s_unique_sequence_value"),
            models.UniqueConstraint(fields=["legal_entity", "number"], condition=~Q(number=""),
                                    name="%(app_label)s_%(class)s_unique_number"),
            models.CheckConstraint(condition=Q(status__in=EntryStatus.values),
                                   name="%(app_label)s_%(class)s_status"),
            models.CheckConstraint(
                condition=Q(status=EntryStatus.DRAFT)
                | (~Q(number="") & Q(sequence_value__isnull=False)
                   & Q(posted_at__isnull=False) & ~Q(checksum="")),
                name="%(app_label)s_%(class)s_posted_complete"),
            models.CheckConstraint(condition=~Q(reverses=F("id")),
                                   name="%(app_label)s_%(class)s_not_self_reversal"),
        ]
        indexes = [
            models.Index(fields=["legal_entity", "entry_date"], name="ledger_entry_entity_date_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = getattr(instance, "status", None)
        return instance

    SOURCE_LABELS = {
        "manual": "typed in",
        "reversal": "reversal",
        "receivables.opening_balance": "customer opening balance",
    }

    @property
    def source_label(self) -> str:
        return self.SOURCE_LABELS.get(self.source, self.source.replace(".", ": ").replace("_", " "))

    @property
    def is_posted(self) -> bool:
        return self.status == EntryStatus.POSTED

    def _guard(self, verb: str) -> None:
        if getattr(self, "_stored_status", None) == EntryStatus.POSTED:
            raise PostedEntryImmutable(f"{self} is posted and cannot be {verb}; reverse it instead")

    def save(self, *args, **kwargs):
        self._guard("changed")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        self._guard("deleted")
        return super().delete(*args, **kwargs)


class JournalLineQuerySet(models.QuerySet):
    def _touches_posted(self) -> bool:
        return self.filter(entry__status=EntryStatus.POSTED).exists()

    def update(self, **kwargs):
        if self._touches_posted():
            raise PostedEntryImmutable("Lines of posted journal entries cannot be updated")
        return super().update(**kwargs)

    def delete(self):
        if self._touches_posted():
            raise PostedEntryImmutable("Lines of posted journal entries cannot be deleted")
        return super().delete()


class JournalLine(models.Model):
    """One posting: an amount in the transaction currency and the same in the legal entity's
    accounting currency. Debit and credit are separate non-negative columns; a line has one side."""

    # Indexed by the unique (entry, line_no) and by ledger_line_account_idx (account, entry).
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines",
                              db_index=False)
    line_no = models.PositiveSmallIntegerField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines",
                                db_index=False)
    description = models.CharField(max_length=255, blank=True)
    currency = CurrencyField()
    debit = AmountField()
    credit = AmountField()
    debit_acc = AmountField(help_text="Debit in the accounting currency.")
    credit_acc = AmountField(help_text="Credit in the accounting currency.")
    exchange_rate = RateField(default=1, help_text="Accounting units per transaction unit.")

    objects = JournalLineQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "line_no"],
                                    name="%(app_label)s_%(class)s_unique_line_no"),
            models.CheckConstraint(
                condition=Q(debit__gte=0, credit__gte=0, debit_acc__gte=0, credit_acc__gte=0),
                name="%(app_label)s_%(class)s_non_negative"),
            models.CheckConstraint(condition=Q(debit=0) | Q(credit=0),
                                   name="%(app_label)s_%(class)s_one_side"),
            models.CheckConstraint(condition=Q(debit_acc=0) | Q(credit_acc=0),
                                   name="%(app_label)s_%(class)s_one_side_acc"),
            models.CheckConstraint(
                condition=~(Q(debit__gt=0) & Q(credit_acc__gt=0))
                & ~(Q(credit__gt=0) & Q(debit_acc__gt=0)),
                name="%(app_label)s_%(class)s_same_side"),
            models.CheckConstraint(
                condition=Q(debit__gt=0) | Q(credit__gt=0) | Q(debit_acc__gt=0)
                | Q(credit_acc__gt=0),
                name="%(app_label)s_%(class)s_not_empty"),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0),
                                   name="%(app_label)s_%(class)s_rate_positive"),
        ]
        indexes = [models.Index(fields=["account", "entry"], name="ledger_line_account_idx")]

    def __str__(self) -> str:
        return f"{self.entry} #{self.line_no} {self.account.number}"

    def _guard(self, verb: str) -> None:
        if self.entry_id and JournalEntry.objects.filter(
            pk=self.entry_id, status=EntryStatus.POSTED
        ).exists():
            raise PostedEntryImmutable(f"Lines of posted entry {self.entry} cannot be {verb}")

    def save(self, *args, **kwargs):
        self._guard("changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard("deleted")
        return super().delete(*args, **kwargs)


class LedgerCheckRun(models.Model):
    """The outcome of the ledger check for one legal entity (by command, job or page)."""

    legal_entity = models.ForeignKey("core.LegalEntity", on_delete=models.CASCADE,
                                     related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    entries_checked = models.PositiveBigIntegerField(default=0)
    violations = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    actor_name = models.CharField(max_length=150)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return (f"ledger check of {self.legal_entity_id} {self.finished_at:%Y-%m-%d %H:%M}: "
                f"{'ok' if self.ok else 'FAILED'}")
