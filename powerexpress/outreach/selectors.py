"""Reads of the outreach programme: histories, the plan's views, who is due a visit, hazard
lists, charity totals and what a village's notice board shows."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from powerexpress.core.scope import visible
from powerexpress.outreach.calc import (
    gantt_bar,
    month_weeks,
    percent,
    visit_due,
    visit_due_bounds,
)
from powerexpress.outreach.choices import DEFAULT_VISIT_DAYS, DUE_SOON_DAYS, HazardStatus, PlanStatus
from powerexpress.outreach.models import (
    Activity,
    CareDueCount,
    CareSchedule,
    CareVisit,
    CharityCampaign,
    Hazard,
    PlanItem,
    VisitPlan,
)
from powerexpress.registry.choices import CustomerTag, PaymentMethod
from powerexpress.registry.models import Customer

SAFE_USE_TIPS = (
    _("Test the residual-current breaker (漏电保护开关) once a month with its test button."),
    _("Never pull wires yourself or hang clothes on power lines."),
    _("Keep children away from transformers, poles and meter boxes."),
    _("Unplug heaters and chargers when you go out or go to sleep."),
    _("A wire on the ground may be live: stay 8 metres away and call the hotline."),
    _("Use one socket per high-power appliance; do not chain power strips."),
)

TARIFF_CYCLES = {"annual": _("annual tiers (kWh per year)"), "monthly": _("monthly tiers (kWh per month)")}


# Activities and sign-ups


def agreement_model():
    """Billing's auto-debit agreement model, or None while billing is not installed."""
    try:
        return apps.get_model("billing", "Agreement")
    except LookupError:
        return None


def signups_by_code(codes) -> dict[str, int] | None:
    """Auto-debit agreements carrying each activity code in ``campaign_ref`` (None without billing)."""
    model = agreement_model()
    if model is None:
        return None
    rows = model.objects.filter(campaign_ref__in=list(codes)).values("campaign_ref").annotate(n=Count("id"))
    return {row["campaign_ref"]: row["n"] for row in rows}


def with_signups(activities) -> list[Activity]:
    """Attach ``signups`` (linked agreements where billing exists, else the recorded count) and
    ``signups_linked`` to each activity."""
    activities = list(activities)
    linked = signups_by_code(a.code for a in activities)
    for activity in activities:
        activity.signups_linked = linked is not None
        activity.signups = linked.get(activity.code, 0) if linked is not None else activity.signups_recorded
    return activities


def activity_list(user, *, kind: str = "", village_id=None, team_id=None, station_id=None):
    queryset = visible(user, Activity.objects.select_related("village", "team", "station"))
    if kind:
        queryset = queryset.filter(kind=kind)
    if village_id:
        queryset = queryset.filter(village_id=village_id)
    if team_id:
        queryset = queryset.filter(team_id=team_id)
    if station_id:
        queryset = queryset.filter(station_id=station_id)
    return queryset


def activity_totals(activities) -> dict:
    activities = list(activities)
    return {
        "count": len(activities),
        "people_reached": sum(a.people_reached for a in activities),
        "signups": sum(a.signups for a in activities),
    }


# Action plan


def is_overdue(item: PlanItem, today: datetime.date) -> bool:
    return item.due_on < today and item.status in (PlanStatus.PLANNED, PlanStatus.IN_PROGRESS)


def plan_items(user, *, station_id=None, status: str = ""):
    queryset = visible(
        user, PlanItem.objects.select_related("owner", "team", "station").prefetch_related("villages")
    )
    if station_id:
        queryset = queryset.filter(station_id=station_id)
    if status == "overdue":
        queryset = queryset.filter(
            due_on__lt=timezone.localdate(), status__in=[PlanStatus.PLANNED, PlanStatus.IN_PROGRESS]
        )
    elif status:
        queryset = queryset.filter(status=status)
    return queryset


def gantt(items, *, window_start: datetime.date, weeks: int, today: datetime.date) -> dict:
    """Rows with bars for a Gantt-like view of ``weeks`` weeks from ``window_start`` (a Monday)."""
    window_end = window_start + datetime.timedelta(days=weeks * 7 - 1)
    rows = []
    for item in items:
        bar = gantt_bar(item.starts_on, item.due_on, window_start, window_end)
        if bar is not None:
            rows.append({"item": item, "bar": bar, "overdue": is_overdue(item, today)})
    today_percent = None
    if window_start <= today <= window_end:
        today_percent = round(((today - window_start).days + 0.5) / (weeks * 7) * 100, 3)
    columns = [window_start + datetime.timedelta(days=7 * i) for i in range(weeks)]
    return {
        "rows": rows,
        "columns": columns,
        "today_percent": today_percent,
        "start": window_start,
        "end": window_end,
    }


def calendar_month(user, *, year: int, month: int, today: datetime.date, station_id=None) -> list[list[dict]]:
    """Weeks of days, each with the plan items due and the activities held that day."""
    weeks = month_weeks(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    items = plan_items(user, station_id=station_id).filter(due_on__range=(first, last))
    held = activity_list(user, station_id=station_id).filter(held_on__range=(first, last))
    by_day = defaultdict(list)
    for item in items:
        by_day[item.due_on].append({"kind": "plan", "obj": item, "overdue": is_overdue(item, today)})
    for activity in held:
        by_day[activity.held_on].append({"kind": "activity", "obj": activity, "overdue": False})
    return [
        [
            {"date": day, "in_month": day.month == month, "today": day == today, "entries": by_day[day]}
            for day in week
        ]
        for week in weeks
    ]


# Vulnerable-household care


def visit_plan_days(station_id: int) -> dict[str, int]:
    """Visit interval per care tag at a station: its own plans over the defaults."""
    days = dict(DEFAULT_VISIT_DAYS)
    days.update(dict(VisitPlan.objects.filter(station_id=station_id).values_list("tag", "interval_days")))
    return days


STATE_ORDER = {"never": 0, "overdue": 1, "due": 2, "soon": 3, "ok": 4}
STATES = list(STATE_ORDER)
DUE_STATES = ("never", "overdue", "due", "soon")


def care_state_q(state: str, today: datetime.date) -> Q:
    """The schedule rows in one state, as a range on the stored next-due date — the bounds of
    ``calc.visit_due_bounds``, the rule ``calc.visit_state`` decides by."""
    due_on, soon_through = visit_due_bounds(today=today, soon_days=DUE_SOON_DAYS)
    return {
        "never": Q(visited=False),
        "overdue": Q(visited=True, next_due_on__lt=due_on),
        "due": Q(visited=True, next_due_on=due_on),
        "soon": Q(visited=True, next_due_on__gt=due_on, next_due_on__lte=soon_through),
        "ok": Q(visited=True, next_due_on__gt=soon_through),
    }[state]


def _care_rank(today: datetime.date) -> Case:
    return Case(*[When(care_state_q(state, today), then=Value(rank)) for state, rank in STATE_ORDER.items()])


def _care_schedule(user, *, station_id=None, village_id=None, tag: str = ""):
    queryset = visible(user, CareSchedule.objects.all())
    if station_id:
        queryset = queryset.filter(station_id=station_id)
    if village_id:
        queryset = queryset.filter(village_id=village_id)
    if tag:
        queryset = queryset.filter(customer__tags__contains=f",{tag},")
    return queryset


def care_queryset(user, *, today: datetime.date, station_id=None, village_id=None, tag: str = ""):
    """Scheduled households in scope (``CareSchedule`` rows: interval, last visit, next due date;
    ``care_rank`` is the state's index in ``STATES``), most urgent first: never visited, then by
    next due date (longest overdue first), then account number — the order of the schedule's
    indexes, so a page is read straight off an index."""
    return (
        _care_schedule(user, station_id=station_id, village_id=village_id, tag=tag)
        .annotate(care_rank=_care_rank(today), care_interval_days=F("interval_days"))
        .select_related("customer", "village")
        .order_by("visited", "next_due_on", "account_no")
    )


def care_counts(queryset, today: datetime.date | None = None) -> dict[str, int]:
    """Households per state among these schedule rows, counted in the database (one query); without
    ``today``, by the ``care_rank`` of ``care_queryset``."""
    if today is None:
        counts = {state: 0 for state in STATES}
        for rank, count in queryset.order_by().values_list("care_rank").annotate(n=Count("pk")):
            counts[STATES[rank]] = count
        return counts
    totals = queryset.order_by().aggregate(
        **{state: Count("pk", filter=care_state_q(state, today)) for state in STATES}
    )
    return {state: totals[state] or 0 for state in STATES}


def care_in_states(queryset, states, today: datetime.date | None = None):
    """These rows in the given states: ranges on the next-due date with ``today``, else by the
    ``care_rank`` of ``care_queryset``."""
    wanted = [state for state in states if state in STATE_ORDER]
    if today is None:
        return queryset.filter(care_rank__in=[STATE_ORDER[state] for state in wanted])
    if set(wanted) == set(STATES):
        return queryset
    condition = Q(pk__in=[])
    for state in wanted:
        condition |= care_state_q(state, today)
    return queryset.filter(condition)


def care_rows(schedules, today: datetime.date) -> list[dict]:
    """The rows a page shows, for rows of ``care_queryset``: the household (with its last visit),
    the interval, and the due date and days overdue computed by ``calc.visit_due``."""
    rows = []
    for schedule in schedules:
        customer = schedule.customer
        customer.village = schedule.village
        customer.last_visited_on = schedule.last_visited_on
        rows.append(
            {
                "customer": customer,
                "interval_days": schedule.interval_days,
                "due": visit_due(
                    last_visited_on=schedule.last_visited_on,
                    interval_days=schedule.interval_days,
                    today=today,
                    soon_days=DUE_SOON_DAYS,
                ),
            }
        )
    return rows


def care_households(
    user, *, today: datetime.date, station_id=None, village_id=None, tag: str = "", states=None
) -> list[dict]:
    """Every scheduled household in scope (or those in ``states``) with its interval, last visit,
    next due date and state, most urgent first."""
    queryset = care_queryset(user, today=today, station_id=station_id, village_id=village_id, tag=tag)
    if states is not None:
        queryset = care_in_states(queryset, states, today)
    return care_rows(queryset, today)


def care_household_row(user, customer, today: datetime.date) -> dict | None:
    """One household's row (None when it has no visit plan)."""
    rows = care_rows(care_queryset(user, today=today).filter(customer=customer), today)
    return rows[0] if rows else None


def _day_counts(queryset, today: datetime.date) -> dict[int, dict[str, int]]:
    """Per station and state, summed from ``CareDueCount`` (a row per station and due day): the
    work grows with the days, not with the households."""
    summaries: dict[int, dict[str, int]] = {}
    for station_id, state, n in (
        queryset.annotate(care_rank=_care_rank_counts(today))
        .order_by()
        .values_list("station_id", "care_rank")
        .annotate(n=Sum("households"))
    ):
        summaries.setdefault(station_id, {s: 0 for s in STATES})[STATES[state]] = n
    return summaries


def _care_rank_counts(today: datetime.date) -> Case:
    due_on, soon_through = visit_due_bounds(today=today, soon_days=DUE_SOON_DAYS)
    return Case(
        When(next_due_on__isnull=True, then=Value(STATE_ORDER["never"])),
        When(next_due_on__lt=due_on, then=Value(STATE_ORDER["overdue"])),
        When(next_due_on=due_on, then=Value(STATE_ORDER["due"])),
        When(next_due_on__lte=soon_through, then=Value(STATE_ORDER["soon"])),
        default=Value(STATE_ORDER["ok"]),
    )


def station_overdue(station, today: datetime.date) -> dict[str, int]:
    """What a station has let slip, for the daily reminder (a system job, so no user scope): care
    visits past due, vulnerable households never visited, hazards past their deadline not closed."""
    counts = _day_counts(CareDueCount.objects.filter(station=station), today).get(
        station.pk, {state: 0 for state in STATES}
    )
    return {
        "care_overdue": counts["overdue"],
        "care_never": counts["never"],
        "hazards": Hazard.objects.filter(station=station, deadline__lt=today)
        .exclude(status=HazardStatus.CLOSED)
        .count(),
    }


def care_summary_counts(user, *, today: datetime.date, station_id=None) -> dict[int, dict[str, int]]:
    """Per station: how many scheduled households are never visited, overdue, due, due soon or up
    to date — summed from the per-day counts."""
    queryset = visible(user, CareDueCount.objects.all())
    if station_id:
        queryset = queryset.filter(station_id=station_id)
    return _day_counts(queryset, today)


def care_page_counts(user, *, today: datetime.date, station_id=None, village_id=None, tag: str = ""):
    """The state counts the due list shows: from the per-day counts when only the scope (and a
    station) narrows it, else counted over the filtered schedule rows."""
    if village_id or tag:
        return care_counts(_care_schedule(user, station_id=station_id, village_id=village_id, tag=tag), today)
    totals = {state: 0 for state in STATES}
    for summary in care_summary_counts(user, today=today, station_id=station_id).values():
        for state, n in summary.items():
            totals[state] += n
    return totals


def household_visits(customer):
    return CareVisit.objects.filter(customer=customer).select_related("team", "recorded_by")


# Hazards


def hazard_list(
    user,
    *,
    station_id=None,
    village_id=None,
    severity: str = "",
    status: str = "",
    today: datetime.date | None = None,
):
    today = today or timezone.localdate()
    queryset = visible(user, Hazard.objects.select_related("village", "station", "responsible", "work_order"))
    if station_id:
        queryset = queryset.filter(station_id=station_id)
    if village_id:
        queryset = queryset.filter(village_id=village_id)
    if severity:
        queryset = queryset.filter(severity=severity)
    if status == "overdue":
        queryset = queryset.filter(deadline__lt=today).exclude(status=HazardStatus.CLOSED)
    elif status == "unclosed":
        queryset = queryset.exclude(status=HazardStatus.CLOSED)
    elif status:
        queryset = queryset.filter(status=status)
    return queryset


def hazard_is_overdue(hazard: Hazard, today: datetime.date) -> bool:
    return hazard.status != HazardStatus.CLOSED and hazard.deadline < today


def hazard_counts(queryset, today: datetime.date) -> dict:
    return queryset.aggregate(
        total=Count("id"),
        unclosed=Count("id", filter=~Q(status=HazardStatus.CLOSED)),
        overdue=Count("id", filter=~Q(status=HazardStatus.CLOSED) & Q(deadline__lt=today)),
        closed=Count("id", filter=Q(status=HazardStatus.CLOSED)),
    )


# Charity


def charity_totals(campaign: CharityCampaign) -> dict:
    donated = campaign.donations.aggregate(fen=Sum("amount_fen"), n=Count("id"))
    given = campaign.distributions.aggregate(
        fen=Sum("amount_fen"), n=Count("id"), people=Count("beneficiary", distinct=True)
    )
    donated_fen, given_fen = donated["fen"] or 0, given["fen"] or 0
    return {
        "donated_fen": donated_fen,
        "donations": donated["n"],
        "distributed_fen": given_fen,
        "distributions": given["n"],
        "beneficiaries": given["people"],
        "balance_fen": donated_fen - given_fen,
    }


# Notice board


def board_tariff() -> dict | None:
    """Billing's active residential tariff for the notice board, or None (not configured, or
    billing not installed). ``free_lines`` lists the free monthly allowances as (who, kWh)."""
    try:
        from powerexpress.billing.selectors import notice_board_tariff
    except ImportError:
        return None
    tariff = notice_board_tariff()
    if tariff is None:
        return None
    free = tariff.get("free_kwh_per_month") or {}
    if not isinstance(free, dict):
        free = {CustomerTag.LOW_INCOME.value: free}
    labels = dict(CustomerTag.choices)
    cycle = tariff.get("cycle") or ""
    return {
        **tariff,
        "cycle_label": TARIFF_CYCLES.get(cycle, cycle),
        "free_lines": [(labels.get(tag, tag), kwh) for tag, kwh in free.items() if kwh],
    }


def board_signup_rate(village) -> Decimal | float | None:
    """The village's auto-debit sign-up rate in percent: billing's share (0–1) of households with
    an active agreement where billing is installed, else the share of households whose payment
    method is bank auto-debit."""
    try:
        from powerexpress.billing.selectors import signup_rate
    except ImportError:
        signup_rate = None
    if signup_rate is not None:
        value = signup_rate(village)
        return None if value is None else (Decimal(value) * 100).quantize(Decimal("0.1"))
    counts = Customer.objects.filter(village=village).aggregate(
        total=Count("id"), auto=Count("id", filter=Q(payment_method=PaymentMethod.AUTO_DEBIT))
    )
    return percent(counts["auto"], counts["total"])


def notice_board(village, *, today: datetime.date | None = None) -> dict:
    """Everything a village's notice board (宣传园地) shows."""
    today = today or timezone.localdate()
    year_start = today.replace(month=1, day=1)
    activities = with_signups(Activity.objects.filter(village=village).select_related("team")[:8])
    year_activities = Activity.objects.filter(village=village, held_on__gte=year_start)
    hazards = Hazard.objects.filter(village=village)
    station = village.station
    return {
        "village": village,
        "station": station,
        "hotline": station.bureau.hotline,
        "tariff": board_tariff(),
        "tips": SAFE_USE_TIPS,
        "activities": activities,
        "activities_this_year": year_activities.count(),
        "people_reached_this_year": year_activities.aggregate(n=Sum("people_reached"))["n"] or 0,
        "signup_rate": board_signup_rate(village),
        "hazards_fixed": hazards.filter(status=HazardStatus.CLOSED).count(),
        "hazards_open": hazards.exclude(status=HazardStatus.CLOSED).count(),
        "care_visits_this_year": CareVisit.objects.filter(
            customer__village=village, visited_on__gte=year_start
        ).count(),
        "responsible_name": village.responsible_name or station.head_name,
        "responsible_phone": village.responsible_phone or station.head_phone,
        "today": today,
    }
