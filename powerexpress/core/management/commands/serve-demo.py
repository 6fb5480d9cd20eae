"""``powerexpress serve-demo``: the demo's web server with its background jobs — Django's server and
one Celery worker with embedded beat, on the embedded filesystem broker unless CELERY_BROKER_URL is
set — so repair escalations (every minute) and the 08:00 digests really happen. Ctrl-C stops all."""

import sys

from powerexpress.core.management.commands.serve import Command as ServeCommand
from powerexpress.core.management.commands.serve import celery


class Command(ServeCommand):
    help = "Run the demo web server and a Celery worker with beat together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def children(self, options) -> dict[str, list[str]]:
        return {
            "web": [sys.executable, "-m", "powerexpress.manage", "runserver", options["bind"], "--noreload"],
            # Threads, not processes: light on a laptop; beat inside the worker (one process to stop).
            "worker": celery(
                "worker", "--beat", "--pool", "threads", "--concurrency", "2", "--loglevel", "INFO"
            ),
        }
