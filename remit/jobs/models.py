"""Schedules: jobs that run by the clock (nightly ledger check, pruning old job results).

Queued jobs themselves are django-tasks' ``DBTaskResult`` rows; a schedule only decides when the
next one is enqueued.
"""

from django.db import models
from django.db.models import Q


class Schedule(models.Model):
    name = models.CharField(max_length=100, unique=True)
    task_path = models.CharField(max_length=200, help_text="Dotted path of a remit task.")
    kwargs = models.JSONField(default=dict, blank=True)
    every_minutes = models.PositiveIntegerField(null=True, blank=True)
    daily_at = models.TimeField(null=True, blank=True, help_text="Local time (TIME_ZONE).")
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True, help_text="Why the schedule was switched off.")

    class Meta:
        ordering = ["next_run_at"]
        permissions = [("run_job", "Can retry failed jobs and run schedules now")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(every_minutes__isnull=False, daily_at__isnull=True)
                           | Q(every_minutes__isnull=True, daily_at__isnull=False)),
                name="%(app_label)s_%(class)s_one_cadence"),
            models.CheckConstraint(condition=Q(every_minutes__isnull=True)
                                   | Q(every_minutes__gte=1),
                                   name="%(app_label)s_%(class)s_every_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .registry import task_for_path

        try:
            task_for_path(self.task_path)
        except LookupError as exc:
            raise ValidationError({"task_path": str(exc)}) from None

    @property
    def cadence(self) -> str:
        if self.daily_at is not None:
            return f"daily at {self.daily_at:%H:%M}"
        return f"every {self.every_minutes} min"


class WorkerBeat(models.Model):
    """A running ``remit worker`` says it is alive: one row per worker process, refreshed
    while it loops. Scheduled jobs (the nightly ledger check among them) stop silently when
    no worker runs, so the home page, /jobs/ and ``remit jobs status`` read these rows and say
    so."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True, help_text="The last database error the worker "
                                  "waited out, if any.")

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"worker {self.host}:{self.pid}"
