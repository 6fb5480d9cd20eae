import time

from django.core.management.base import BaseCommand

from powerexpress.command.demo import command_demo_build, command_demo_exists


class Command(BaseCommand):
    help = "Load the command centre's demo data: the default KPIs, last month frozen and its reports."

    def handle(self, *args, **options):
        if command_demo_exists():
            self.stdout.write("The command centre demo data is already loaded.")
            return
        started = time.perf_counter()
        result = command_demo_build()
        self.stdout.write(
            f"Command centre demo loaded in {time.perf_counter() - started:.1f} s: {result['kpis']} KPIs, "
            f"{result['month']} frozen, {result['reports']} reports."
        )
