from django.db.models import QuerySet
from django_tasks_db.models import DBTaskResult

from .models import Schedule
from .registry import policy_for


def jobs_recent(*, status: str | None = None, limit: int = 100) -> list[DBTaskResult]:
    qs: QuerySet = DBTaskResult.objects.order_by("-enqueued_at")
    if status:
        qs = qs.filter(status=status)
    results = list(qs[:limit])
    for r in results:
        r.attempts = len(r.worker_ids)
        r.max_attempts = policy_for(r.task_path).max_attempts
        r.short_name = r.task_path.rsplit(".", 1)[-1]
    return results


def schedules_all() -> QuerySet[Schedule]:
    return Schedule.objects.order_by("next_run_at")


def worker_status(*, now, stale_after_seconds: int = 120) -> dict:
    """Whether background jobs are being run: the workers seen within ``stale_after_seconds``
    and, when none is, when one was last seen (None: never)."""
    from datetime import timedelta

    from .models import WorkerBeat

    fresh = list(WorkerBeat.objects.filter(
        seen_at__gte=now - timedelta(seconds=stale_after_seconds)))
    last = WorkerBeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return {"running": bool(fresh), "workers": fresh, "last_seen": last}
