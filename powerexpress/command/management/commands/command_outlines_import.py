from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from powerexpress.command.services import map_outlines_import
from powerexpress.core.errors import ApiError


class Command(BaseCommand):
    help = "Replace the power map's township/village outlines with a GeoJSON FeatureCollection (WGS-84)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            count = map_outlines_import(content=file.read_bytes())
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ApiError as exc:
            raise CommandError("; ".join(e["message"] for e in exc.errors or []) or str(exc.message)) from exc
        self.stdout.write(f"{count} outlines imported.")
