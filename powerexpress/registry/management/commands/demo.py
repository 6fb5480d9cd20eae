import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from powerexpress.registry.demo import demo_build, demo_exists, demo_reset


class Command(BaseCommand):
    help = "Build the demo county (deterministic from --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=40_000)
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--reset", action="store_true", help="delete existing registry data and users first")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the demo county exists")

    def handle(self, *args, households, seed, reset, if_empty, **options):
        if households < 100:
            raise CommandError("--households must be at least 100")
        if demo_exists():
            if if_empty:
                self.stdout.write("The demo county is already loaded.")
                return
            if not reset:
                raise CommandError("The demo county is already loaded: add --reset to rebuild it.")
            demo_reset()
        started = time.perf_counter()
        with tqdm(total=households, unit="household", disable=options["verbosity"] == 0) as bar:
            def progress(stage: str, done: int) -> None:
                bar.set_description(stage)
                bar.n = done
                bar.refresh()

            result = demo_build(households=households, seed=seed, progress=progress)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Demo county loaded in {seconds:.1f} s: {result['households']} households, "
            f"{result['villages']} villages, {result['transformers']} transformer districts, {result['staff']} staff.")
        self.stdout.write("Demo sign-ins (username / role / station / password):")
        for username, role, station, password in result["logins"]:
            self.stdout.write(f"  {username:<18} {role:<14} {station or '-':<5} {password}")
