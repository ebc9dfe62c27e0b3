"""``remit serve``: the web app under gunicorn (a real server, not runserver).

On the embedded default (SQLite) the background worker runs beside it as a child process, so
one command gives a complete remit; against PostgreSQL run ``remit worker`` separately (as many
as you like) or pass ``--with-worker``.
"""

import atexit
import subprocess
import sys

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
            child = subprocess.Popen([sys.executable, "-m", "remit.cli", "worker", "-v", "0"])
            atexit.register(_stop, child)
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


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
