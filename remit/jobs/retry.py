"""Putting a failed job back in the queue, until its attempts are used up."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .registry import policy_for
from .rules import retry_delay

logger = logging.getLogger("remit.jobs")


def retry_failed_task(sender, task_result, **kwargs) -> None:
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return
    policy = policy_for(db_result.task_path)
    attempts = len(db_result.worker_ids)
    if attempts >= policy.max_attempts:
        logger.error("job %s (%s) failed for good after %d attempts", db_result.id,
                     db_result.task_path, attempts)
        return
    run_after = timezone.now() + retry_delay(attempts, policy.backoff_seconds)
    # The last error stays on the row (traceback, exception class) while it waits.
    DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=run_after, finished_at=None)
    logger.warning("job %s (%s) failed on attempt %d of %d; retrying after %s", db_result.id,
                   db_result.task_path, attempts, policy.max_attempts, run_after)
