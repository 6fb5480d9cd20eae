"""Monthly scores from the KPI registry: each KPI's value for a station (or for one responsible
person's villages), the points it costs and the items behind the cost.

``deduction`` is the rule: each unit short of the target (a percentage point, a rating point,
a hazard) costs ``deduction_per_unit`` points, never more than the KPI's weight; a KPI with no
data that month costs nothing (and says so).
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from powerexpress.command.choices import Direction, KpiFormula
from powerexpress.command.selectors import DEFAULT_RESTORE_MIN, month_bounds, ticket_outcome
from powerexpress.registry.models import Customer

CENT = Decimal("0.01")


def deduction(
    *, value: Decimal | None, target: Decimal, direction: str, weight: Decimal, per_unit: Decimal
) -> Decimal:
    if value is None:
        return Decimal(0)
    short = target - value if direction == Direction.HIGHER else value - target
    return min(weight, max(Decimal(0), short) * per_unit).quantize(CENT, ROUND_HALF_UP)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _pct(part: int, whole: int) -> Decimal | None:
    return _dec(100 * part / whole) if whole else None


def signup_rate(station, villages, month) -> tuple[Decimal | None, list]:
    from powerexpress.billing.choices import AgreementStatus
    from powerexpress.billing.models import Agreement

    end = month_bounds(month)[1].date() - datetime.timedelta(days=1)
    households = Customer.objects.filter(village__station=station)
    agreements = (
        Agreement.objects.filter(customer__village__station=station, signed_on__lte=end)
        .exclude(status=AgreementStatus.PENDING)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=end))
    )
    if villages is not None:
        households = households.filter(village__in=villages)
        agreements = agreements.filter(customer__village__in=villages)
    return _pct(agreements.count(), households.count()), []


def _tickets(station, villages, month):
    from powerexpress.repair.choices import FaultStatus
    from powerexpress.repair.models import FaultTicket

    start, end = month_bounds(month)
    tickets = FaultTicket.objects.filter(
        station=station, reported_at__gte=start, reported_at__lt=end
    ).exclude(status__in=[FaultStatus.CANCELLED, FaultStatus.DUPLICATE])
    return tickets.filter(village__in=villages) if villages is not None else tickets


def _ticket_outcomes(station, villages, month):
    fields = (
        "number",
        "area_class",
        "reported_at",
        "arrival_due_at",
        "on_site_at",
        "restore_due_at",
        "restored_at",
    )
    for row in _tickets(station, villages, month).values(*fields):
        yield row, ticket_outcome(row, DEFAULT_RESTORE_MIN.get(row["area_class"], 240))


def on_time_arrival(station, villages, month):
    arrived, items = 0, []
    for row, outcome in _ticket_outcomes(station, villages, month):
        if outcome["arrival_min"] is None:
            continue
        arrived += 1
        if not outcome["on_time"]:
            items.append(
                {
                    "label": f"{row['number']} · {outcome['arrival_min']:.0f} min",
                    "url": _url("repair:detail", row["number"]),
                }
            )
    return _pct(arrived - len(items), arrived), items


def restoration_in_time(station, villages, month):
    restored, items = 0, []
    for row, outcome in _ticket_outcomes(station, villages, month):
        if outcome["restored_in_time"] is None:
            continue
        restored += 1
        if not outcome["restored_in_time"]:
            items.append({"label": row["number"], "url": _url("repair:detail", row["number"])})
    return _pct(restored - len(items), restored), items


def satisfaction(station, villages, month):
    from powerexpress.repair.models import FaultTicket

    start, end = month_bounds(month)
    rated = FaultTicket.objects.filter(
        station=station, rated_at__gte=start, rated_at__lt=end, rating__isnull=False
    )
    if villages is not None:
        rated = rated.filter(village__in=villages)
    mean = rated.aggregate(mean=Avg("rating"))["mean"]
    items = [
        {"label": f"{number} · {rating}", "url": _url("repair:detail", number)}
        for number, rating in rated.filter(rating__lte=3).values_list("number", "rating")
    ]
    return _dec(mean), items


def debit_success(station, villages, month):
    from powerexpress.billing.choices import DebitResult
    from powerexpress.billing.models import DebitItem

    if villages is not None:
        return None, []
    counts = (
        DebitItem.objects.filter(batch__station=station, batch__month=month.replace(day=1))
        .exclude(result=DebitResult.PENDING)
        .aggregate(total=Count("pk"), success=Count("pk", filter=Q(result=DebitResult.SUCCESS)))
    )
    return _pct(counts["success"], counts["total"]), []


def applications_on_time(station, villages, month):
    from powerexpress.applications.choices import ApplicationStatus
    from powerexpress.applications.models import Application

    start, end = month_bounds(month)
    done = Application.objects.filter(
        station=station, status=ApplicationStatus.CONNECTED, closed_at__gte=start, closed_at__lt=end
    )
    if villages is not None:
        done = done.filter(village__in=villages)
    rows = list(done.values_list("tracking_no", "closed_at", "connect_due_on"))
    late = [
        {"label": number, "url": _url("applications:detail", number)}
        for number, closed_at, due_on in rows
        if timezone.localtime(closed_at).date() > due_on
    ]
    return _pct(len(rows) - len(late), len(rows)), late


def hazards_overdue(station, villages, month):
    from powerexpress.outreach.models import Hazard

    month_end = month_bounds(month)[1]
    # Open at the month's end with the deadline passed (closed later still counts for this month).
    hazards = Hazard.objects.filter(
        station=station, deadline__lt=month_end.date(), created_at__lt=month_end
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=month_end))
    if villages is not None:
        hazards = hazards.filter(village__in=villages)
    items = [
        {"label": f"{village} · {deadline}", "url": _url("outreach:hazard", pk)}
        for pk, village, deadline in hazards.values_list("pk", "village__name", "deadline")
    ]
    return _dec(len(items)), items


FORMULAS = {
    KpiFormula.SIGNUP_RATE: signup_rate,
    KpiFormula.ON_TIME_ARRIVAL: on_time_arrival,
    KpiFormula.RESTORATION_IN_TIME: restoration_in_time,
    KpiFormula.SATISFACTION: satisfaction,
    KpiFormula.DEBIT_SUCCESS: debit_success,
    KpiFormula.APPLICATIONS_ON_TIME: applications_on_time,
    KpiFormula.HAZARDS_OVERDUE: hazards_overdue,
}


def kpi_result(kpi, station, villages, month) -> dict:
    """One KPI for a station (``villages`` None) or for the villages of one responsible person."""
    try:
        value, items = FORMULAS[kpi.formula](station, villages, month)
    except Exception:  # the capability behind this KPI is absent: no data, no deduction
        value, items = None, []
    deducted = deduction(
        value=value,
        target=kpi.target,
        direction=kpi.direction,
        weight=kpi.weight_points,
        per_unit=kpi.deduction_per_unit,
    )
    return {
        "kpi_code": kpi.code,
        "kpi_name": kpi.name,
        "value": value,
        "target": kpi.target,
        "weight_points": kpi.weight_points,
        "deducted_points": deducted,
        "score_points": kpi.weight_points - deducted,
        "items": items[:200] if deducted else [],
    }


def month_results(kpis, stations, month) -> list[dict]:
    """Every KPI for every station and for each responsible person of the station's villages."""
    from powerexpress.registry.models import Village

    results = []
    for station in stations:
        for kpi in kpis:
            results.append({"station": station, "responsible": "", **kpi_result(kpi, station, None, month)})
        people = defaultdict(list)
        for village in Village.objects.filter(station=station).exclude(responsible_name="").order_by("code"):
            people[village.responsible_name].append(village.pk)
        for person, villages in sorted(people.items()):
            for kpi in kpis:
                results.append(
                    {"station": station, "responsible": person, **kpi_result(kpi, station, villages, month)}
                )
    return results
