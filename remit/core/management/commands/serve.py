"""``remit serve``: the web app under gunicorn (a real server, not runserver).

On the embedded default (SQLite) the background worker runs beside it as a child process, so
one command gives a complete remit; against PostgreSQL run ``remit worker`` separately (as many
as you like) or pass ``--with-worker``.
"""

import atexit
import logging
import os
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from remit.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve the web app and API with gunicorn (and run background jobs on SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Web processes (default 2).")
        parser.add_argument("--threads", type=int, default=4, help="Threads per process.")
        worker = parser.add_mutually_exclusive_group()
        worker.add_argument("--with-worker", dest="run_worker", action="store_true",
                            default=None, help="Also run background jobs in a child process.")
        worker.add_argument("--no-worker", dest="run_worker", action="store_false",
                            help="Do not run background jobs here.")

    def handle(self, *, host, port, workers, threads, run_worker, **options):
        if run_worker is None:
            run_worker = settings.REMIT["SERVE_RUNS_WORKER"]
        if run_worker:
            keeper = WorkerKeeper([sys.executable, "-m", "remit.cli", "worker", "-v", "0"])
            keeper.start()
            atexit.register(keeper.stop)
        _Gunicorn({
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "warning",
            "timeout": 120,
        }).run()


logger = logging.getLogger("remit.serve")


class WorkerKeeper:
    """Runs the background worker as a child process and starts it again when it exits —
    killed, out of memory, crashed — waiting 1 s, doubling to a minute while it keeps
    failing within a minute of starting. Without it a worker that died left scheduled jobs
    (the nightly ledger check among them) silently stopped until someone restarted remit."""

    def __init__(self, command: list[str], *, max_wait: float = 60):
        self.command = command
        self.max_wait = max_wait
        self.child: subprocess.Popen | None = None
        self.restarts = 0
        self._owner = os.getpid()  # gunicorn forks web workers that inherit the atexit hook
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._keep, name="remit-worker-keeper",
                                        daemon=True)

    def start(self) -> None:
        self.child = subprocess.Popen(self.command)
        self._thread.start()

    def _keep(self) -> None:
        wait = 1
        while not self._stopping.is_set():
            started = time.monotonic()
            code = self.child.wait()
            if self._stopping.is_set() or code == 0:
                return  # 0: it was told to stop (SIGTERM, Ctrl+C) — remit is shutting down
            wait = 1 if time.monotonic() - started > 60 else min(wait * 2, self.max_wait)
            logger.error("remit: the background worker exited (code %s); starting it again "
                         "in %.0f s", code, wait)
            if self._stopping.wait(wait):
                return
            self.restarts += 1
            self.child = subprocess.Popen(self.command)
            if self._stopping.is_set():  # stop() came while it started
                _stop(self.child)

    def stop(self) -> None:
        if os.getpid() != self._owner:
            return  # a forked web worker exiting: the background worker is not its to stop
        self._stopping.set()
        if self.child is not None:
            _stop(self.child)


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
