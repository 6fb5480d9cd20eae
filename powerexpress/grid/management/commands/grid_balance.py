import datetime as dt
import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from powerexpress.accounts.models import User
from powerexpress.analytics import balancing
from powerexpress.grid.services import phase_plan_create
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
            self._from_json(json.loads(options["json"].read_text()))
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
                    },
                    ensure_ascii=False,
                )
            )
        else:
            raise CommandError("Give --json FILE, or --transformer with --start and --end.")

    def _from_json(self, body: dict) -> None:
        names = sorted(body["profiles"])
        profiles = np.array([body["profiles"][n] for n in names], dtype=float)
        phases = np.array(["ABC".index(body["phases"][n]) for n in names])
        fixed = np.array([n in set(body.get("fixed", [])) for n in names])
        result = balancing.balance_phases(profiles, phases, int(body["max_moves"]), fixed)
        self.stdout.write(
            json.dumps(
                {
                    "moves": [
                        {"household": names[i], "from": "ABC"[a], "to": "ABC"[b]} for i, a, b in result.moves
                    ],
                    "peak_phase_kw_before": result.peak_before_kw,
                    "peak_phase_kw_after": result.peak_after_kw,
                    "unbalance_before": result.unbalance_before,
                    "unbalance_after": result.unbalance_after,
                    "optimal": result.optimal,
                    "solver": result.solver,
                }
            )
        )
