"""Reads of the scoring board and the report archive, within the user's scope."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from powerexpress.command.choices import ReportStatus
from powerexpress.command.models import Kpi, MonthlyReport, Score, ScoreMonth
from powerexpress.command.scoring import month_results
from powerexpress.command.selectors import month_back
from powerexpress.core.scope import visible
from powerexpress.registry.models import SupplyStation


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    return month_back((today or timezone.localdate()).replace(day=1), 1)


def parse_month(text: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


def kpis_all():
    return Kpi.objects.order_by("code")


def month_scores(
    user, month: datetime.date, *, with_items: bool = True, station_code: str = ""
) -> tuple[list[dict], bool]:
    """The month's score rows for the stations the user may see (or one station of them), and
    whether they are frozen. Before the freeze the rows are computed on the fly (provisional, not
    stored). ``with_items=False`` leaves out the items behind each score (empty lists): the
    ranking reads only the points, and the items grow with the county."""
    score_month = ScoreMonth.objects.filter(month=month).first()
    if score_month is not None:
        scores = visible(user, Score.objects.filter(score_month=score_month).select_related("station"))
        if station_code:
            scores = scores.filter(station__code=station_code)
        if not with_items:
            return [_row(score, items=[]) for score in scores.defer("items")], True
        return [_row(score) for score in scores], True
    stations = list(visible(user, SupplyStation.objects.order_by("code")))
    kpis = list(Kpi.objects.filter(active=True).order_by("code"))
    return month_results(kpis, stations, month), False


def _row(score: Score, items: list | None = None) -> dict:
    return {
        "station": score.station,
        "responsible": score.responsible,
        "kpi_code": score.kpi_code,
        "kpi_name": score.kpi_name,
        "value": score.value,
        "target": score.target,
        "weight_points": score.weight_points,
        "deducted_points": score.deducted_points,
        "score_points": score.score_points,
        "items": score.items if items is None else items,
    }


def ranking(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Stations and responsible persons by total score, best first."""
    totals: dict[tuple, dict] = {}
    for row in rows:
        key = (row["station"].code, row["responsible"])
        entry = totals.setdefault(
            key,
            {
                "station": row["station"],
                "responsible": row["responsible"],
                "score": Decimal(0),
                "deducted": Decimal(0),
            },
        )
        entry["score"] += row["score_points"]
        entry["deducted"] += row["deducted_points"]
    ordered = sorted(totals.values(), key=lambda e: (-e["score"], e["station"].code, e["responsible"]))
    stations = [e for e in ordered if not e["responsible"]]
    people = [e for e in ordered if e["responsible"]]
    for rank, entry in enumerate(stations, start=1):
        entry["rank"] = rank
    for rank, entry in enumerate(people, start=1):
        entry["rank"] = rank
    return stations, people


def score_detail(rows: list[dict], station_code: str, person: str) -> list[dict]:
    return [r for r in rows if r["station"].code == station_code and r["responsible"] == person]


def reports_visible(user):
    return visible(user, MonthlyReport.objects.select_related("score_month", "station"))


def reports_by_month(user) -> list[tuple]:
    grouped = defaultdict(list)
    for report in reports_visible(user).filter(status__in=[ReportStatus.READY, ReportStatus.FAILED]):
        grouped[report.score_month.month].append(report)
    return sorted(grouped.items(), reverse=True)
