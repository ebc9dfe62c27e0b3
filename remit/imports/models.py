"""Imports as recorded runs: what file, read how, mapped how, what it found wrong (every
problem by line and column) and how far posting got — the checkpoint a restarted import
resumes from. Saved mappings remember a source system's columns and formats by name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from remit.core.models import Channel, EntityOwned


class RunStatus(models.TextChoices):
    QUEUED = "queued", "waiting to start"
    CHECKING = "checking", "checking every row"
    INVALID = "invalid", "refused: problems found, nothing imported"
    CHECKED = "checked", "checked, nothing imported yet"
    POSTING = "posting", "importing"
    DONE = "done", "imported"
    FAILED = "failed", "stopped"


class ImportRun(EntityOwned):
    kind = models.CharField(max_length=30)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=1024, blank=True,
                            help_text="Where the file is kept while the run may need it.")
    size = models.PositiveBigIntegerField(default=0)
    options = models.JSONField(default=dict, blank=True,
                               help_text="What the user asked for: mapping, formats, flags.")
    fingerprint = models.CharField(max_length=64, blank=True,
                                   help_text="Digest of the file and the options: the same "
                                             "import started again resumes this run.")
    layout = models.JSONField(default=dict, blank=True)
    formats = models.JSONField(default=dict, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=dict, blank=True,
                               help_text="What each kept column looked like (leaks flagged).")
    totals = models.JSONField(default=dict, blank=True,
                              help_text="The file's own sums, per currency, of the good rows.")
    status = models.CharField(max_length=10, choices=RunStatus.choices,
                              default=RunStatus.QUEUED)
    skip_bad_rows = models.BooleanField(default=False)
    rows = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_posted = models.PositiveIntegerField(
        default=0, help_text="Data rows done (posted, skipped or found there), in file order.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    owner = models.CharField(max_length=100, blank=True,
                             help_text="host:pid of the process carrying the run out.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["legal_entity", "kind", "fingerprint"],
                                name="imports_run_resume_idx")]
        constraints = [models.CheckConstraint(condition=Q(status__in=RunStatus.values),
                                              name="%(app_label)s_%(class)s_status")]

    def __str__(self) -> str:
        return f"{self.kind} import {self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.INVALID, RunStatus.CHECKED, RunStatus.DONE,
                               RunStatus.FAILED)

    @property
    def committed(self) -> bool:
        return self.status == RunStatus.DONE

    @property
    def percent(self) -> int:
        if self.status == RunStatus.CHECKING:
            return 0
        return int(100 * self.rows_posted / self.rows) if self.rows else 0


class ImportProblem(models.Model):
    """One thing wrong with one row (or the file): line and column as the file has them."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problem_rows")
    line = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["run", "line", "id"]
        indexes = [models.Index(fields=["run", "line"], name="imports_problem_run_line_idx")]

    def __str__(self) -> str:
        return f"line {self.line}" + (f", column {self.column}" if self.column else "") + \
            f": {self.message}"

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


class SavedMapping(EntityOwned):
    """How one source system's export reads: its columns' roles and its formats, by name."""

    kind = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    columns = models.JSONField(default=dict, help_text="column → field, attribute or ignore")
    options = models.JSONField(default=dict, blank=True,
                               help_text="date format, decimal mark, constants, flags")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["legal_entity", "kind", "name"],
                                               name="%(app_label)s_%(class)s_unique_name")]

    def __str__(self) -> str:
        return f"{self.kind} mapping {self.name}"
