from django.core.management.base import BaseCommand

from powerexpress.accounts.models import User
from powerexpress.registry.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo sign-ins, one per role."

    def handle(self, *args, **options):
        self.stdout.write("")
        self.stdout.write("Power Express demo: open http://127.0.0.1:8000/ and sign in as")
        for user in User.objects.select_related("station").order_by("id"):
            station = user.station.code if user.station else "-"
            self.stdout.write(
                f"  {user.username:<18} role={user.role:<14} station={station:<5} password={DEMO_PASSWORD}"
            )
        self.stdout.write("")
