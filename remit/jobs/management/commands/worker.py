"""``remit worker``: runs scheduled and queued background jobs until stopped."""

import signal
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from remit.jobs.services import jobs_fail_abandoned, schedules_enqueue_due


class Command(BaseCommand):
    help = ("Run background jobs: enqueue scheduled jobs when they are due and run queued jobs "
            "as they arrive (any number of workers may run against PostgreSQL).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Enqueue due schedules, run every ready job, then exit.")
        parser.add_argument("--interval", type=float, default=2.0,
                            help="Seconds to wait when there is nothing to do (default 2).")
        parser.add_argument("--queue", default="*",
                            help="Queue names to work on, comma-separated ('*' for all).")

    def handle(self, *, once: bool, interval: float, queue: str, verbosity: int, **options):
        self.running = True
        self.worker = None
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            if verbosity:
                self.stdout.write(f"remit worker: queues {queue}, polling every {interval}s")
        worker_id = get_random_string(32)
        timeout = timedelta(seconds=settings.REMIT["JOB_TIMEOUT_SECONDS"])
        while self.running:
            lost = jobs_fail_abandoned(now=timezone.now(), timeout=timeout)
            if lost and verbosity:
                self.stdout.write(f"{lost} abandoned job(s) marked failed")
            names = schedules_enqueue_due(now=timezone.now())
            if names and verbosity:
                self.stdout.write(f"enqueued scheduled: {', '.join(names)}")
            self.worker = Worker(queue_names=queue.split(","), interval=0, batch=True,
                                 backend_name="default", startup_delay=False, max_tasks=None,
                                 worker_id=worker_id, excluded_queue_names=[])
            self.worker.run()
            if once:
                break
            time.sleep(interval)

    def _stop(self, signum, frame):
        self.running = False
        if self.worker is not None:
            self.worker.running = False
