import time

from django.core.management.base import BaseCommand, CommandError

from powerexpress.outreach.demo import outreach_demo_build, outreach_demo_exists, outreach_demo_reset


class Command(BaseCommand):
    help = "Load the outreach programme's demo data onto the demo county (deterministic from --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--reset", action="store_true", help="delete existing outreach data first")

    def handle(self, *args, seed, reset, **options):
        if outreach_demo_exists():
            if not reset:
                self.stdout.write("The outreach demo data is already loaded (add --reset to rebuild it).")
                return
            outreach_demo_reset()
        started = time.perf_counter()
        try:
            counts = outreach_demo_build(seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Outreach demo loaded in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items())
        )
