"""Payment predictions: the settings per legal entity (thresholds, the fields the model
uses), versioned models (features, window, thresholds, metrics, the artefact as text), and the
current prediction of each open invoice with the model version that made it and its factors."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.models import EntityOwned

from .features import DEFAULT_FEATURES


def default_features() -> list[str]:
    """remit's own fields; a kept column of the invoices only once someone chooses it."""
    return list(DEFAULT_FEATURES)


class InsightsSettings(models.Model):
    legal_entity = models.OneToOneField("core.LegalEntity", on_delete=models.CASCADE,
                                        related_name="insights_settings")
    late_days = models.PositiveSmallIntegerField(
        default=0, help_text="Paid more than this many days after the due date is late.")
    very_late_days = models.PositiveSmallIntegerField(
        default=30, help_text="Paid more than this many days after the due date is very late. "
                              "Not above the late threshold: two classes (on time, late).")
    features = models.JSONField(default=default_features,
                                help_text="The fields the model uses; 'attr:NAME' for a "
                                          "kept invoice column such as channel or region.")
    late_benchmark = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True,
        help_text="Collections automation: an activity when the late + very late share of a "
                  "customer's balance is at least this percent.")
    very_late_benchmark = models.DecimalField(max_digits=5, decimal_places=2, null=True,
                                              blank=True)
    learn_from_group = models.BooleanField(
        default=True, help_text="Also learn from the settled invoices of the other legal "
                                "entities in this installation (tested on this one's only).")
    very_late_miss_cost = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="How many false alarms one missed very-late invoice is worth: the class said "
                  "is then the one of least expected cost (a missed late invoice costs half "
                  "as much). Empty: the class said is chosen for the best macro F1.")

    class Meta:
        verbose_name_plural = "insights settings"

    def __str__(self) -> str:
        return f"insights settings of {self.legal_entity_id}"


class ModelStatus(models.TextChoices):
    TRAINED = "trained", "trained (not in use)"
    PUBLISHED = "published", "published (in use)"
    RETIRED = "retired", "retired"


class PredictionModel(EntityOwned):
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=ModelStatus.choices,
                              default=ModelStatus.TRAINED)
    algorithm = models.CharField(max_length=60, default="LightGBM multiclass + temperature scaling")
    late_days = models.PositiveSmallIntegerField()
    very_late_days = models.PositiveSmallIntegerField()
    classes = models.JSONField()
    features = models.JSONField(help_text="The columns, in order.")
    categories = models.JSONField(default=dict)
    train_from = models.DateField(null=True)
    test_from = models.DateField(null=True)
    test_to = models.DateField(null=True)
    n_train = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict)
    booster = models.TextField(help_text="LightGBM's model text.")
    feature_definition = models.PositiveSmallIntegerField(
        default=1, help_text="What its columns meant when it was trained (features.DEFINITION).")
    calibration = models.JSONField(default=list)
    test_rows = models.JSONField(
        default=dict, blank=True,
        help_text="Its test invoices' classes and the probabilities it and the baselines gave "
                  "them, so legal entities can be judged together (empty before 0008).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["legal_entity", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "version"],
                                    name="%(app_label)s_%(class)s_unique_version"),
            models.UniqueConstraint(fields=["legal_entity"], condition=Q(status="published"),
                                    name="%(app_label)s_%(class)s_one_published"),
        ]
        permissions = [("publish_predictionmodel", "Can publish or revert payment prediction "
                                                   "models")]

    def __str__(self) -> str:
        return f"model v{self.version}"


class Prediction(EntityOwned):
    """The current prediction for an open invoice (replaced at the next scoring)."""

    item = models.OneToOneField("receivables.CustomerTransaction", on_delete=models.CASCADE,
                                related_name="prediction")
    customer = models.ForeignKey("receivables.Customer", on_delete=models.CASCADE,
                                 related_name="+", db_index=False)
    model = models.ForeignKey(PredictionModel, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    on_time = models.DecimalField(max_digits=5, decimal_places=4)
    late = models.DecimalField(max_digits=5, decimal_places=4)
    very_late = models.DecimalField(max_digits=5, decimal_places=4)
    factors = models.JSONField(default=list)
    features = models.JSONField(default=dict, help_text="The feature row it was made from: "
                                "the prediction explains itself from it, now or later.")
    explained = models.BooleanField(default=False, help_text="Factors computed (eagerly for "
                                    "invoices said to be late, else when first shown).")
    said = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(0, "on time"), (1, "late"), (2, "very late")],
        help_text="The class the version's decision rule says (insights.decide); empty for "
                  "a prediction stored before versions had one (then: red under 50 % on time).")

    class Meta:
        indexes = [models.Index(fields=["legal_entity", "on_time"], name="insights_pred_ontime"),
                   models.Index(fields=["customer"], name="insights_pred_customer")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.on_time}/{self.late}/{self.very_late}"

    @property
    def is_red(self) -> bool:
        """Said to be paid late or very late: the red marker (see ``RED``)."""
        if self.said is not None:
            return self.said != 0
        return self.on_time < Decimal("0.5")


# The red marker as a filter: said to be late or very late by the version's decision rule;
# a prediction stored before versions had one keeps the old marker, under 50 % on time.
RED = Q(said__gt=0) | Q(said__isnull=True, on_time__lt=Decimal("0.5"))
