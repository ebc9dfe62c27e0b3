"""Imports started on the page or through the API run here, in the background worker, so a
big file never holds a web request (or the database's write lock) for long."""

from remit.core.actor import Actor
from remit.jobs.registry import remit_task

from .models import ImportRun
from .pipeline import import_execute


@remit_task(max_attempts=3, backoff_seconds=10)
def import_run_job(run_id: int) -> dict:
    """Carry out (or resume) a run; a retry after a crash resumes at its checkpoint."""
    run = ImportRun.objects.select_related("legal_entity", "created_by").get(pk=run_id)
    if run.is_finished:
        return {"status": run.status}
    actor = Actor(run.created_by, run.channel) if run.created_by else Actor.task("import")
    run = import_execute(run=run, actor=actor)
    return {"status": run.status, "created": run.created, "problems": run.problems}
