from django.core.management.base import BaseCommand

from powerexpress.applications.demo import applications_demo_build


class Command(BaseCommand):
    help = "Add demo service applications to the demo county (idempotent, deterministic from --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--count", type=int, default=120)

    def handle(self, *args, seed, count, **options):
        created = applications_demo_build(seed=seed, count=count)
        self.stdout.write(
            f"{created} demo applications created."
            if created
            else "Demo applications already exist (or no villages yet)."
        )
