"""A duplicate scan of a legal entity's records and the pairs it found: the background job's
progress, and what the merge pages start from. Kept apart from models.py for its length;
models.py imports it so Django finds the models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.models import EntityOwned

RECORD_TYPES = [("lead", "lead"), ("account", "account"), ("contact", "contact")]


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class DuplicateScan(EntityOwned):
    record_type = models.CharField(max_length=8, choices=RECORD_TYPES)
    status = models.CharField(max_length=8, choices=ScanStatus.choices,
                              default=ScanStatus.QUEUED)
    records = models.PositiveIntegerField(default=0)
    candidates_done = models.PositiveBigIntegerField(
        default=0, help_text="Candidate pairs weighed so far (the progress).")
    pairs = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=ScanStatus.values),
                                              name="%(app_label)s_%(class)s_status")]

    def __str__(self) -> str:
        return f"duplicate scan of {self.record_type}s ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ScanStatus.DONE, ScanStatus.FAILED)


class DuplicatePair(EntityOwned):
    """Two records of one type that may be the same, as a scan weighed them."""

    scan = models.ForeignKey(DuplicateScan, on_delete=models.CASCADE, related_name="found")
    record_type = models.CharField(max_length=8, choices=RECORD_TYPES)
    first_id = models.BigIntegerField()
    second_id = models.BigIntegerField()
    weight = models.DecimalField(max_digits=6, decimal_places=2, help_text="In bits.")
    score = models.DecimalField(max_digits=4, decimal_places=1, help_text="0–100.")
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["-weight", "first_id", "second_id"]
        constraints = [models.UniqueConstraint(fields=["scan", "first_id", "second_id"],
                                               name="%(app_label)s_%(class)s_once")]
