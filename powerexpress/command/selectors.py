"""Reads for the command centre: the scoreboard's sections, each a few tables with charts.

Every read goes through ``core.scope.visible`` (or another app's scoped selector), so a station
clerk's scoreboard holds their station only. Other capabilities are reached through their
selectors and models imported inside the functions: when one is absent or fails to answer, its
section says "not available" instead of failing the page.
"""

import datetime
import logging
import math
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import transaction
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.accounts.roles import VIEW_COMMAND_CENTRE
from powerexpress.command.tables import Chart, Section, Table
from powerexpress.core.scope import visible
from powerexpress.registry.choices import AreaClass
from powerexpress.registry.models import Customer, SupplyStation

logger = logging.getLogger(__name__)

SIGNUP_TARGET_PCT = 80.0
PACE_MONTHS = 6
DEFAULT_ARRIVAL_MIN = {AreaClass.URBAN: 45, AreaClass.RURAL: 90, AreaClass.REMOTE: 120}
DEFAULT_RESTORE_MIN = {AreaClass.URBAN: 180, AreaClass.RURAL: 240, AreaClass.REMOTE: 240}


def can_see_scoreboard(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(VIEW_COMMAND_CENTRE))


@dataclass(frozen=True)
class Filters:
    """What the scoreboard is cut to: one station (None: every visible one), the last ``months``
    months including this one, one area class ("" for all)."""

    station_id: int | None = None
    months: int = 3
    area_class: str = ""
    month: datetime.date | None = None  # one calendar month instead (the monthly freeze)

    def period(self, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
        if self.month is not None:
            return month_bounds(self.month)
        first = month_back(timezone.localtime(now).date().replace(day=1), self.months - 1)
        start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
        return start, now


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``month`` and of the following month (Beijing time)."""
    start = timezone.make_aware(datetime.datetime.combine(month.replace(day=1), datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(month_forward(month.replace(day=1), 1), datetime.time.min)
    )
    return start, end


def month_back(month: datetime.date, count: int) -> datetime.date:
    for _step in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def month_forward(month: datetime.date, count: int) -> datetime.date:
    for _step in range(count):
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return month


def stations_for(user, filters: Filters) -> list[SupplyStation]:
    stations = visible(user, SupplyStation.objects.order_by("code"))
    if filters.station_id:
        stations = stations.filter(pk=filters.station_id)
    return list(stations)


def pct(numerator: float, denominator: float, digits: int = 1) -> float | None:
    return round(100 * numerator / denominator, digits) if denominator else None


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _link(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _unavailable(key: str, title: str) -> Section:
    logger.exception("command centre: the %s section is not available", key)
    return Section(key=key, title=title, available=False)


def scoreboard(user, filters: Filters, *, now: datetime.datetime | None = None) -> list[Section]:
    """Every section of the scoreboard for ``user`` cut to ``filters``."""
    now = now or timezone.now()
    builders = [
        ("programme", _("Programme outcomes"), programme_section),
        ("repair", _("Fault repair"), repair_section),
        ("reliability", _("Reliability"), reliability_section),
        ("grid", _("Grid"), grid_section),
        ("applications", _("Service applications"), applications_section),
        ("outreach", _("Outreach"), outreach_section),
    ]
    sections = []
    for key, title, build in builders:
        try:
            with transaction.atomic():  # a savepoint: a failed query leaves the other sections usable
                sections.append(build(user, filters, now))
        except Exception:  # another capability absent or broken: its section degrades, the page stays
            sections.append(_unavailable(key, title))
    return sections


# Programme outcomes


def pace_to_target(rates_pct: list[float | None], months: list[datetime.date]) -> dict:
    """The mean monthly gain over the last ``PACE_MONTHS`` months and the month the target is
    reached if that pace holds (None when it never is: no gain, or no data)."""
    known = [(m, r) for m, r in zip(months, rates_pct, strict=True) if r is not None]
    if not known:
        return {"current": None, "gain_pp": None, "reached": None}
    window = known[-(PACE_MONTHS + 1) :]
    last_month, current = window[-1]
    gain = (current - window[0][1]) / (len(window) - 1) if len(window) > 1 else 0.0
    if current >= SIGNUP_TARGET_PCT:
        reached = last_month
    elif gain <= 0:
        reached = None
    else:
        reached = month_forward(last_month, math.ceil((SIGNUP_TARGET_PCT - current) / gain))
    return {"current": current, "gain_pp": round(gain, 2), "reached": reached}


def programme_section(user, filters: Filters, now) -> Section:
    section = Section(key="programme", title=_("Programme outcomes"))
    section.tables += _signup_tables(user, filters, now)
    section.tables.append(_satisfaction_table(user, filters, now))
    section.tables.append(_debit_table(user, filters))
    return section


def _signup_tables(user, filters: Filters, now) -> list[Table]:
    from powerexpress.billing import selectors as billing

    months = billing.recent_months(max(12, filters.months), timezone.localtime(now).date())
    path = Table(
        key="signup",
        title=_("Auto-debit signed-up rate per station against the 80% target"),
        header=[_("Month"), _("Station"), _("Households"), _("Signed"), _("Signed-up rate (%)")],
        chart=Chart(
            kind="line",
            x=0,
            series=[4],
            group_by=1,
            y_title="%",
            target=SIGNUP_TARGET_PCT,
            target_label=_("Target 80%"),
        ),
    )
    pace = Table(
        key="signup_pace",
        title=_("When each station reaches 80% at its current pace"),
        header=[_("Station"), _("Signed-up rate now (%)"), _("Gain per month (points)"), _("Reaches 80% in")],
        note=_("Pace: the mean monthly gain over the last six months."),
    )
    wanted = {s.pk for s in stations_for(user, filters)}
    for row in billing.signup_kpis(user, months):
        if row["station"].pk not in wanted:
            continue
        rates = [None if c["rate"] is None else round(float(c["rate"]) * 100, 1) for c in row["months"]]
        for cell, rate in zip(row["months"], rates, strict=True):
            path.rows.append(
                [f"{cell['month']:%Y-%m}", row["station"].name, row["households"], cell["signed"], rate]
            )
        outlook = pace_to_target(rates, months)
        reached = outlook["reached"]
        pace.rows.append(
            [
                row["station"].name,
                outlook["current"],
                outlook["gain_pp"],
                f"{reached:%Y-%m}" if reached else _("not at the current pace"),
            ]
        )
    return [path, pace]


def _satisfaction_table(user, filters: Filters, now) -> Table:
    from powerexpress.repair.models import FaultTicket

    start, _end = Filters(months=max(12, filters.months)).period(now)
    tickets = visible(user, FaultTicket.objects.filter(rating__isnull=False, rated_at__gte=start))
    if filters.station_id:
        tickets = tickets.filter(station_id=filters.station_id)
    if filters.area_class:
        tickets = tickets.filter(area_class=filters.area_class)
    grouped = (
        tickets.annotate(month=TruncMonth("rated_at"))
        .values("month")
        .annotate(n=Count("pk"), mean=Avg("rating"), satisfied=Count("pk", filter=Q(rating__gte=4)))
        .order_by("month")
    )
    return Table(
        key="satisfaction",
        title=_("Satisfaction with repairs (ratings 1–5) by month"),
        header=[_("Month"), _("Ratings"), _("Mean rating"), _("Satisfied, 4–5 (%)")],
        rows=[
            [f"{r['month']:%Y-%m}", r["n"], rounded(r["mean"]), pct(r["satisfied"], r["n"])] for r in grouped
        ],
        chart=Chart(kind="line", x=0, series=[2], y_title=_("Mean rating")),
    )


def _debit_table(user, filters: Filters) -> Table:
    from powerexpress.billing import selectors as billing

    names = {s.code: s.name for s in stations_for(user, filters)}
    rows = [
        [
            f"{r['month']:%Y-%m}",
            names[r["station"]],
            r["total"],
            r["success"],
            round(float(r["rate"]) * 100, 1),
        ]
        for r in sorted(billing.debit_kpis(user), key=lambda r: (r["month"], r["station"]))
        if r["station"] in names
    ]
    return Table(
        key="debit",
        title=_("Debit success rate"),
        header=[_("Month"), _("Station"), _("Items answered"), _("Debited"), _("Success rate (%)")],
        rows=rows,
        chart=Chart(kind="bar", x=0, series=[4], group_by=1, y_title="%"),
    )


# Repair


def _commitments(bureau_id: int | None) -> tuple[dict, dict]:
    from powerexpress.repair.models import RepairSettings

    stored = RepairSettings.objects.filter(bureau_id=bureau_id).first() if bureau_id else None
    if stored is None:
        return dict(DEFAULT_ARRIVAL_MIN), dict(DEFAULT_RESTORE_MIN)
    return (
        {area: stored.arrival_minutes(area) for area in AreaClass.values},
        {area: stored.restore_minutes(area) for area in AreaClass.values},
    )


def ticket_outcome(row: dict, restore_min: int) -> dict:
    """Arrival and restoration of one ticket. A ticket restored through its outage without an
    "on site" step counts as arrived at the restoration (the crew was there by then at the latest)."""
    arrived_at = row["on_site_at"] or row["restored_at"]
    arrival_min = (arrived_at - row["reported_at"]).total_seconds() / 60 if arrived_at else None
    restored_in_time = None
    if row["restored_at"] and arrived_at:
        due = row["restore_due_at"] or arrived_at + datetime.timedelta(minutes=restore_min)
        restored_in_time = row["restored_at"] <= due
    return {
        "arrival_min": arrival_min,
        "on_time": arrival_min is not None and arrived_at <= row["arrival_due_at"],
        "restored_in_time": restored_in_time,
    }


def repair_section(user, filters: Filters, now) -> Section:
    from powerexpress.repair.choices import AWAITING_ARRIVAL, OPEN_STATUSES, FaultStatus
    from powerexpress.repair.models import FaultTicket

    section = Section(key="repair", title=_("Fault repair"))
    start, end = filters.period(now)
    tickets = visible(
        user, FaultTicket.objects.exclude(status__in=[FaultStatus.CANCELLED, FaultStatus.DUPLICATE])
    )
    if filters.station_id:
        tickets = tickets.filter(station_id=filters.station_id)
    if filters.area_class:
        tickets = tickets.filter(area_class=filters.area_class)
    stations = {s.pk: s for s in stations_for(user, filters)}
    bureau_id = next(iter(stations.values())).bureau_id if stations else None
    arrival_limits, restore_limits = _commitments(bureau_id)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in tickets.filter(reported_at__gte=start, reported_at__lte=end).values(
        "station_id",
        "area_class",
        "reported_at",
        "arrival_due_at",
        "on_site_at",
        "restore_due_at",
        "restored_at",
    ):
        groups[(row["station_id"], row["area_class"])].append(
            ticket_outcome(row, restore_limits[row["area_class"]])
        )
    labels = dict(AreaClass.choices)
    table = Table(
        key="repair",
        title=_("Arrival and restoration against the commitments"),
        header=[
            _("Station"),
            _("Area class"),
            _("Commitment (min)"),
            _("Tickets"),
            _("Arrived"),
            _("On-time arrival (%)"),
            _("Mean arrival (min)"),
            _("Restored"),
            _("Restored within 3/4 h (%)"),
        ],
        chart=Chart(kind="bar", x=1, series=[5], group_by=0, y_title="%"),
    )
    for (station_id, area), outcomes in sorted(
        groups.items(), key=lambda item: (stations[item[0][0]].code, item[0][1])
    ):
        arrivals = [o["arrival_min"] for o in outcomes if o["arrival_min"] is not None]
        restored = [o["restored_in_time"] for o in outcomes if o["restored_in_time"] is not None]
        table.rows.append(
            [
                stations[station_id].name,
                labels.get(area, area),
                arrival_limits[area],
                len(outcomes),
                len(arrivals),
                pct(sum(o["on_time"] for o in outcomes), len(arrivals)),
                rounded(sum(arrivals) / len(arrivals), 1) if arrivals else None,
                len(restored),
                pct(sum(restored), len(restored)),
            ]
        )
    section.tables.append(table)
    open_tickets = tickets.filter(status__in=OPEN_STATUSES)
    counts = open_tickets.aggregate(
        open=Count("pk"),
        overdue=Count(
            "pk",
            filter=Q(status__in=AWAITING_ARRIVAL, arrival_due_at__lt=now)
            | Q(status=FaultStatus.ON_SITE, restore_due_at__lt=now),
        ),
    )
    section.tiles = [
        (str(counts["open"]), _("open tickets")),
        (str(counts["overdue"]), _("overdue tickets")),
    ]
    overall = [o for outcomes in groups.values() for o in outcomes]
    arrived = [o for o in overall if o["arrival_min"] is not None]
    if arrived:
        section.tiles.insert(
            0, (f"{pct(sum(o['on_time'] for o in arrived), len(arrived))}%", _("on-time arrival"))
        )
        mean = sum(o["arrival_min"] for o in arrived) / len(arrived)
        section.tiles.insert(1, (f"{mean:.0f}", _("mean arrival (min)")))
    return section


# Reliability


def outage_interruptions(user, filters: Filters, start, end) -> tuple[dict, dict]:
    """Per station: the interruptions in the period (customers on the outage's district, minutes
    inside the period, planned or not) and the households served."""
    from powerexpress.analytics.reliability import Interruption
    from powerexpress.repair.choices import OutageKind
    from powerexpress.repair.models import Outage

    outages = visible(user, Outage.objects.filter(started_at__lt=end)).filter(
        Q(restored_at__isnull=True) | Q(restored_at__gt=start)
    )
    customers = visible(user, Customer.objects.all())
    if filters.station_id:
        outages = outages.filter(station_id=filters.station_id)
        customers = customers.filter(village__station_id=filters.station_id)
    if filters.area_class:
        outages = outages.filter(transformer__village__area_class=filters.area_class)
        customers = customers.filter(village__area_class=filters.area_class)
    rows = list(outages.values("station_id", "transformer_id", "kind", "started_at", "restored_at"))
    on_district = dict(
        Customer.objects.filter(transformer_id__in={r["transformer_id"] for r in rows})
        .values_list("transformer_id")
        .annotate(n=Count("pk"))
    )
    interruptions: dict[int, list] = defaultdict(list)
    for row in rows:
        minutes = (min(row["restored_at"] or end, end) - max(row["started_at"], start)).total_seconds() / 60
        interruptions[row["station_id"]].append(
            Interruption(
                customers=on_district.get(row["transformer_id"], 0),
                duration_min=minutes,
                planned=row["kind"] == OutageKind.PLANNED,
            )
        )
    served = dict(customers.values_list("village__station_id").annotate(n=Count("pk")))
    return interruptions, served


def reliability_section(user, filters: Filters, now) -> Section:
    from powerexpress.analytics.reliability import reliability_by_kind

    section = Section(key="reliability", title=_("Reliability"))
    start, end = filters.period(now)
    hours = (end - start).total_seconds() / 3600
    interruptions, served = outage_interruptions(user, filters, start, end)
    kinds = {"all": _("all"), "planned": _("planned"), "unplanned": _("unplanned")}
    table = Table(
        key="reliability",
        title=_("Reliability indices (IEEE 1366; RS-1 and AIHC-1)"),
        header=[
            _("Station"),
            _("Interruptions"),
            _("Kind"),
            _("Customers served"),
            _("Customers interrupted"),
            "SAIFI",
            _("SAIDI (min)"),
            _("CAIDI (min)"),
            _("RS-1 (%)"),
            _("AIHC-1 (h)"),
        ],
        note=_(
            "Sustained interruptions (over 5 minutes) inside the period; customers interrupted are "
            "the households on the outage's transformer district."
        ),
        chart=Chart(kind="bar", x=2, series=[6], group_by=0, y_title=_("SAIDI (min)")),
    )
    everyone = []
    for station in stations_for(user, filters):
        events = interruptions.get(station.pk, [])
        everyone += events
        _reliability_rows(table, station.name, events, served.get(station.pk, 0), hours, kinds)
    if len(stations_for(user, filters)) > 1:
        _reliability_rows(table, _("All stations"), everyone, sum(served.values()), hours, kinds)
    section.tables.append(table)
    total = reliability_by_kind(everyone, customers_served=sum(served.values()), period_hours=hours)["all"]
    if total.rs1_pct is not None:
        section.tiles = [
            (f"{total.rs1_pct:.4f}%", _("RS-1 reliability")),
            (f"{total.saidi_min:.1f}", _("SAIDI (min)")),
            (f"{total.saifi:.3f}", "SAIFI"),
        ]
    return section


def _reliability_rows(table: Table, name: str, events, served: int, hours: float, kinds: dict) -> None:
    from powerexpress.analytics.reliability import reliability_by_kind

    for kind, result in reliability_by_kind(events, customers_served=served, period_hours=hours).items():
        table.rows.append(
            [
                name,
                result.interruptions,
                kinds[kind],
                served,
                result.customers_interrupted,
                rounded(result.saifi, 4),
                rounded(result.saidi_min, 2),
                rounded(result.caidi_min, 1),
                rounded(result.rs1_pct, 4),
                rounded(result.aihc1_h, 3),
            ]
        )


# Grid


GRID_RECENT_DAYS = 7


def grid_section(user, filters: Filters, now) -> Section:
    from powerexpress.analytics import forecast
    from powerexpress.grid import selectors as grid
    from powerexpress.grid.choices import EventKind
    from powerexpress.grid.models import LoadEvent

    section = Section(key="grid", title=_("Grid"))
    events = visible(
        user, LoadEvent.objects.filter(end_at__gte=now - datetime.timedelta(days=GRID_RECENT_DAYS))
    )
    if filters.station_id:
        events = events.filter(transformer__station_id=filters.station_id)
    if filters.area_class:
        events = events.filter(transformer__village__area_class=filters.area_class)
    counts = defaultdict(dict)
    for row in events.values("transformer__station__name", "kind").annotate(
        n=Count("transformer", distinct=True)
    ):
        counts[row["transformer__station__name"]][row["kind"]] = row["n"]
    kinds = [EventKind.HEAVY_LOAD, EventKind.OVERLOAD, EventKind.UNBALANCE]
    section.tables.append(
        Table(
            key="grid_now",
            title=_("Districts with load events in the last 7 days"),
            header=[_("Station"), *[str(k.label) for k in kinds]],
            rows=[[name, *[by_kind.get(k, 0) for k in kinds]] for name, by_kind in sorted(counts.items())],
            chart=Chart(kind="bar", x=0, series=[1, 2, 3], y_title=_("districts")),
        )
    )
    year = forecast.next_festival_year(timezone.localtime(now).date())
    risks = grid.risk_list(user, year)
    if filters.station_id:
        risks = risks.filter(transformer__station_id=filters.station_id)
    if filters.area_class:
        risks = risks.filter(transformer__village__area_class=filters.area_class)
    risk_table = Table(
        key="festival_risk",
        title=_("Spring Festival %(year)s: districts at risk") % {"year": year},
        header=[_("District"), _("Name"), _("Station"), _("Rated (kVA)"), _("Forecast load (%)")],
    )
    for item in risks[:20]:
        t = item.transformer
        risk_table.rows.append([t.code, t.name, t.station.name, t.rated_kva, float(item.forecast_rate_pct)])
        risk_table.links.append(_link("grid:transformer", t.code))
    section.tables.append(risk_table)
    section.tiles = [(str(risks.count()), _("districts at festival risk"))]
    loss = line_loss_table(user, filters, now)
    if loss is not None:
        table, rate_pct, lossy = loss
        section.tables.append(table)
        section.tiles += [
            (str(lossy), _("districts with high or negative line loss")),
            ("—" if rate_pct is None else f"{rate_pct:.2f}%", _("line loss rate (energy-weighted)")),
        ]
    return section


# The map's and the badges' colours: high red, negative amber, qualified green, the rest grey.
LOSS_CLASS_COLOURS = {
    "qualified": "#27ae60",
    "high": "#c0392b",
    "negative": "#e67e22",
    "uncomputable": "#95a5a6",
    "stopped": "#5d6d7e",
}


def line_loss_table(user, filters: Filters, now) -> tuple[Table, float | None, int] | None:
    """Districts per line-loss class and station for the latest computed month of the period, the
    energy-weighted loss rate (Σ loss ÷ Σ supply) and the number of high- or negative-loss
    districts; None without the line-loss app."""
    if not django_apps.is_installed("powerexpress.lineloss"):
        return None
    from powerexpress.lineloss import selectors as lineloss
    from powerexpress.lineloss.choices import LossClass

    start, end = filters.period(now)
    month = lineloss.latest_month(
        user,
        since=timezone.localtime(start).date().replace(day=1),
        until=timezone.localtime(end - datetime.timedelta(microseconds=1)).date(),
    )
    classes = list(LossClass)
    table = Table(
        key="line_loss",
        title=_("Line loss: districts per class")
        if month is None
        else _("Line loss %(month)s: districts per class") % {"month": f"{month:%Y-%m}"},
        header=[_("Station"), *[str(c.label) for c in classes], _("Loss rate (%)")],
        chart=Chart(
            kind="bar",
            x=0,
            series=list(range(1, len(classes) + 1)),
            y_title=_("districts"),
            colors={k: LOSS_CLASS_COLOURS[c] for k, c in enumerate(classes, start=1)},
        ),
        note=_("Loss rate = Σ loss ÷ Σ supply over the computable districts."),
    )
    if month is None:
        return table, None, 0
    rows = lineloss.loss_rows(user, month)
    if filters.station_id:
        rows = rows.filter(transformer__station_id=filters.station_id)
    if filters.area_class:
        rows = rows.filter(transformer__village__area_class=filters.area_class)
    counts = lineloss.class_counts(rows)
    ranking = _link("lineloss:ranking")
    for station in stations_for(user, filters):
        if station.pk not in counts:
            continue
        rate = lineloss.totals(rows.filter(transformer__station_id=station.pk))["loss_rate_pct"]
        table.rows.append([station.name, *[counts[station.pk].get(c, 0) for c in classes], rounded(rate)])
        table.links.append(f"{ranking}?month={month:%Y-%m}&station={station.code}" if ranking else "")
    lossy = sum(n.get(LossClass.HIGH, 0) + n.get(LossClass.NEGATIVE, 0) for n in counts.values())
    return table, lineloss.totals(rows)["loss_rate_pct"], lossy


# Applications


def applications_section(user, filters: Filters, now) -> Section:
    from powerexpress.applications import selectors as applications
    from powerexpress.applications.choices import ApplicationStatus
    from powerexpress.applications.models import Application

    section = Section(key="applications", title=_("Service applications"))
    start, end = filters.period(now)
    names = {s.code: s.name for s in stations_for(user, filters)}
    connected = visible(
        user,
        Application.objects.filter(
            status=ApplicationStatus.CONNECTED, closed_at__gte=start, closed_at__lte=end
        ),
    )
    if filters.area_class:
        connected = connected.filter(village__area_class=filters.area_class)
    done: dict[str, list[bool]] = defaultdict(list)
    for code, closed_at, due_on in connected.values_list("station__code", "closed_at", "connect_due_on"):
        done[code].append(timezone.localtime(closed_at).date() <= due_on)
    table = Table(
        key="applications",
        title=_("Applications: connected on time, open and overdue"),
        header=[
            _("Station"),
            _("Connected in the period"),
            _("On time (%)"),
            _("Open"),
            _("Overdue"),
            _("Near due"),
        ],
        chart=Chart(kind="bar", x=0, series=[2], y_title="%"),
    )
    due = {row["station__code"]: row for row in applications.station_due_counts(user)}
    for code, name in names.items():
        row = due.get(code, {})
        table.rows.append(
            [
                name,
                len(done[code]),
                pct(sum(done[code]), len(done[code])),
                row.get("open", 0),
                row.get("overdue", 0),
                row.get("near_due", 0),
            ]
        )
    section.tables.append(table)
    overdue = applications.station_queues(user)["overdue"]
    if filters.station_id:
        overdue = overdue.filter(station_id=filters.station_id)
    late = Table(
        key="applications_overdue",
        title=_("Overdue applications"),
        header=[_("Tracking number"), _("Kind"), _("Station"), _("Village"), _("Due on")],
    )
    for item in overdue[:20]:
        late.rows.append(
            [
                item.tracking_no,
                item.get_kind_display(),
                item.station.name,
                item.village.name,
                f"{item.due_on}",
            ]
        )
        late.links.append(_link("applications:detail", item.tracking_no))
    section.tables.append(late)
    return section


# Outreach


def outreach_section(user, filters: Filters, now) -> Section:
    from powerexpress.outreach import selectors as outreach
    from powerexpress.outreach.choices import ActivityKind, PlanItemKind, PlanStatus, Severity
    from powerexpress.outreach.models import Activity, Hazard, PlanItem

    section = Section(key="outreach", title=_("Outreach"))
    start, end = filters.period(now)
    today = timezone.localtime(now).date()
    activities = visible(user, Activity.objects.filter(held_on__gte=start.date(), held_on__lte=today))
    hazards = visible(user, Hazard.objects.all())
    plan = visible(user, PlanItem.objects.filter(kind=PlanItemKind.MILESTONE))
    if filters.station_id:
        activities = activities.filter(station_id=filters.station_id)
        hazards = hazards.filter(station_id=filters.station_id)
        plan = plan.filter(station_id=filters.station_id)
    if filters.area_class:
        activities = activities.filter(village__area_class=filters.area_class)
        hazards = hazards.filter(village__area_class=filters.area_class)
    kinds = dict(ActivityKind.choices)
    by_team = (
        activities.values("team__name", "kind")
        .annotate(n=Count("pk"), people=Sum("people_reached"))
        .order_by("team__name", "kind")
    )
    section.tables.append(
        Table(
            key="activities",
            title=_("Activities and people reached by team and kind"),
            header=[_("Team"), _("Kind"), _("Activities"), _("People reached")],
            rows=[
                [r["team__name"] or "—", kinds.get(r["kind"], r["kind"]), r["n"], r["people"] or 0]
                for r in by_team
            ],
            chart=Chart(kind="bar", x=1, series=[3], group_by=0, y_title=_("People reached")),
        )
    )
    care = Table(
        key="care",
        title=_("Care visits"),
        header=[_("Station"), _("Never visited"), _("Overdue"), _("Due"), _("Due soon"), _("Up to date")],
    )
    counts = outreach.care_summary_counts(user, today=today, station_id=filters.station_id)
    empty = {state: 0 for state in outreach.STATE_ORDER}
    for station in stations_for(user, filters):
        summary = counts.get(station.pk, empty)
        care.rows.append(
            [
                station.name,
                summary["never"],
                summary["overdue"],
                summary["due"],
                summary["soon"],
                summary["ok"],
            ]
        )
    section.tables.append(care)
    severities = dict(Severity.choices)
    hazard_rows = (
        hazards.exclude(status="closed")
        .values("severity")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today)))
    )
    section.tables.append(
        Table(
            key="hazards",
            title=_("Open hazards by severity"),
            header=[_("Severity"), _("Open"), _("Past deadline")],
            rows=[
                [severities.get(r["severity"], r["severity"]), r["n"], r["overdue"]]
                for r in hazard_rows.order_by("severity")
            ],
            chart=Chart(kind="bar", x=0, series=[1, 2]),
        )
    )
    open_statuses = [PlanStatus.PLANNED, PlanStatus.IN_PROGRESS]
    milestones = Table(
        key="milestones",
        title=_("Plan milestones"),
        header=[_("Milestone"), _("Station"), _("Due on"), _("Status"), _("Progress (%)"), _("Overdue")],
    )
    for item in plan.select_related("station").order_by("due_on")[:30]:
        late = item.due_on < today and item.status in open_statuses
        milestones.rows.append(
            [
                item.title,
                item.station.name,
                f"{item.due_on}",
                item.get_status_display(),
                item.progress_percent,
                _("yes") if late else "",
            ]
        )
    section.tables.append(milestones)
    return section


def table_find(sections: list[Section], key: str) -> Table | None:
    for section in sections:
        for table in section.tables:
            if table.key == key:
                return table
    return None
