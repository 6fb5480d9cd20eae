import time

from django.core.management.base import BaseCommand, CommandError

from powerexpress.lineloss.demo import lineloss_demo_build


class Command(BaseCommand):
    help = (
        "Give the demo county line loss: district-meter energy, households' kWh with 3-5 % technical "
        "loss, a few high-loss districts and mis-registered households; compute 13 months."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261127)

    def handle(self, *args, seed, **options):
        from powerexpress.grid.models import Partition

        if not Partition.objects.exists():
            raise CommandError("Load the grid demo first: powerexpress grid_demo")
        started = time.perf_counter()
        result = lineloss_demo_build(seed=seed)
        self.stdout.write(
            f"Line-loss demo in {time.perf_counter() - started:.1f} s: {result['months']} months, "
            f"{result['figures']} district figures, {result['high_loss']} high-loss districts, "
            f"{result['misregistered']} mis-registered households, {result['suspects']} suspected."
        )
