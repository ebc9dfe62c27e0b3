"""Legal entities, who may work in them, number sequences, exchange rates, the audit log and
API tokens: the ground every business table stands on."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .fields import CurrencyField, RateField


class LegalEntity(models.Model):
    """A company with its own books and accounting currency. Every business row belongs to one."""

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9_-]*$", "Use capitals, digits, - and _")],
        help_text="Short code shown in the switcher and used by the API, e.g. NO01.",
    )
    name = models.CharField(max_length=200)
    accounting_currency = CurrencyField(help_text="ISO 4217 code the books are kept in.")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "legal entities"
        permissions = [("access_remit", "Can use remit (the home workspace)"),
                       ("use_api", "Can use the API with personal tokens")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EntityOwned(models.Model):
    legal_entity = models.ForeignKey(LegalEntity, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class UserProfile(models.Model):
    """Which legal entities a user may work in; the one they work in is kept in the session."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="remit_profile"
    )
    legal_entities = models.ManyToManyField(LegalEntity, blank=True, related_name="members")
    all_legal_entities = models.BooleanField(
        default=False, help_text="May work in every legal entity, including ones created later."
    )
    default_legal_entity = models.ForeignKey(
        LegalEntity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"profile of {self.user}"


class NumberSequence(EntityOwned):
    """Gap-free document numbers: the next value is taken under a row lock inside the posting
    transaction, so a rolled-back posting gives its number back."""

    code = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=20, blank=True)
    width = models.PositiveSmallIntegerField(default=6, validators=[MinValueValidator(1)])
    next_value = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "code"], name="%(app_label)s_%(class)s_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(next_value__gte=1), name="%(app_label)s_%(class)s_next_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.prefix}…)"

    def format(self, value: int) -> str:
        return f"{self.prefix}{value:0{self.width}d}"


class ExchangeRate(models.Model):
    """Units of ``to_currency`` for one unit of ``from_currency``, valid from a date until the
    next rate for the same pair."""

    from_currency = CurrencyField()
    to_currency = CurrencyField()
    valid_from = models.DateField()
    rate = RateField(validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["from_currency", "to_currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_currency", "to_currency", "valid_from"],
                name="%(app_label)s_%(class)s_unique_pair_date",
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="%(app_label)s_%(class)s_positive"),
            models.CheckConstraint(
                condition=~Q(from_currency=F("to_currency")),
                name="%(app_label)s_%(class)s_distinct_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate} {self.to_currency} from {self.valid_from}"


class Channel(models.TextChoices):
    WEB = "web", "web app"
    API = "api", "API"
    CLI = "cli", "command line"
    ADMIN = "admin", "admin"
    TASK = "task", "background job"
    SYSTEM = "system", "system"


class ConfigStamp(models.Model):
    """One row: a random number that database triggers replace whenever configuration that
    posting caches changes (see ``remit.core.config``)."""

    stamp = models.BigIntegerField()


class AuditLog(models.Model):
    """Who did what to which record, when, and from which front end. Written by services in the
    same transaction as the change it describes, so a rolled-back change leaves no record."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    legal_entity = models.ForeignKey(
        LegalEntity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["legal_entity", "at"], name="core_audit_entity_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="%(app_label)s_%(class)s_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the token is shown once when created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
