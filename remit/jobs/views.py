from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from remit.core.access import page
from remit.core.actor import Actor
from remit.core.exceptions import DomainError

from .selectors import jobs_recent, schedules_all, worker_status
from .services import job_retry


@page("jobs.view_schedule", needs_entity=False)
def jobs(request):
    status = request.GET.get("status") or None
    return render(request, "jobs/jobs.html", {
        "jobs": jobs_recent(status=status), "schedules": schedules_all(), "status": status,
        "worker": worker_status(now=timezone.now())})


@require_POST
@page("jobs.run_job", needs_entity=False)
def retry(request, job_id: str):
    try:
        job_retry(result_id=job_id, actor=Actor.web(request.user))
        messages.success(request, "The job is queued again.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("jobs")
