from django.core.management.base import BaseCommand

from powerexpress.repair.demo import repair_demo_build, repair_demo_exists, repair_demo_reset


class Command(BaseCommand):
    help = "Create demo fault tickets (30 days per station, open ones, outages) on the demo county."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--reset", action="store_true", help="delete the demo tickets first and rebuild")

    def handle(self, *args, seed, days, reset, **options):
        if repair_demo_exists():
            if not reset:
                self.stdout.write("Demo fault tickets are already loaded (add --reset to rebuild).")
                return
            repair_demo_reset()
        result = repair_demo_build(seed=seed, days=days)
        self.stdout.write(f"Demo fault repair: {result['tickets']} tickets, {result['outages']} outages.")
