import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from powerexpress.accounts.models import User
from powerexpress.core.errors import ApiError
from powerexpress.grid.services import phase_balance, phase_plan_create
from powerexpress.registry.models import TransformerDistrict


class Command(BaseCommand):
    help = (
        "Phase-balancing plan: from a JSON file shaped like the API body (profiles, phases, max_moves, "
        "fixed), or for a district from its household interval data (--transformer, --start, --end)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", type=Path)
        parser.add_argument("--transformer")
        parser.add_argument("--start", type=dt.date.fromisoformat)
        parser.add_argument("--end", type=dt.date.fromisoformat)
        parser.add_argument("--max-moves", type=int, default=3)
        parser.add_argument("--user", default="manager")

    def handle(self, *args, **options):
        if options["json"]:
            self._from_json(options["json"])
        elif options["transformer"] and options["start"] and options["end"]:
            transformer = TransformerDistrict.objects.filter(code=options["transformer"]).first()
            user = User.objects.filter(username=options["user"]).first()
            if transformer is None or user is None:
                raise CommandError("Unknown transformer or user.")
            plan = phase_plan_create(
                user=user,
                transformer=transformer,
                max_moves=options["max_moves"],
                start=options["start"],
                end=options["end"],
            )
            self.stdout.write(
                json.dumps(
                    {
                        "plan": plan.pk,
                        "moves": plan.moves,
                        "peak_phase_kw_before": str(plan.peak_phase_kw_before),
                        "peak_phase_kw_after": str(plan.peak_phase_kw_after),
                        "optimal": plan.optimal,
                        "solver": plan.solver,
                        "stopped_early": plan.stopped_early,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            raise CommandError("Give --json FILE, or --transformer with --start and --end.")

    def _from_json(self, path: Path) -> None:
        """The API's service on the file's body: the same validation, the same answer."""
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        if not isinstance(body, dict):
            raise CommandError(f"{path}: the file must hold a JSON object.")
        try:
            answer = phase_balance(
                profiles=body.get("profiles"),
                phases=body.get("phases"),
                max_moves=body.get("max_moves"),
                fixed=body.get("fixed", []),
            )
        except ApiError as exc:
            details = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors or [])
            raise CommandError(f"{exc.message} {details}".strip()) from None
        self.stdout.write(json.dumps(answer, ensure_ascii=False))
