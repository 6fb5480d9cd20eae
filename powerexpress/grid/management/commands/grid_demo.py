import time

from django.core.management.base import BaseCommand, CommandError

from powerexpress.grid.demo import grid_demo_build
from powerexpress.registry.models import TransformerDistrict


class Command(BaseCommand):
    help = (
        "Generate two years of synthetic 15-minute interval data for the demo county, detect events "
        "and forecast the next Spring Festival (deterministic from --seed; replaces earlier grid data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when grid data exists")

    def handle(self, *args, seed, months, if_empty, **options):
        from powerexpress.grid.models import Partition

        if not TransformerDistrict.objects.exists():
            raise CommandError("Load the demo county first: powerexpress demo")
        if if_empty and Partition.objects.exists():
            self.stdout.write("Grid data is already loaded.")
            return
        started = time.perf_counter()

        def progress(station, month):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {station} {month:%Y-%m}")

        result = grid_demo_build(seed=seed, months=months, progress=progress)
        self.stdout.write(
            f"Grid demo in {time.perf_counter() - started:.1f} s: {result['transformers']} districts, "
            f"{result['readings']:,} transformer readings (15 min, {result['from']} to {result['to']}), "
            f"{result['household_readings']:,} household readings, {result['events']:,} events, "
            f"{result['forecasts']} forecasts for the {result['festival_year']} festival "
            f"({result['busy']} surging districts)."
        )
