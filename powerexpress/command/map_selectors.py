"""Reads for the power map (电力地图): villages, transformer districts coloured by load risk, open
tickets and outages, hazards — each a point at its WGS-84 coordinates, within the user's scope.

Phones are always masked here; a user with ``view_personal_data`` reveals one through
``services.map_contact_reveal`` (audited).
"""

import datetime
import logging

from django.apps import apps as django_apps
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from powerexpress.core.masking import mask_phone
from powerexpress.core.scope import visible
from powerexpress.registry.models import Customer, TransformerDistrict, Village

logger = logging.getLogger(__name__)

RISK_OVERLOAD, RISK_HEAVY, RISK_NORMAL, RISK_UNKNOWN = "overload", "heavy", "normal", "unknown"
RECENT_EVENT_DAYS = 30


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _point(lat, lon) -> list[float] | None:
    return None if lat is None or lon is None else [float(lat), float(lon)]


def _scoped(user, queryset, station_id, path: str = "station_id"):
    queryset = visible(user, queryset)
    return queryset.filter(**{path: station_id}) if station_id else queryset


def map_villages(user, station_id=None) -> list[dict]:
    villages = _scoped(user, Village.objects.select_related("station"), station_id)
    households = dict(
        _scoped(user, Customer.objects.all(), station_id, "village__station_id")
        .values_list("village_id")
        .annotate(n=Count("pk"))
    )
    return [
        {
            "code": v.code,
            "name": v.name,
            "station": v.station.name,
            "area_class": v.get_area_class_display(),
            "households": households.get(v.pk, 0),
            "point": _point(v.latitude, v.longitude),
            "responsible": v.responsible_name,
            "phone": mask_phone(v.responsible_phone),
            "url": _url("registry:detail", "villages", v.pk),
        }
        for v in villages.order_by("code")
    ]


def transformer_risks(user, station_id=None, *, now=None) -> dict[int, str]:
    """Load risk per transformer district: overload or heavy load detected in the last 30 days,
    or forecast for the coming Spring Festival above 100 % / 80 % of the rating."""
    now = now or timezone.now()
    risks: dict[int, str] = {}
    try:
        from powerexpress.analytics import forecast
        from powerexpress.grid.choices import EventKind
        from powerexpress.grid.models import FestivalForecast, LoadEvent
    except ImportError:
        return risks
    events = _scoped(
        user,
        LoadEvent.objects.filter(
            end_at__gte=now - datetime.timedelta(days=RECENT_EVENT_DAYS),
            kind__in=[EventKind.OVERLOAD, EventKind.HEAVY_LOAD],
        ),
        station_id,
        "transformer__station_id",
    )
    for transformer_id, kinds in events.values_list("transformer_id").annotate(
        overloads=Count("pk", filter=Q(kind=EventKind.OVERLOAD))
    ):
        risks[transformer_id] = RISK_OVERLOAD if kinds else RISK_HEAVY
    year = forecast.next_festival_year(timezone.localtime(now).date())
    forecasts = _scoped(
        user,
        FestivalForecast.objects.filter(festival_year=year, forecast_rate_pct__gt=80),
        station_id,
        "transformer__station_id",
    )
    for transformer_id, rate in forecasts.values_list("transformer_id").annotate(
        rate=Max("forecast_rate_pct")
    ):
        level = RISK_OVERLOAD if rate > 100 else RISK_HEAVY
        if risks.get(transformer_id) != RISK_OVERLOAD:
            risks[transformer_id] = level
    return risks


def transformer_losses(user, transformers) -> dict[int, dict]:
    """Each district's latest line-loss month: class code and label, rate in %, month — nothing
    without the line-loss app."""
    if not django_apps.is_installed("powerexpress.lineloss"):
        return {}
    from powerexpress.lineloss import selectors as lineloss

    return {
        transformer_id: {
            "class": row.loss_class,
            "label": str(row.get_loss_class_display()),
            "rate_pct": None if row.loss_rate_pct is None else round(row.loss_rate_pct, 2),
            "month": f"{row.month:%Y-%m}",
        }
        for transformer_id, row in lineloss.latest_losses(user, transformers).items()
    }


def map_transformers(user, station_id=None, *, now=None) -> list[dict]:
    transformers = _scoped(user, TransformerDistrict.objects.select_related("station", "village"), station_id)
    risks = transformer_risks(user, station_id, now=now)
    try:
        with transaction.atomic():  # a savepoint: a failed query leaves the rest of the map usable
            losses = transformer_losses(user, transformers)
    except Exception:  # the line-loss capability broken: the districts still show their load risk
        logger.exception("power map: line loss is not available")
        losses = {}
    return [
        {
            "code": t.code,
            "name": t.name,
            "station": t.station.name,
            "village_code": t.village.code,
            "rated_kva": t.rated_kva,
            "risk": risks.get(t.pk, RISK_NORMAL),
            "point": _point(t.latitude, t.longitude) or _point(t.village.latitude, t.village.longitude),
            "responsible": t.village.responsible_name,
            "phone": mask_phone(t.village.responsible_phone),
            "url": _url("grid:transformer", t.code),
            "loss": losses.get(t.pk),
        }
        for t in transformers.order_by("code")
    ]


def map_incidents(user, station_id=None) -> list[dict]:
    """Open fault tickets (at their village) and open outages (at their district)."""
    try:
        from powerexpress.repair.choices import OPEN_STATUSES, OutageStatus
        from powerexpress.repair.models import FaultTicket, Outage
    except ImportError:
        return []
    rows = []
    tickets = _scoped(user, FaultTicket.objects.filter(status__in=OPEN_STATUSES), station_id).select_related(
        "village", "station"
    )
    for t in tickets.order_by("reported_at")[:500]:
        rows.append(
            {
                "kind": "ticket",
                "code": t.number,
                "name": t.get_status_display(),
                "station": t.station.name,
                "village_code": t.village.code,
                "point": _point(t.village.latitude, t.village.longitude),
                "responsible": t.responsible_name,
                "phone": mask_phone(t.responsible_phone),
                "url": _url("repair:detail", t.number),
            }
        )
    outages = _scoped(user, Outage.objects.exclude(status=OutageStatus.RESTORED), station_id).select_related(
        "transformer", "transformer__village", "station"
    )
    for o in outages.order_by("started_at")[:200]:
        village = o.transformer.village
        rows.append(
            {
                "kind": "outage",
                "code": o.number,
                "name": o.transformer.name,
                "station": o.station.name,
                "village_code": village.code,
                "point": _point(o.transformer.latitude, o.transformer.longitude)
                or _point(village.latitude, village.longitude),
                "responsible": village.responsible_name,
                "phone": mask_phone(village.responsible_phone),
                "url": _url("repair:outage", o.pk),
            }
        )
    return rows


def map_hazards(user, station_id=None) -> list[dict]:
    try:
        from powerexpress.outreach.choices import HazardStatus
        from powerexpress.outreach.models import Hazard
    except ImportError:
        return []
    hazards = _scoped(user, Hazard.objects.exclude(status=HazardStatus.CLOSED), station_id).select_related(
        "village", "station", "responsible"
    )
    return [
        {
            "code": str(h.pk),
            "name": f"{h.get_severity_display()} · {h.get_item_display()}",
            "severity": h.severity,
            "station": h.station.name,
            "village_code": h.village.code,
            "point": _point(h.village.latitude, h.village.longitude),
            "responsible": h.responsible.name if h.responsible else "",
            "phone": mask_phone(h.responsible.phone) if h.responsible else "",
            "url": _url("outreach:hazard", h.pk),
        }
        for h in hazards.order_by("deadline")[:500]
    ]


def map_layers(user, station_id=None, *, now=None) -> dict:
    """Every layer of the map; a capability that fails to answer gives an empty layer."""
    from powerexpress.command.models import MapOutline

    layers = {
        "villages": map_villages(user, station_id),
        "outlines": [{"name": o.name, "geometry": o.geometry} for o in MapOutline.objects.all()],
    }
    for name, build in (
        ("transformers", lambda: map_transformers(user, station_id, now=now)),
        ("incidents", lambda: map_incidents(user, station_id)),
        ("hazards", lambda: map_hazards(user, station_id)),
    ):
        try:
            layers[name] = build()
        except Exception:  # another capability broken: its layer is empty, the map still opens
            layers[name] = []
    return layers
