import time

from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from powerexpress.registry.demo import demo_build, demo_exists, demo_reset


class Command(BaseCommand):
    help = "Build the demo county (deterministic from --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=40_000)
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument(
            "--reset", action="store_true", help="delete existing registry data and users first"
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the demo county exists")
        parser.add_argument(
            "--registry-only",
            action="store_true",
            help="build only the registry, not the capabilities' demo data (<app>_demo commands)",
        )

    def handle(self, *args, households, seed, reset, if_empty, registry_only, **options):
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
            f"{result['villages']} villages, {result['transformers']} transformer districts, {result['staff']} staff."
        )
        self.stdout.write("Demo sign-ins (username / role / station / password):")
        for username, role, station, password in result["logins"]:
            self.stdout.write(f"  {username:<18} {role:<14} {station or '-':<5} {password}")
        if not registry_only:
            for command in app_demo_commands():
                started = time.perf_counter()
                call_command(command, verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr)
                self.stdout.write(f"{command}: {time.perf_counter() - started:.1f} s")


def app_demo_commands() -> list[str]:
    """The capabilities' ``<app label>_demo`` commands, in INSTALLED_APPS order."""
    available = get_commands()
    labels = [config.label for config in apps.get_app_configs() if config.name.startswith("powerexpress.")]
    return [f"{label}_demo" for label in labels if f"{label}_demo" in available]
