from decimal import Decimal

from django.core.management.base import BaseCommand
from django.utils import timezone

from powerexpress.analytics import forecast
from powerexpress.grid.selectors import daily_peaks
from powerexpress.grid.services import forecast_run


class Command(BaseCommand):
    help = "Forecast the Spring Festival peak per district and print the backtest on the last festival."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=None, help="festival year (default: the next festival)"
        )
        parser.add_argument("--growth", type=Decimal, default=None)
        parser.add_argument("--returnee", type=Decimal, default=None)

    def handle(self, *args, year, growth, returnee, **options):
        year = year or forecast.next_festival_year(timezone.localdate())
        count = forecast_run(user=None, festival_year=year, growth=growth, returnee=returnee)
        self.stdout.write(f"{count} districts forecast for the {year} festival.")
        daily = daily_peaks()
        if daily is not None:
            scores = forecast.backtest(daily, year - 1)
            self.stdout.write(f"Backtest on {year - 1}: {scores}")
