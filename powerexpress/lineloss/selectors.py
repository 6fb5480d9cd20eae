"""Reads of line loss, always through the user's scope."""

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from powerexpress.core.scope import visible
from powerexpress.grid import storage
from powerexpress.grid.choices import DataKind
from powerexpress.lineloss.choices import LossClass, PlanStatus, SuspectStatus
from powerexpress.lineloss.models import LineLoss, LineLossSettings, LossSuspect, PlanItem, TransformerMove


def bands() -> LineLossSettings:
    """The bureau's bands (the model's defaults when no row exists yet; nothing is written)."""
    return LineLossSettings.objects.order_by("pk").first() or LineLossSettings()


def latest_month(user, *, since: dt.date | None = None, until: dt.date | None = None) -> dt.date | None:
    """The latest computed month the user sees, optionally among the months from ``since`` to
    ``until`` (both included)."""
    rows = visible(user, LineLoss.objects.all())
    if since is not None:
        rows = rows.filter(month__gte=since)
    if until is not None:
        rows = rows.filter(month__lte=until)
    return rows.order_by("-month").values_list("month", flat=True).first()


def loss_list(user):
    """Every computed district-month the user sees, worst loss first (uncomputable and stopped
    last); the list's FilterSet narrows it to a month, a station, a class or a search."""
    rows = visible(user, LineLoss.objects.select_related("transformer", "transformer__station"))
    return rows.order_by("-loss_rate", "transformer__code")


def loss_rows(user, month: dt.date, station: str | None = None, loss_class: str | None = None):
    """The month's districts, worst loss first (uncomputable and stopped last)."""
    rows = visible(user, LineLoss.objects.filter(month=month)).select_related(
        "transformer", "transformer__station"
    )
    if station:
        rows = rows.filter(transformer__station__code=station)
    if loss_class:
        rows = rows.filter(loss_class=loss_class)
    return rows.order_by("-loss_rate", "transformer__code")


def totals(rows) -> dict:
    """Energy-weighted loss rate over the computable rows: Σ loss ÷ Σ supply."""
    sums = rows.filter(loss_rate__isnull=False).aggregate(supply=Sum("supply_kwh"), loss=Sum("loss_kwh"))
    supply, loss = sums["supply"] or 0.0, sums["loss"] or 0.0
    rate = loss / supply if supply else None
    return {
        "supply_kwh": supply,
        "loss_kwh": loss,
        "loss_rate": rate,
        "loss_rate_pct": None if rate is None else 100 * rate,
    }


def station_totals(user, month: dt.date) -> list[dict]:
    rows = visible(user, LineLoss.objects.filter(month=month, loss_rate__isnull=False))
    grouped = (
        rows.values("transformer__station__code", "transformer__station__name")
        .annotate(supply=Sum("supply_kwh"), loss=Sum("loss_kwh"))
        .order_by("transformer__station__code")
    )
    return [
        {
            "code": g["transformer__station__code"],
            "name": g["transformer__station__name"],
            "supply_kwh": g["supply"],
            "loss_kwh": g["loss"],
            "loss_rate": g["loss"] / g["supply"] if g["supply"] else None,
            "loss_rate_pct": 100 * g["loss"] / g["supply"] if g["supply"] else None,
        }
        for g in grouped
    ]


def trend(user, transformer, months: int = 13) -> list[LineLoss]:
    """The district's last ``months`` computed months, oldest first."""
    rows = visible(user, LineLoss.objects.filter(transformer=transformer)).order_by("-month")[:months]
    return list(reversed(rows))


def suspects(user, transformer, month: dt.date | None = None):
    rows = visible(user, LossSuspect.objects.filter(Q(transformer=transformer) | Q(suggested=transformer)))
    if month is not None:
        rows = rows.filter(month=month)
    return rows.select_related("customer", "transformer", "suggested").order_by("status", "-corr_suggested")


def open_suspects(user, transformer):
    """The open suspects of the district's latest checked month."""
    rows = suspects(user, transformer).filter(status=SuspectStatus.OPEN, transformer=transformer)
    latest = rows.order_by("-month").values_list("month", flat=True).first()
    return rows.filter(month=latest) if latest else rows


def moves(user, transformer):
    return (
        visible(
            user,
            TransformerMove.objects.filter(Q(from_transformer=transformer) | Q(to_transformer=transformer)),
        )
        .select_related("customer", "from_transformer", "to_transformer", "moved_by")
        .order_by("-moved_at")
    )


def plan_items(user, station: str | None = None):
    rows = visible(user, PlanItem.objects.all()).select_related(
        "transformer", "transformer__station", "work_order"
    )
    if station:
        rows = rows.filter(transformer__station__code=station)
    return rows.order_by("status", "due_on")


def effect_review(item: PlanItem) -> list[LineLoss]:
    """The district's figures for the months after the one that put it on the plan (效果评价)."""
    return list(
        LineLoss.objects.filter(transformer_id=item.transformer_id, month__gt=item.month).order_by("month")
    )


def overdue_plan_items(user, station=None, today: dt.date | None = None):
    """Open plan items past their due date (for the station's worklist)."""
    today = today or timezone.localdate()
    rows = visible(user, PlanItem.objects.filter(status=PlanStatus.OPEN, due_on__lt=today))
    if station is not None:
        rows = rows.filter(transformer__station=station)
    return rows.select_related("transformer", "work_order").order_by("due_on")


BADGE_COLOURS = {LossClass.HIGH: "red", LossClass.NEGATIVE: "amber", LossClass.QUALIFIED: "green"}


def badge_colour(loss_class: str) -> str:
    """The badge colour of a class on other apps' pages ("" is the plain grey badge)."""
    return BADGE_COLOURS.get(loss_class, "")


def class_counts(rows) -> dict[int, dict[str, int]]:
    """Districts per class and per station: {station id: {class code: count}} over ``rows``."""
    counts: dict[int, dict[str, int]] = {}
    for station_id, loss_class, n in (
        rows.order_by().values_list("transformer__station_id", "loss_class").annotate(n=Count("pk"))
    ):
        counts.setdefault(station_id, {})[loss_class] = n
    return counts


def latest_losses(user, transformers) -> dict:
    """Each district's latest computed month (for other pages: risk list, transformer page)."""
    rows = visible(user, LineLoss.objects.filter(transformer__in=transformers)).order_by(
        "transformer", "-month"
    )
    latest: dict = {}
    for row in rows:
        latest.setdefault(row.transformer_id, row)
    return latest


def district_daily(district, month: dt.date) -> list[dict]:
    """The district's loss day by day over a month, from interval data only (register readings cannot
    be split into days): supply, sales, households with data that day, coverage, rate and class."""
    import polars as pl

    from powerexpress.analytics import lineloss
    from powerexpress.lineloss.services import bands_from, month_window, station_members

    start, end = month_window(month)
    members = station_members(district.station.code).filter(pl.col("transformer") == district.code)
    day = pl.col("ts").dt.convert_time_zone(storage.LOCAL_TZ).dt.date().alias("day")
    supply = storage.scan(
        DataKind.TRANSFORMER,
        station_code=district.station.code,
        months=[month],
        keys=[district.code],
        since=start,
        until=end,
    )
    homes = storage.scan(
        DataKind.HOUSEHOLD,
        station_code=district.station.code,
        months=[month],
        keys=members["account_no"].to_list(),
        since=start,
        until=end,
    )
    if supply is None or "energy_kwh" not in supply.collect_schema().names():
        return []
    by_day = (
        supply.filter(pl.col("energy_kwh").is_not_null())
        .group_by(day)
        .agg(pl.col("energy_kwh").sum())
        .collect()
    )
    sales = (
        homes.group_by(day, "account_no").agg(pl.col("energy_kwh").sum().alias("sales_kwh")).collect()
        if homes is not None
        else pl.DataFrame(schema={"day": pl.Date, "account_no": pl.String, "sales_kwh": pl.Float64})
    )
    current = bands_from(bands())
    out = []
    for date, supply_kwh in sorted(by_day.iter_rows()):
        result = lineloss.window_loss(
            pl.DataFrame({"transformer": [district.code], "supply_kwh": [supply_kwh]}),
            sales.filter(pl.col("day") == date).drop("day"),
            members,
            current,
        ).row(0, named=True)
        out.append(
            {
                "day": date,
                **result,
                "loss_rate_pct": None if result["loss_rate"] is None else 100 * result["loss_rate"],
                "class_label": LossClass(result["class"]).label,
            }
        )
    return out
