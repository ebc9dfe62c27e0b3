"""``remit worker``: runs scheduled and queued background jobs until stopped.

It keeps running through a database it cannot use for a while — SQLite locked by a long
import, PostgreSQL restarting — waiting with backoff (2 s doubling to a minute) instead of
crashing, and says it is alive (``jobs.WorkerBeat``) so that the home page and
``remit jobs status`` can tell when no worker runs."""

import logging
import os
import signal
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from remit.jobs.models import WorkerBeat
from remit.jobs.services import jobs_fail_abandoned, schedules_enqueue_due

logger = logging.getLogger("remit.worker")
BEAT_EVERY = timedelta(seconds=15)
MAX_BACKOFF = 60  # seconds


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
        self.worker_id = get_random_string(32)
        self.started_at = timezone.now()
        self.error = ""
        timeout = timedelta(seconds=settings.REMIT["JOB_TIMEOUT_SECONDS"])
        failures = 0
        if not once:  # a thread of its own: a long job must not make the worker look dead
            self.beating = threading.Event()
            self.beat = threading.Thread(target=self._beat_loop, name="remit-worker-beat",
                                         daemon=True)
            self.beat.start()
        try:
            while self.running:
                try:
                    self._round(queue, timeout, verbosity)
                    failures = 0
                except DatabaseError as exc:
                    if once:
                        raise
                    failures += 1
                    wait = min(interval * 2 ** min(failures, 6), MAX_BACKOFF)
                    self.error = f"{timezone.now():%Y-%m-%d %H:%M:%S}: {exc}"
                    logger.warning("remit worker: the database could not be used (%s); "
                                   "trying again in %.0f s", exc, wait)
                    connections.close_all()  # a broken connection is opened afresh
                    self._sleep(wait)
                    continue
                if once:
                    break
                self._sleep(interval)
        finally:
            if not once:
                self.beating.set()
                self.beat.join(timeout=30)  # its last write lands before the row goes
                try:
                    WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
                except DatabaseError:
                    pass  # it goes stale by itself

    def _round(self, queue: str, timeout: timedelta, verbosity: int) -> None:
        lost = jobs_fail_abandoned(now=timezone.now(), timeout=timeout)
        if lost and verbosity:
            self.stdout.write(f"{lost} abandoned job(s) marked failed")
        names = schedules_enqueue_due(now=timezone.now())
        if names and verbosity:
            self.stdout.write(f"enqueued scheduled: {', '.join(names)}")
        self.worker = Worker(queue_names=queue.split(","), interval=0, batch=True,
                             backend_name="default", startup_delay=False, max_tasks=None,
                             worker_id=self.worker_id, excluded_queue_names=[])
        self.worker.run()

    def _beat_loop(self) -> None:
        """Every BEAT_EVERY, on its own connection, until the worker stops."""
        try:
            while not self.beating.is_set():
                try:
                    WorkerBeat.objects.update_or_create(worker_id=self.worker_id, defaults={
                        "host": socket.gethostname()[:255], "pid": os.getpid(),
                        "started_at": self.started_at, "seen_at": timezone.now(),
                        "last_error": self.error})
                except DatabaseError as exc:  # the main loop reports and waits it out
                    logger.debug("remit worker: no heartbeat this time (%s)", exc)
                    connections.close_all()
                self.beating.wait(BEAT_EVERY.total_seconds())
        finally:
            connections.close_all()

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while self.running and time.monotonic() < end:
            time.sleep(max(0, min(1, end - time.monotonic())))

    def _stop(self, signum, frame):
        self.running = False
        if self.worker is not None:
            self.worker.running = False
