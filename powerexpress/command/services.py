"""Writes of the command centre: reveals on the map, the KPI registry, the monthly freeze of
scores and figures, and the archived monthly reports."""

import datetime
import json
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from powerexpress.accounts.models import User
from powerexpress.accounts.roles import CHANGE_KPIS, VIEW_PERSONAL_DATA, Role
from powerexpress.command.choices import Direction, KpiFormula, ReportFormat, ReportKind, ReportStatus
from powerexpress.command.models import FrozenTable, Kpi, MapOutline, MonthlyReport, Score, ScoreMonth
from powerexpress.command.scoring import month_results
from powerexpress.command.selectors import Filters, month_back, month_bounds, month_forward, scoreboard
from powerexpress.core.errors import FieldError
from powerexpress.core.reveal import reveal_with_audit
from powerexpress.core.scope import get_visible_or_404
from powerexpress.registry.models import SupplyStation, Village


def map_contact_reveal(*, user, kind: str, code: str, request=None) -> str:
    """The unmasked phone of the person responsible for a point on the map, for a user allowed
    to see personal data; each reveal is written to the audit log."""
    if not user.has_perm(VIEW_PERSONAL_DATA):
        raise PermissionDenied
    if kind == "village":
        phone = get_visible_or_404(user, Village.objects.all(), code=code).responsible_phone
    elif kind == "ticket":
        from powerexpress.repair.models import FaultTicket

        phone = get_visible_or_404(user, FaultTicket.objects.all(), number=code).responsible_phone
    elif kind == "hazard" and code.isdigit():
        from powerexpress.outreach.models import Hazard

        hazard = get_visible_or_404(user, Hazard.objects.select_related("responsible"), pk=int(code))
        phone = hazard.responsible.phone if hazard.responsible else ""
    else:
        raise Http404(kind)
    reveal_with_audit(
        user=user, object_type=f"map_{kind}", object_ref=code, fields=("responsible_phone",), request=request
    )
    return phone


# KPI registry

DEFAULT_KPIS = (
    # code, name, formula, direction, target, weight, points per unit short, cut-off day
    ("signup", "代扣签约率", KpiFormula.SIGNUP_RATE, Direction.HIGHER, "80", "30", "1", 1),
    ("arrival", "抢修准时到达率", KpiFormula.ON_TIME_ARRIVAL, Direction.HIGHER, "95", "20", "2", 1),
    ("restoration", "抢修按时复电率", KpiFormula.RESTORATION_IN_TIME, Direction.HIGHER, "95", "15", "2", 1),
    ("satisfaction", "抢修满意度", KpiFormula.SATISFACTION, Direction.HIGHER, "4.5", "15", "10", 1),
    ("debit", "代扣成功率", KpiFormula.DEBIT_SUCCESS, Direction.HIGHER, "98", "10", "1", 1),
    (
        "applications",
        "业扩按时接电率",
        KpiFormula.APPLICATIONS_ON_TIME,
        Direction.HIGHER,
        "100",
        "5",
        "0.5",
        1,
    ),
    ("hazards", "超期未整改隐患", KpiFormula.HAZARDS_OVERDUE, Direction.LOWER, "0", "5", "1", 1),
)


def kpi_registry_seed(*, user=None) -> int:
    """Adds the default KPIs that the registry lacks (by code); returns how many were added."""
    with transaction.atomic():
        existing = set(Kpi.objects.values_list("code", flat=True))
        rows = [
            Kpi(
                code=code,
                name=name,
                formula=formula,
                direction=direction,
                target=Decimal(target),
                weight_points=Decimal(weight),
                deduction_per_unit=Decimal(per_unit),
                cutoff_day=cutoff,
                updated_by=user,
            )
            for code, name, formula, direction, target, weight, per_unit, cutoff in DEFAULT_KPIS
            if code not in existing
        ]
        Kpi.objects.bulk_create(rows)
    return len(rows)


def kpi_save(*, user, form) -> Kpi:
    """Saves a KPI edited by a manager (the form is already valid)."""
    if not can_edit_kpis(user):
        raise PermissionDenied
    with transaction.atomic():
        kpi = form.save(commit=False)
        kpi.updated_by = user
        kpi.save()
    return kpi


def can_edit_kpis(user) -> bool:
    return user.has_perm(CHANGE_KPIS)


# Freezing a month

REPORT_LANGUAGE = "zh-hans"  # frozen titles and headers, and the reports, are in Chinese


def system_viewer():
    """An unsaved bureau-wide, read-only user: the monthly freeze reads every station's figures."""
    return User(username="system", role=Role.AUDITOR, is_active=True)


def cutoff_passed(month: datetime.date, today: datetime.date) -> bool:
    """True once ``today`` reaches the latest cut-off day of the active KPIs in the month after ``month``."""
    cutoff = max(Kpi.objects.filter(active=True).values_list("cutoff_day", flat=True), default=1)
    following = month_forward(month.replace(day=1), 1)
    return today >= following.replace(day=cutoff)


def score_month_freeze(*, month: datetime.date, user=None) -> ScoreMonth:
    """Computes the month's scores and figures once and stores them; a later call (or a
    concurrent one) returns the stored month, so re-runs give the same numbers."""
    month = month.replace(day=1)
    existing = ScoreMonth.objects.filter(month=month).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic(), translation.override(REPORT_LANGUAGE):
            score_month = ScoreMonth.objects.create(month=month, frozen_at=timezone.now(), frozen_by=user)
            stations = list(SupplyStation.objects.order_by("code"))
            kpis = list(Kpi.objects.filter(active=True).order_by("code"))
            Score.objects.bulk_create(
                Score(
                    score_month=score_month,
                    station=row["station"],
                    responsible=row["responsible"],
                    kpi_code=row["kpi_code"],
                    kpi_name=row["kpi_name"],
                    value=row["value"],
                    target=row["target"],
                    weight_points=row["weight_points"],
                    deducted_points=row["deducted_points"],
                    score_points=row["score_points"],
                    items=row["items"],
                )
                for row in month_results(kpis, stations, month)
            )
            _freeze_tables(score_month, stations)
    except IntegrityError:  # another run froze the month first
        return ScoreMonth.objects.get(month=month)
    return score_month


def _freeze_tables(score_month: ScoreMonth, stations) -> None:
    viewer = system_viewer()
    end = month_bounds(score_month.month)[1] - datetime.timedelta(microseconds=1)
    rows = []
    for station in [None, *stations]:
        filters = Filters(station_id=station.pk if station else None, months=12, month=score_month.month)
        tables = [table for section in scoreboard(viewer, filters, now=end) for table in section.tables]
        for position, table in enumerate(tables):
            rows.append(
                FrozenTable(
                    score_month=score_month,
                    station=station,
                    key=table.key,
                    position=position,
                    title=str(table.title),
                    header=[str(head) for head in table.header],
                    rows=[[_plain(cell) for cell in row] for row in table.rows],
                )
            )
    FrozenTable.objects.bulk_create(rows)


def _plain(value):
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


# Monthly reports


def monthly_reports_create(*, score_month: ScoreMonth) -> list[MonthlyReport]:
    """The bureau report and one report per station, in Excel and PDF: rows first, files written
    once the rows are committed (a failed write marks its row failed, never leaves a stray file)."""
    created = []
    with transaction.atomic():
        targets = [(ReportKind.BUREAU, None)] + [
            (ReportKind.STATION, station) for station in SupplyStation.objects.order_by("code")
        ]
        for kind, station in targets:
            for fmt in ReportFormat.values:
                report = MonthlyReport.objects.filter(
                    score_month=score_month, kind=kind, station=station, fmt=fmt
                ).first()
                if report is None:
                    report = MonthlyReport.objects.create(
                        score_month=score_month, kind=kind, station=station, fmt=fmt
                    )
                if report.status != ReportStatus.READY:
                    created.append(report)
        transaction.on_commit(lambda: [monthly_report_write(report=r) for r in created])
    return created


def monthly_report_write(*, report: MonthlyReport) -> MonthlyReport:
    """Writes one report's file and marks it ready (or failed with the reason)."""
    from powerexpress.command.reports import report_content

    try:
        content = report_content(report)
        name = f"{report.score_month.month:%Y-%m}-{report.station.code if report.station else 'bureau'}.{report.fmt}"
        report.file.save(name, ContentFile(content), save=False)
        report.status, report.error = ReportStatus.READY, ""
    except Exception as exc:  # a report that cannot be written is marked failed, with why
        report.status, report.error = ReportStatus.FAILED, str(exc)[:300]
    report.save(update_fields=["file", "status", "error"])
    return report


def monthly_close(*, today: datetime.date | None = None) -> ScoreMonth | None:
    """The monthly job: once last month's cut-off has passed, freeze it and write its reports."""
    today = today or timezone.localdate()
    month = month_back(today.replace(day=1), 1)
    if not cutoff_passed(month, today):
        return None
    score_month = score_month_freeze(month=month)
    monthly_reports_create(score_month=score_month)
    return score_month


# Map outlines

OUTLINE_TYPES = frozenset({"Polygon", "MultiPolygon"})


def _positions(geometry: dict):
    rings = (
        geometry["coordinates"]
        if geometry["type"] == "Polygon"
        else [r for p in geometry["coordinates"] for r in p]
    )
    for ring in rings:
        yield from ring


def _outline_error(index: int, geometry) -> str | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in OUTLINE_TYPES:
        return _("feature %(n)s: the geometry must be a Polygon or MultiPolygon.") % {"n": index}
    try:
        for position in _positions(geometry):
            lon, lat = float(position[0]), float(position[1])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                return _("feature %(n)s: a position is outside WGS-84 longitude/latitude.") % {"n": index}
    except (TypeError, ValueError, IndexError, KeyError):
        return _("feature %(n)s: the coordinates are not valid.") % {"n": index}
    return None


def map_outlines_import(*, content: bytes) -> int:
    """Replaces the map's outlines with the features of a GeoJSON FeatureCollection, all or
    nothing: any invalid feature rejects the whole file (naming the feature)."""
    try:
        collection = json.loads(content)
        features = collection["features"] if collection.get("type") == "FeatureCollection" else None
    except (ValueError, AttributeError, KeyError, TypeError):
        features = None
    if not isinstance(features, list):
        raise FieldError({"file": _("The file is not a GeoJSON FeatureCollection.")})
    rows, problems = [], []
    for index, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        problem = _outline_error(index, geometry)
        if problem:
            problems.append(problem)
            continue
        properties = feature.get("properties") or {}
        name = str(properties.get("name") or properties.get("NAME") or index)[:100]
        rows.append(MapOutline(name=name, geometry=geometry))
    if problems:
        raise FieldError({"file": "; ".join(problems[:10])})
    with transaction.atomic():
        MapOutline.objects.all().delete()
        MapOutline.objects.bulk_create(rows)
    return len(rows)
