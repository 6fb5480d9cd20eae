"""Command-centre demo data: the default KPI registry, and last month frozen with its reports.

The auto-debit path the scoreboard draws (Xindian and Zhujiachang from under 20 % to about
50 % against 80 %) is billing's demo: agreements carry their signing dates from 2025 to
October 2026, so no extra history is needed here.
"""

import datetime

from django.utils import timezone

from powerexpress.command.models import Kpi, ScoreMonth
from powerexpress.command.selectors import month_back
from powerexpress.command.services import kpi_registry_seed, monthly_reports_create, score_month_freeze


def command_demo_exists() -> bool:
    return Kpi.objects.exists() or ScoreMonth.objects.exists()


def command_demo_build(*, today: datetime.date | None = None) -> dict:
    kpis = kpi_registry_seed()
    month = month_back((today or timezone.localdate()).replace(day=1), 1)
    score_month = score_month_freeze(month=month)
    reports = monthly_reports_create(score_month=score_month)
    return {"kpis": kpis, "month": f"{month:%Y-%m}", "reports": len(reports)}
