"""Reads: time limits, the public view of an application, station queues and the headroom check."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.applications.calendar import add_working_days, is_known_year, last_known_year
from powerexpress.applications.choices import (
    CLOSED_STATUSES,
    DEFAULT_TIME_LIMITS,
    MAIN_STEPS,
    ApplicationStatus,
)
from powerexpress.applications.filters import ApplicationFilterSet
from powerexpress.applications.models import Application, ApplicationPolicy, TimeLimit
from powerexpress.core.scope import visible


def policy_current() -> ApplicationPolicy:
    """The bureau's application policy (created with the bureau; the defaults, unsaved, when the
    row is missing: a read never writes, and saving it creates the row)."""
    return ApplicationPolicy.objects.order_by("pk").first() or ApplicationPolicy()


def time_limit_for(kind: str) -> TimeLimit:
    """The time limits of ``kind`` (created with the bureau; DOMAIN.md §3's defaults, unsaved, when
    the row is missing: a read never writes, and saving it creates the row)."""
    plan_days, install_days, to_verify = DEFAULT_TIME_LIMITS[kind]
    return TimeLimit.objects.filter(kind=kind).first() or TimeLimit(
        kind=kind, plan_reply_days=plan_days, install_days=install_days, to_verify=to_verify
    )


def time_limits_all() -> list[TimeLimit]:
    return [time_limit_for(kind) for kind in DEFAULT_TIME_LIMITS]


def due_dates_note(application: Application) -> str:
    """Why the due dates may be off: empty unless they reach beyond the holiday calendar's years."""
    if not application.due_dates_estimated:
        return ""
    return _(
        "The holiday calendar installed knows the years up to %(year)s: dates after that count Monday to "
        "Friday only and must be checked against the official holiday notice."
    ) % {"year": last_known_year()}


def calendar_note_for_new_applications(today: datetime.date | None = None) -> str:
    """A warning for the apply page when due dates of new applications may pass the calendar's years."""
    today = today or timezone.localdate()
    if is_known_year(today + datetime.timedelta(days=45)):
        return ""
    last = last_known_year()
    return _(
        "Public holidays after %(year)s are not yet in the installed calendar: due dates in %(next)s are "
        "estimated (Monday to Friday) until it is updated."
    ) % {"year": last, "next": last + 1}


def application_public_get(tracking_no: str, phone: str) -> Application | None:
    """The application with this tracking number when ``phone`` is the applicant's, else None."""
    return (
        Application.objects.select_related("village", "station")
        .filter(tracking_no=tracking_no.strip().upper(), phone=phone.strip())
        .first()
    )


def applications_for_phone(phone: str):
    """Applications made with this mobile number, newest first (for the villager portal)."""
    return Application.objects.select_related("village").filter(phone=phone).order_by("-received_at", "-id")


def application_steps(application: Application) -> list[dict]:
    """The main steps with when each was reached, for the progress display."""
    reached = {event.to_status: event for event in application.events.all()}
    steps = []
    for status in MAIN_STEPS:
        if (
            status == ApplicationStatus.FEES_SETTLED
            and status not in reached
            and application.fee_fen == 0
            and application.status not in (ApplicationStatus.RECEIVED, ApplicationStatus.SURVEYED)
        ):
            continue
        event = reached.get(status)
        steps.append(
            {
                "status": status,
                "label": ApplicationStatus(status).label,
                "done": event is not None,
                "current": application.status == status,
                "at": event.at if event else None,
                "notes": event.notes if event else "",
            }
        )
    for status in (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN):
        if status in reached:
            event = reached[status]
            steps.append(
                {
                    "status": status,
                    "label": ApplicationStatus(status).label,
                    "done": True,
                    "current": True,
                    "at": event.at,
                    "notes": event.notes,
                }
            )
    return steps


def applications_visible(user) -> QuerySet:
    return visible(user, Application.objects.select_related("village", "station", "transformer"))


def application_filterset(request, data=None) -> ApplicationFilterSet:
    """The list's filters (``q``, ``station``, ``kind``, ``status``, ``overdue``) over the
    applications the user may see; ``data`` defaults to the query string."""
    data = request.GET if data is None else data
    return ApplicationFilterSet(data, queryset=applications_visible(request.user), request=request)


def station_queues(
    user, today: datetime.date | None = None, station_code: str = "", applications: QuerySet | None = None
) -> dict:
    """Open applications the user may see (optionally of one station, or only ``applications``, a
    filtered subset of them), split into overdue, near due and the rest."""
    today = today or timezone.localdate()
    near_limit = add_working_days(today, policy_current().near_due_working_days).on
    base = applications_visible(user) if applications is None else applications
    open_apps = base.exclude(status__in=CLOSED_STATUSES).order_by("due_on", "id")
    if station_code:
        open_apps = open_apps.filter(station__code=station_code)
    return {
        "overdue": open_apps.filter(due_on__lt=today),
        "near_due": open_apps.filter(due_on__gte=today, due_on__lte=near_limit),
        "open": open_apps.filter(Q(due_on__gt=near_limit) | Q(due_on__isnull=True)),
    }


def station_due_counts(user, today: datetime.date | None = None) -> list[dict]:
    """Per station the user may see: open, overdue and near-due applications."""
    today = today or timezone.localdate()
    near_limit = add_working_days(today, policy_current().near_due_working_days).on
    rows = (
        visible(user, Application.objects.all())
        .exclude(status__in=CLOSED_STATUSES)
        .values("station__code", "station__name")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_on__lt=today)),
            near_due=Count("id", filter=Q(due_on__gte=today, due_on__lte=near_limit)),
        )
        .order_by("station__code")
    )
    return list(rows)


def station_due_totals(today: datetime.date) -> list[tuple]:
    """(station, overdue, near due) for every station with open applications (for the daily digest)."""
    from powerexpress.registry.models import SupplyStation

    near_limit = add_working_days(today, policy_current().near_due_working_days).on
    stations = (
        SupplyStation.objects.filter(applications__closed_at__isnull=True)
        .annotate(
            overdue=Count("applications", filter=Q(applications__due_on__lt=today)),
            near_due=Count(
                "applications",
                filter=Q(applications__due_on__gte=today, applications__due_on__lte=near_limit),
            ),
        )
        .distinct()
        .order_by("code")
    )
    return [(station, station.overdue, station.near_due) for station in stations]


@dataclass(frozen=True)
class Headroom:
    """Load of a transformer district before and after a new connection."""

    rated_kva: int
    load_kva: Decimal
    new_kva: Decimal
    source: str  # "measured" (grid data) or "estimate" (households and connected applications)
    rate_before_percent: Decimal
    rate_after_percent: Decimal
    limit_percent: int

    @property
    def warn(self) -> bool:
        return self.rate_after_percent > self.limit_percent


def _measured_peak_kva(transformer) -> Decimal | None:
    try:
        from powerexpress.grid.selectors import measured_peak_kva
    except ImportError:
        return None
    peak = measured_peak_kva(transformer)
    return None if peak is None else Decimal(str(peak))


def connected_load_estimate_kva(transformer, policy: ApplicationPolicy) -> Decimal:
    """Households on the district × the per-household estimate, plus applications connected to it."""
    households = transformer.customers.count()
    connected_kw = Application.objects.filter(
        transformer=transformer, status=ApplicationStatus.CONNECTED
    ).aggregate(total=Sum("connected_kw"))["total"] or Decimal("0")
    return households * policy.household_kva + connected_kw / policy.power_factor


def headroom_check(*, transformer, new_kw: Decimal) -> Headroom:
    """Would ``new_kw`` push the district past the heavy-load threshold? Measured peaks are used where
    grid data exists, otherwise the connected-load estimate."""
    policy = policy_current()
    measured = _measured_peak_kva(transformer)
    load_kva = measured if measured is not None else connected_load_estimate_kva(transformer, policy)
    new_kva = Decimal(new_kw) / policy.power_factor
    rated = Decimal(transformer.rated_kva)
    hundred = Decimal("100")
    return Headroom(
        rated_kva=transformer.rated_kva,
        load_kva=load_kva.quantize(Decimal("0.1")),
        new_kva=new_kva.quantize(Decimal("0.1")),
        source="measured" if measured is not None else "estimate",
        rate_before_percent=(load_kva / rated * hundred).quantize(Decimal("0.1")),
        rate_after_percent=((load_kva + new_kva) / rated * hundred).quantize(Decimal("0.1")),
        limit_percent=policy.heavy_load_percent,
    )


def application_new_load_kw(application: Application) -> Decimal:
    """The load a connection adds: the larger of the requested capacity and the appliance total."""
    return max(application.requested_kw, application.connected_kw)
