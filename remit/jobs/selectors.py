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
