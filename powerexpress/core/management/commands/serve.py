"""``powerexpress serve``: the production processes in one command — gunicorn, a Celery worker and
Celery beat (the same three lines as the Procfile) — started together and stopped together."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_GRACE_SECONDS = 30


def celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "powerexpress.celery_app", *args]


class Command(BaseCommand):
    help = "Run gunicorn, a Celery worker and Celery beat together; Ctrl-C (or SIGTERM) stops all three."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.SERVE_BIND)
        parser.add_argument("--workers", type=int, default=settings.WEB_CONCURRENCY)
        parser.add_argument("--worker-concurrency", type=int, default=settings.WORKER_CONCURRENCY)

    def children(self, options) -> dict[str, list[str]]:
        return {
            "web": [
                sys.executable, "-m", "gunicorn", "powerexpress.wsgi", "--bind", options["bind"],
                "--workers", str(options["workers"]), "--timeout", "60", "--access-logfile", "-",
            ],
            "worker": celery("worker", "--loglevel", "INFO", "--concurrency", str(options["worker_concurrency"])),
            "beat": celery("beat", "--loglevel", "INFO"),
        }  # fmt: skip

    def handle(self, *args, **options):
        processes: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, command in self.children(options).items():
                self.stdout.write(f"{name}: {' '.join(command[1:])}")
                # Own process group: Ctrl-C in the terminal reaches this command only, which then stops
                # each child in order (the web server first, beat last).
                processes[name] = subprocess.Popen(command, start_new_session=True)
            failed = None
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        failed = (name, process.returncode)
                        stopping = True
                        break
                time.sleep(0.5)
        finally:
            self._stop_all(processes)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed:
            raise CommandError(f"{failed[0]} exited with code {failed[1]}; stopped the others")
        self.stdout.write("stopped")

    def _stop_all(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
