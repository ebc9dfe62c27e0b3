"""``remit_task``: django-tasks' ``@task`` plus a retry policy per task."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django_tasks import task


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_seconds: int


_POLICIES: dict[str, RetryPolicy] = {}


def remit_task(*, max_attempts: int | None = None, backoff_seconds: int | None = None,
               **task_options):
    def decorate(func):
        t = task(**task_options)(func)
        _POLICIES[t.module_path] = RetryPolicy(
            max_attempts or settings.REMIT["JOB_MAX_ATTEMPTS"],
            backoff_seconds if backoff_seconds is not None
            else settings.REMIT["JOB_RETRY_BACKOFF_SECONDS"],
        )
        return t

    return decorate


def policy_for(task_path: str) -> RetryPolicy:
    return _POLICIES.get(task_path) or RetryPolicy(
        settings.REMIT["JOB_MAX_ATTEMPTS"], settings.REMIT["JOB_RETRY_BACKOFF_SECONDS"]
    )


def task_for_path(path: str):
    """The task a schedule names; LookupError when the path names no task."""
    from django.utils.module_loading import import_string
    from django_tasks.base import Task

    try:
        found = import_string(path)
    except ImportError:
        raise LookupError(f"{path!r} is not a task remit knows") from None
    if not isinstance(found, Task):
        raise LookupError(f"{path!r} is not a task") from None
    return found
