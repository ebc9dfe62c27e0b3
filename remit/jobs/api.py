from datetime import datetime

from ninja import Router, Schema

from remit.api_auth import Rule
from remit.api_paging import limit_query
from remit.core.actor import Actor

from .selectors import jobs_recent, schedules_all
from .services import job_retry

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: str
    task_path: str
    status: str
    attempts: int
    max_attempts: int
    enqueued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    run_after: datetime
    exception_class_path: str
    traceback: str


class ScheduleOut(Schema):
    name: str
    task_path: str
    cadence: str
    enabled: bool
    next_run_at: datetime
    last_enqueued_at: datetime | None


@router.get("/", response=list[JobOut], auth=Rule("jobs.view_schedule", needs_entity=False))
def jobs(request, status: str | None = None, limit: int = limit_query()):
    """Recent background jobs, newest first; a failed one shows its last error."""
    return [dict(r.__dict__, id=str(r.id)) for r in jobs_recent(status=status, limit=limit)]


@router.get("/schedules", response=list[ScheduleOut],
            auth=Rule("jobs.view_schedule", needs_entity=False))
def schedules(request):
    return schedules_all()


@router.post("/{job_id}/retry", response=JobOut, auth=Rule("jobs.run_job", needs_entity=False))
def retry(request, job_id: str):
    r = job_retry(result_id=job_id, actor=Actor.api(request.user))
    return dict(jobs_recent_one(r), id=str(r.id))


def jobs_recent_one(result):
    from .registry import policy_for

    return dict(result.__dict__, attempts=len(result.worker_ids),
                max_attempts=policy_for(result.task_path).max_attempts)
