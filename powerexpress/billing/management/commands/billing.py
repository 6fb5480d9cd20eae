"""``powerexpress billing run --station CODE --month YYYY-MM``: the monthly billing run."""

import time

from django.core.management.base import BaseCommand, CommandError

from powerexpress.billing.choices import RunStatus
from powerexpress.billing.models import BillingRun
from powerexpress.billing.services import billing_run_start, month_parse
from powerexpress.core.errors import ApiError
from powerexpress.registry.models import SupplyStation


class Command(BaseCommand):
    help = "Billing jobs. `billing run --station XD --month 2026-10` bills a station's month."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        run = commands.add_parser("run", help="Bill every household of a station for a month (idempotent).")
        run.add_argument("--station", required=True, help="Station code, e.g. XD")
        run.add_argument("--month", required=True, help="Month as YYYY-MM")

    def handle(self, *args, **options):
        try:
            station = SupplyStation.objects.get(code=options["station"])
        except SupplyStation.DoesNotExist as exc:
            raise CommandError(f"No station with code {options['station']}.") from exc
        try:
            run = billing_run_start(user=None, station=station, month=month_parse(options["month"]))
        except ApiError as exc:
            raise CommandError(str(exc.errors or exc.message)) from exc
        while run.status == RunStatus.RUNNING:
            self.stdout.write(f"\r{run.processed_count}/{run.total_count} households", ending="")
            time.sleep(0.5)
            run = BillingRun.objects.get(pk=run.pk)
        self.stdout.write(
            f"\nRun {run.pk} {station.code} {run.month:%Y-%m}: {run.bills_created} bills, "
            f"{run.adjustments_created} adjustments, {run.held_count} held readings, "
            f"{run.missing_count} households without a reading."
        )
