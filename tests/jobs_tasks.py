"""Tasks used by the job tests (module-level, as django-tasks requires)."""

from remit.jobs.registry import remit_task


@remit_task(max_attempts=3, backoff_seconds=0, takes_context=True)
def flaky(context, fail_until: int) -> str:
    if context.attempt < fail_until:
        raise ConnectionError(f"attempt {context.attempt}: the mail server went away")
    return f"done on attempt {context.attempt}"


@remit_task(max_attempts=2, backoff_seconds=0)
def broken() -> None:
    raise ValueError("this job always fails")


@remit_task(max_attempts=3, backoff_seconds=600)
def slow_to_retry() -> None:
    raise ValueError("fails; the next attempt waits ten minutes")
