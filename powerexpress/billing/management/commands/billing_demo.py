"""``powerexpress billing_demo``: billing demo data on the demo county (idempotent)."""

import time

from django.core.management.base import BaseCommand, CommandError

from powerexpress.billing.demo import billing_demo_build, billing_demo_exists
from powerexpress.registry.models import Customer


class Command(BaseCommand):
    help = "Auto-debit agreements (XD 700 → 3,700, ZJC 1,100 → 4,000), readings, bills and debit files."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261127)

    def handle(self, *args, seed, **options):
        if not Customer.objects.exists():
            raise CommandError("Load the demo county first: powerexpress demo")
        if billing_demo_exists():
            self.stdout.write("Billing demo data is already loaded.")
            return
        started = time.perf_counter()
        billing_demo_build(seed=seed, report=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(f"Billing demo loaded in {time.perf_counter() - started:.1f} s.")
