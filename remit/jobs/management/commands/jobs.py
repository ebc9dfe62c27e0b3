"""``remit jobs``: see background jobs and schedules, retry a failed job."""

from typing import Annotated

import typer
from django.core.management.base import CommandError
from django.utils.timezone import localtime
from django_typer.management import TyperCommand, command
from rich.console import Console
from rich.table import Table

from remit.core.actor import Actor
from remit.core.exceptions import DomainError
from remit.jobs.selectors import jobs_recent, schedules_all
from remit.jobs.services import job_retry


class Command(TyperCommand):
    help = "List background jobs and schedules; retry a job that failed."

    @command(name="list", help="Recent jobs with their status, attempts and last error.")
    def list_jobs(self, failed: Annotated[bool, typer.Option(help="Only failed jobs.")] = False,
                  limit: Annotated[int, typer.Option(help="How many to show.")] = 30):
        table = Table("task", "status", "attempts", "enqueued", "error")
        table.add_column("id", no_wrap=True)
        for r in jobs_recent(status="FAILED" if failed else None, limit=limit):
            table.add_row(r.short_name, r.status, f"{r.attempts}/{r.max_attempts}",
                          f"{localtime(r.enqueued_at):%Y-%m-%d %H:%M}", r.exception_class_path,
                          str(r.id))
        Console().print(table)
        _warn_without_worker()

    @command(help="Scheduled jobs and when they run next.")
    def schedules(self):
        table = Table("name", "task", "cadence", "enabled", "next run", "last enqueued")
        for s in schedules_all():
            table.add_row(s.name, s.task_path, s.cadence, "yes" if s.enabled else "no",
                          f"{localtime(s.next_run_at):%Y-%m-%d %H:%M}",
                          f"{localtime(s.last_enqueued_at):%Y-%m-%d %H:%M}"
                          if s.last_enqueued_at else "")
        Console().print(table)

    @command(help="Whether a background worker is running (exit code 1 when none is).")
    def status(self):
        from django.utils import timezone

        from remit.jobs.selectors import worker_status

        state = worker_status(now=timezone.now())
        console = Console()
        for w in state["workers"]:
            console.print(f"[green]running[/green]: worker on {w.host}, pid {w.pid}, since "
                          f"{localtime(w.started_at):%Y-%m-%d %H:%M}, seen "
                          f"{localtime(w.seen_at):%H:%M:%S}"
                          + (f"; last waited out: {w.last_error}" if w.last_error else ""))
        if not state["running"]:
            seen = (f"last seen {localtime(state['last_seen']):%Y-%m-%d %H:%M}"
                    if state["last_seen"] else "never seen")
            raise CommandError(f"no background worker is running ({seen}): scheduled jobs "
                               "and queued imports wait. Start `remit serve` (SQLite) or "
                               "`remit worker`.")

    @command(help="Put a failed job back in the queue.")
    def retry(self, job_id: Annotated[str, typer.Argument(help="The job's id (see list).")]):
        try:
            job_retry(result_id=job_id, actor=Actor.cli())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"job {job_id} queued again")


def _warn_without_worker() -> None:
    from django.utils import timezone

    from remit.jobs.selectors import worker_status

    if not worker_status(now=timezone.now())["running"]:
        Console(stderr=True).print("[yellow]No background worker is running[/yellow]: these "
                                   "jobs wait (see `remit jobs status`).")
