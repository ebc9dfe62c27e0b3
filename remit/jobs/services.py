"""Use cases for background jobs: enqueue due schedules, retry a failed job, default schedules."""

from __future__ import annotations

import uuid

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from remit.core.actor import Actor
from remit.core.audit import audit_record
from remit.core.exceptions import NotFound, RuleViolation

from .models import Schedule
from .registry import task_for_path
from .rules import next_run

logger = logging.getLogger("remit.jobs")

DEFAULT_SCHEDULES = [
    # name, task path, cadence
    ("Nightly ledger check", "remit.ledger.tasks.ledger_check_nightly", {"daily_at": time(2, 0)}),
    ("Prune job history", "remit.jobs.tasks.prune_job_history", {"daily_at": time(3, 0)}),
    ("Collections process automation",
     "remit.collections.automation.collections_automation_daily", {"daily_at": time(6, 0)}),
    ("Credit statistics, risk scores and hold evaluation",
     "remit.credit.tasks.credit_nightly", {"daily_at": time(4, 0)}),
    ("Payment predictions for every open invoice",
     "remit.insights.tasks.predictions_nightly", {"daily_at": time(4, 30)}),
]


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def schedules_sync_defaults(*, using: str = DEFAULT_DB_ALIAS, now: datetime | None = None) -> None:
    now = now or timezone.now()
    for name, path, cadence in DEFAULT_SCHEDULES:
        if not Schedule.objects.using(using).filter(name=name).exists():
            Schedule.objects.using(using).create(
                name=name, task_path=path, next_run_at=next_run(
                    now, every_minutes=cadence.get("every_minutes"),
                    daily_at=cadence.get("daily_at"), tz=_tz()),
                **cadence)


def schedules_sync_defaults_on_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    schedules_sync_defaults(using=using)


def schedules_enqueue_due(*, now: datetime) -> list[str]:
    """Enqueue one job for each enabled schedule whose time has come; returns their names.
    The schedule rows are locked (skipping ones another worker holds), so with several
    workers each due run is enqueued once. A schedule naming no task is switched off with the
    reason, instead of stopping every other job."""
    enqueued = []
    with transaction.atomic():
        due = (Schedule.objects.select_for_update(skip_locked=True)
               .filter(enabled=True, next_run_at__lte=now).order_by("next_run_at"))
        for schedule in due:
            try:
                result = task_for_path(schedule.task_path).enqueue(**schedule.kwargs)
            except Exception as exc:  # noqa: BLE001 - one bad schedule must not stop the rest
                logger.error("schedule %r switched off: %s", schedule.name, exc)
                schedule.enabled = False
                schedule.last_error = f"{now:%Y-%m-%d %H:%M}: {type(exc).__name__}: {exc}"
                schedule.save(update_fields=["enabled", "last_error"])
                continue
            schedule.last_enqueued_at = now
            schedule.last_result_id = str(result.id)
            schedule.next_run_at = next_run(now, every_minutes=schedule.every_minutes,
                                            daily_at=schedule.daily_at, tz=_tz())
            schedule.save(update_fields=["last_enqueued_at", "last_result_id", "next_run_at"])
            enqueued.append(schedule.name)
    return enqueued


def jobs_fail_abandoned(*, now: datetime, timeout: timedelta) -> int:
    """A job still RUNNING long after it started lost its worker (killed, out of memory):
    mark it FAILED and let its retry policy decide, so no job is silently lost."""
    from django_tasks.signals import task_finished
    from django_tasks_db.backend import DatabaseBackend

    abandoned = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING,
                                            started_at__lt=now - timeout)
    count = 0
    for row in abandoned:
        row.set_failed(WorkerLost(f"the worker running this job since {row.started_at:%H:%M} "
                                  "stopped before it finished"))
        try:
            task_finished.send(sender=DatabaseBackend, task_result=row.task_result)
        except Exception:  # noqa: BLE001 - its task no longer imports: it stays FAILED, visible
            logger.exception("job %s failed for good: its task cannot be loaded", row.pk)
        count += 1
    return count


class WorkerLost(Exception):
    pass


@transaction.atomic
def schedule_run_now(*, schedule: Schedule, actor: Actor) -> str:
    actor.require("jobs.run_job")
    result = task_for_path(schedule.task_path).enqueue(**schedule.kwargs)
    Schedule.objects.filter(pk=schedule.pk).update(last_enqueued_at=timezone.now(),
                                                   last_result_id=str(result.id))
    audit_record(actor=actor, action="jobs.schedule.run_now", obj=schedule,
                 data={"result": str(result.id)})
    return str(result.id)


@transaction.atomic
def job_retry(*, result_id: str, actor: Actor) -> DBTaskResult:
    """Put a job that failed for good back in the queue, to run as soon as a worker is free."""
    actor.require("jobs.run_job")
    try:
        uuid.UUID(str(result_id))
    except ValueError:
        raise NotFound(f"No job {result_id}") from None
    result = DBTaskResult.objects.select_for_update().filter(pk=result_id).first()
    if result is None:
        raise NotFound(f"No job {result_id}")
    if result.status != TaskResultStatus.FAILED:
        raise RuleViolation(f"Job {result_id} is {result.status.lower()}; only failed jobs "
                            "can be retried", code="job_not_failed")
    result.status = TaskResultStatus.READY
    result.run_after = timezone.now()
    result.finished_at = None
    result.worker_ids = []  # a retry by hand gets the task's full attempts again
    result.save(update_fields=["status", "run_after", "finished_at", "worker_ids"])
    audit_record(actor=actor, action="jobs.job.retry", obj=None,
                 data={"result": str(result.pk), "task": result.task_path})
    return result
