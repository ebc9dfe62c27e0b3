from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .registry import remit_task


@remit_task()
def prune_job_history(successful_days: int = 30, failed_days: int = 90) -> dict:
    """Keep the job list readable: drop old successful runs, keep failures longer."""
    now = timezone.now()
    ok, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=now - timedelta(days=successful_days)).delete()
    failed, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED,
        finished_at__lt=now - timedelta(days=failed_days)).delete()
    return {"successful_deleted": ok, "failed_deleted": failed}
