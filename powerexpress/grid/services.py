"""Writes of grid analytics: settings, ingestion, detection per partition, forecasts, plans."""

import datetime as dt
import hashlib
import io
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import polars as pl
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.accounts.roles import CHANGE_GRID_SETTINGS
from powerexpress.analytics import balancing, forecast, loading
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.scope import visible
from powerexpress.grid import storage
from powerexpress.grid.choices import Action, DataKind, FileStatus, RiskLevel
from powerexpress.grid.models import (
    FestivalForecast,
    GapRun,
    GridSettings,
    IntervalFile,
    LoadEvent,
    Partition,
    PhasePlan,
)
from powerexpress.registry.choices import Phase
from powerexpress.registry.models import Bureau, Customer, SupplyStation, TransformerDistrict
from powerexpress.workorders.choices import WorkOrderKind
from powerexpress.workorders.services import work_order_create

PHASE_INDEX = {Phase.A: 0, Phase.B: 1, Phase.C: 2}
SETTINGS_FIELDS = (
    "heavy_load_pct",
    "overload_pct",
    "load_min_duration_min",
    "unbalance_limit_pct",
    "unbalance_min_load_pct",
    "unbalance_min_duration_min",
    "practice_unbalance_pct",
    "practice_load_pct",
    "practice_min_duration_min",
    "low_voltage_v",
    "low_voltage_min_duration_min",
    "over_voltage_v",
    "over_voltage_min_duration_min",
    "emergency_long_pct",
    "emergency_long_minutes",
    "emergency_medium_pct",
    "emergency_medium_minutes",
    "emergency_short_pct",
    "emergency_short_minutes",
    "neutral_limit_pct",
    "neutral_min_duration_min",
    "bridge_single_gaps",
    "growth_factor",
    "returnee_factor",
)

BOOLEAN_SETTINGS = ("bridge_single_gaps",)


def _d(value, places: str = "0.1") -> Decimal:
    return Decimal(str(float(value))).quantize(Decimal(places), rounding=ROUND_HALF_UP)


# Settings


def grid_settings_get(*, station_code: str | None = None) -> GridSettings:
    """The settings of the station's bureau (the first bureau's when no station is given). They are
    created with the bureau; the defaults of DOMAIN.md §4, unsaved, stand in for a missing row, so
    a read never writes and saving it creates the row."""
    bureaus = Bureau.objects.order_by("pk")
    if station_code is not None:
        bureaus = bureaus.filter(stations__code=station_code)
    bureau = bureaus.first()
    if bureau is None:
        raise ApiError(_("No bureau is set up yet."), status=409, code="no_bureau")
    return GridSettings.objects.filter(bureau=bureau).first() or GridSettings(bureau=bureau)


def thresholds_from(grid_settings: GridSettings) -> loading.Thresholds:
    s = grid_settings
    return loading.Thresholds(
        heavy_load_rate=float(s.heavy_load_pct) / 100,
        overload_rate=float(s.overload_pct) / 100,
        load_min_duration_min=s.load_min_duration_min,
        unbalance_limit=float(s.unbalance_limit_pct) / 100,
        unbalance_min_load_rate=float(s.unbalance_min_load_pct) / 100,
        unbalance_min_duration_min=s.unbalance_min_duration_min,
        practice_unbalance_limit=float(s.practice_unbalance_pct) / 100,
        practice_load_rate=float(s.practice_load_pct) / 100,
        practice_min_duration_min=s.practice_min_duration_min,
        low_voltage_v=float(s.low_voltage_v),
        low_voltage_min_duration_min=s.low_voltage_min_duration_min,
        over_voltage_v=float(s.over_voltage_v),
        over_voltage_min_duration_min=s.over_voltage_min_duration_min,
        emergency_long_rate=float(s.emergency_long_pct) / 100,
        emergency_long_minutes=float(s.emergency_long_minutes),
        emergency_medium_rate=float(s.emergency_medium_pct) / 100,
        emergency_medium_minutes=float(s.emergency_medium_minutes),
        emergency_short_rate=float(s.emergency_short_pct) / 100,
        emergency_short_minutes=float(s.emergency_short_minutes),
        neutral_limit_rate=float(s.neutral_limit_pct) / 100,
        neutral_min_duration_min=s.neutral_min_duration_min,
    )


def grid_settings_update(*, user, values: dict) -> GridSettings:
    """Change thresholds or factors (managers only); checks ranges before saving."""
    if not user.has_perm(CHANGE_GRID_SETTINGS):
        raise ApiError(_("Only a manager may change the grid settings."), status=403, code="forbidden")
    current = grid_settings_get()
    errors = {}
    for name in SETTINGS_FIELDS:
        if name in BOOLEAN_SETTINGS:
            if name in values:
                setattr(current, name, values[name] in (True, "true", "on", "1", 1))
            continue
        if name not in values or values[name] in (None, ""):
            continue
        try:
            number = Decimal(str(values[name]))
        except ArithmeticError:
            errors[name] = _("Enter a number.")
            continue
        if number <= 0 or (name.endswith("_pct") and number > 500) or number >= 10_000:
            errors[name] = _("Out of range.")
            continue
        setattr(current, name, int(number) if name.endswith("_min") else number)
    if current.heavy_load_pct > current.overload_pct:
        errors["heavy_load_pct"] = _("Heavy load must not start above overload.")
    if current.low_voltage_v >= current.over_voltage_v:
        errors["over_voltage_v"] = _("Over-voltage must start above low voltage.")
    if errors:
        raise FieldError(errors)
    current.updated_by = user
    current.save()
    return current


# Ingestion


ISSUE_TEXTS = {
    "missing_columns": lambda p: _("Missing columns: %(columns)s.") % p,
    "bad_timestamp": lambda p: _("%(count)s timestamps cannot be read.") % p,
    "empty": lambda p: _("The file holds no readings."),
    "duplicates": lambda p: _("%(count)s duplicate readings (e.g. %(example)s).") % p,
    "irregular_step": lambda p: _("Irregular interval of %(step)s minutes.") % p,
    "off_grid": lambda p: _("Clock shift: %(count)s timestamps are not on the %(step)s-minute grid.") % p,
    "clock_shift_utc": lambda p: (
        _(
            "Clock shift: the daily minimum falls at %(hour)s h; timestamps look shifted by "
            "8 hours (UTC against Beijing time)."
        )
        % p
    ),
    "gaps": lambda p: _("%(count)s readings missing (%(percent)s%%).") % p,
    "negative": lambda p: _("%(count)s negative values.") % p,
    "unit_kv": lambda p: _("Unit mistake: voltages look like kV (median %(median)s), V expected.") % p,
    "unit_line_voltage": lambda p: (
        _("Unit mistake: voltages look line-to-line (median %(median)s V); phase-to-neutral expected.") % p
    ),
    "unit_w": lambda p: (
        _("Unit mistake: apparent power looks like VA (median %(median)s), kVA expected.") % p
    ),
    "unit_wh": lambda p: _("Unit mistake: energy looks like Wh (median %(median)s), kWh expected.") % p,
    "unknown_series": lambda p: _("%(count)s unknown or out-of-scope series (e.g. %(example)s).") % p,
    "already_loaded": lambda p: _("%(count)s readings are already loaded from another file.") % p,
    "unreadable": lambda p: _("The file cannot be read as CSV or Parquet: %(error)s") % p,
}


def issue_message(item: dict) -> str:
    return ISSUE_TEXTS[item["code"]](item.get("params") or {})


def _read_table(file_name: str, content: bytes) -> pl.DataFrame:
    if content[:4] == b"PAR1" or file_name.lower().endswith(".parquet"):
        return pl.read_parquet(io.BytesIO(content))
    return pl.read_csv(io.BytesIO(content), infer_schema_length=0)


def _series_index(user, kind: str) -> dict[str, tuple[str, int | None]]:
    """key → (station code, rated kVA) for the series the user may load."""
    if kind == DataKind.TRANSFORMER:
        rows = visible(user, TransformerDistrict.objects.all()).values_list(
            "code", "station__code", "rated_kva"
        )
        return {code: (station, rated) for code, station, rated in rows}
    rows = visible(user, Customer.objects.all()).values_list("account_no", "village__station__code")
    return {account: (station, None) for account, station in rows}


def _already_loaded(kind: str, frame: pl.DataFrame, stations: set[str]) -> int:
    key = storage.KEYS[kind]
    local = frame["ts"].dt.convert_time_zone(storage.LOCAL_TZ)
    months = storage.months_between(local.min().date(), local.max().date())
    count = 0
    for station_code in stations:
        lazy = storage.scan(
            kind, station_code=station_code, months=months, keys=frame[key].unique().to_list()
        )
        if lazy is not None:
            stored = lazy.select(key, "ts").collect()
            count += stored.join(frame.select(key, "ts"), on=[key, "ts"]).height
    return count


def interval_file_ingest(*, user, kind: str, file_name: str, content: bytes) -> IntervalFile:
    """Check a file of readings and store it whole, or reject it whole with its report.

    Idempotent: a file already accepted (same content) is returned as it is."""
    digest = hashlib.sha256(content).hexdigest()
    existing = IntervalFile.objects.filter(sha256=digest, status=FileStatus.ACCEPTED).first()
    if existing is not None:
        return existing
    index = _series_index(user, kind)
    raw = None
    try:
        raw = _read_table(file_name, content)
    except Exception as exc:  # noqa: BLE001 - any parser error means the file is unreadable
        issues = [loading.Issue("unreadable", True, {"error": str(exc)[:200]})]
        frame = None
    else:
        rated = (
            {code: float(r) for code, (_s, r) in index.items() if r} if kind == DataKind.TRANSFORMER else None
        )
        frame, issues = loading.check_intervals(raw, kind, rated_kva=rated)
    key = storage.KEYS[kind]
    stations: set[str] = set()
    if frame is not None:
        keys = frame[key].unique().to_list()
        unknown = sorted(k for k in keys if k not in index)
        if unknown:
            issues.append(
                loading.Issue("unknown_series", True, {"count": len(unknown), "example": unknown[0]})
            )
        else:
            stations = {index[k][0] for k in keys}
            overlap = _already_loaded(kind, frame, stations)
            if overlap:
                issues.append(loading.Issue("already_loaded", True, {"count": overlap}))
    report = [{"code": i.code, "fatal": i.fatal, "params": i.params} for i in issues]
    rejected = frame is None or any(i.fatal for i in issues)
    station = (
        SupplyStation.objects.filter(code=next(iter(stations))).first()
        if len(stations) == 1
        else getattr(user, "station", None)
    )
    record = IntervalFile(
        kind=kind,
        file_name=file_name[:200],
        sha256=digest,
        station=station,
        report=report,
        status=FileStatus.REJECTED if rejected else FileStatus.ACCEPTED,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    if rejected:
        record.rows = raw.height if raw is not None else 0
        record.save()
        return record
    return _store_accepted(record, kind, frame, index)


def _store_accepted(record: IntervalFile, kind: str, frame: pl.DataFrame, index: dict) -> IntervalFile:
    key = storage.KEYS[kind]
    record.rows = frame.height
    record.series = frame[key].n_unique()
    record.step_min = int(frame["step_min"][0])
    record.first_at, record.last_at = frame["ts"].min(), frame["ts"].max()
    frame = frame.drop("step_min")
    if kind == DataKind.TRANSFORMER and "s_kva" not in frame.columns:
        frame = frame.with_columns(
            loading.apparent_power_kva(*(pl.col(c) for c in storage.VALUE_COLUMNS[kind][:6])).alias("s_kva")
        )
    station_of = {k: v[0] for k, v in index.items()}
    frame = frame.with_columns(
        pl.col(key).replace_strict(station_of, return_dtype=pl.String).alias("station")
    )
    written = storage.part_rows(frame)
    with transaction.atomic():
        record.save()
        stations = {s.code: s for s in SupplyStation.objects.filter(code__in={s for s, _m in written})}
        for (station_code, month), rows in written.items():
            partition, _created = Partition.objects.get_or_create(
                kind=kind, station=stations[station_code], month=month
            )
            Partition.objects.filter(pk=partition.pk).update(rows=F("rows") + rows, detected_at=None)
        part_name = f"file-{record.pk}"
        transaction.on_commit(lambda: storage.write_published(kind, frame, part_name))
    if kind == DataKind.TRANSFORMER:
        from powerexpress.grid.tasks import detect_partition

        for station_code, month in written:
            transaction.on_commit(lambda s=station_code, m=month: detect_partition.delay(s, m.isoformat()))
    if django_apps.is_installed("powerexpress.lineloss"):
        from powerexpress.lineloss.tasks import compute_partition

        for station_code, month in written:
            transaction.on_commit(lambda s=station_code, m=month: compute_partition.delay(s, m.isoformat()))
    return record


# Detection


MAX_CARRY_DAYS = 366


def window_arrays(station_code: str, since: dt.datetime, until: dt.datetime):
    """(transformers, arrays dict) of a station's transformers on the 15-minute grid over
    [since, until), read from every month partition the window touches."""
    months = storage.months_between(timezone.localtime(since).date(), timezone.localtime(until).date())
    lazy = storage.scan(
        DataKind.TRANSFORMER, station_code=station_code, months=months, since=since, until=until
    )
    transformers = list(
        TransformerDistrict.objects.filter(station__code=station_code)
        .order_by("code")
        .values_list("code", "rated_kva")
    )
    steps = int((until - since) / dt.timedelta(minutes=storage.STEP_MIN))
    frame = storage.to_steps(lazy.collect(), DataKind.TRANSFORMER) if lazy is not None else pl.DataFrame()
    codes = [c for c, _r in transformers]
    arrays = {
        c: storage.to_grid(frame, "transformer", c, codes, since, steps)
        for c in storage.VALUE_COLUMNS[DataKind.TRANSFORMER]
        if c in frame.columns or c not in storage.OPTIONAL_COLUMNS[DataKind.TRANSFORMER]
    }
    return transformers, arrays


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    return (
        timezone.make_aware(dt.datetime.combine(month, dt.time()), tz),
        timezone.make_aware(dt.datetime.combine(next_month, dt.time()), tz),
    )


def carry_steps_before(*, station_code: str, start: dt.datetime, thresholds: loading.Thresholds) -> int:
    """How many steps before ``start`` detection must look at: the longest duration rule's steps
    (a run too short to be an event on either side may be one across), and back to the start of
    any stored event cut at ``start`` or joined across it (so the joined event is found whole, with its true start,
    peak and energy). At most ``MAX_CARRY_DAYS``."""
    step = dt.timedelta(minutes=storage.STEP_MIN)
    steps = loading.carry_steps(thresholds, storage.STEP_MIN)
    earliest = min(
        (
            found
            for model in (LoadEvent, GapRun)
            if (
                found := model.objects.filter(transformer__station__code=station_code, start_at__lt=start)
                .filter(end_at__gte=start)
                .aggregate(first=Min("start_at"))["first"]
            )
            is not None
        ),
        default=None,
    )
    if earliest is not None:
        steps = max(steps, -(-(start - earliest) // step))
    return min(steps, MAX_CARRY_DAYS * storage.STEPS_PER_DAY)


def partition_detect(*, station_code: str, month: dt.date) -> int:
    """Detect the events of one stored partition (replacing those found before), carrying the
    state needed from the months before, and write its daily summary. When an event now runs to
    the end of the month, or one joined across it before, the next month is detected again so
    the events that cross the boundary are joined there."""
    start, end = _month_bounds(month)
    thresholds = thresholds_from(grid_settings_get(station_code=station_code))
    carry = carry_steps_before(station_code=station_code, start=start, thresholds=thresholds)
    since = start - carry * dt.timedelta(minutes=storage.STEP_MIN)
    transformers, arrays = window_arrays(station_code, since, end)
    count, touches_end = detect_arrays(
        station_code=station_code,
        month=month,
        transformers=transformers,
        start=start,
        arrays=arrays,
        carry_steps=carry,
    )
    Partition.objects.filter(kind=DataKind.TRANSFORMER, station__code=station_code, month=month).update(
        detected_at=timezone.now()
    )
    next_month = end.date()
    if (
        touches_end
        and Partition.objects.filter(
            kind=DataKind.TRANSFORMER, station__code=station_code, month=next_month, detected_at__isnull=False
        ).exists()
    ):
        partition_detect(station_code=station_code, month=next_month)
    return count


def detect_arrays(
    *, station_code: str, month: dt.date, transformers, start, arrays, carry_steps: int = 0
) -> tuple[int, bool]:
    """Events and daily summary of one month of a station from its 15-minute arrays.

    ``arrays`` begin ``carry_steps`` steps before ``start`` (the month's first step): events lying
    wholly in that carry belong to the month before and are left alone; an event crossing into
    the month replaces the event of the month before that was cut at the boundary. Returns (events
    written, whether an event touches the month's end — a cut that the next month must join)."""
    a = arrays
    rated = np.array([r for _c, r in transformers], dtype=float)
    current_settings = grid_settings_get(station_code=station_code)
    thresholds = thresholds_from(current_settings)
    v_min = np.fmin(np.fmin(a["v_a"], a["v_b"]), a["v_c"])
    v_max = np.fmax(np.fmax(a["v_a"], a["v_b"]), a["v_c"])
    i_n = a.get("i_n")
    events = loading.detect(
        s_kva=a["s_kva"],
        rated_kva=rated,
        i_a=a["i_a"],
        i_b=a["i_b"],
        i_c=a["i_c"],
        v_min=v_min,
        v_max=v_max,
        i_n=None if i_n is None or np.isnan(i_n).all() else i_n,
        step_min=storage.STEP_MIN,
        thresholds=thresholds,
        bridge_single_gaps=current_settings.bridge_single_gaps,
    )
    ids = dict(TransformerDistrict.objects.filter(station__code=station_code).values_list("code", "pk"))
    step = dt.timedelta(minutes=storage.STEP_MIN)
    since = start - carry_steps * step
    steps_total = a["s_kva"].shape[1]
    end_at = since + steps_total * step
    keep = events.end > carry_steps
    peaks = np.where(np.isin(events.kind, loading.VOLTAGE_KINDS), events.peak, 100 * events.peak)
    rows = [
        (
            ids[transformers[row][0]],
            kind,
            since + int(first) * step,
            since + int(last) * step,
            _d(peak),
            _d(energy),
            bool(gap),
        )
        for kind, row, first, last, peak, energy, gap in zip(
            events.kind[keep],
            events.row[keep],
            events.start[keep],
            events.end[keep],
            peaks[keep],
            events.energy_above_kvah[keep],
            events.gap_inside[keep],
            strict=True,
        )
    ]
    broken = events.broken
    broken_keep = broken.end > carry_steps
    gap_runs = [
        GapRun(
            transformer_id=ids[transformers[row][0]],
            kind=kind,
            start_at=since + int(first) * step,
            end_at=since + int(last) * step,
        )
        for kind, row, first, last in zip(
            broken.kind[broken_keep],
            broken.row[broken_keep],
            broken.start[broken_keep],
            broken.end[broken_keep],
            strict=True,
        )
    ]
    # An event crossing into the month replaces the month before's pieces of it: the one cut at
    # the boundary, or one that ended a missing reading before it.
    crossing = {(t, k, first) for t, k, first, *_rest in rows if first < start}
    gaps_crossing = {(g.transformer_id, g.kind, g.start_at) for g in gap_runs if g.start_at < start}
    with transaction.atomic():
        current = LoadEvent.objects.filter(
            transformer_id__in=ids.values(), start_at__lt=end_at, end_at__gt=start
        )
        joined_after = current.filter(end_at__gt=end_at).exists()
        current.delete()
        for transformer_id, kind, first in crossing:
            LoadEvent.objects.filter(
                transformer_id=transformer_id, kind=kind, start_at__gte=first, start_at__lt=start
            ).delete()
        _insert_events(rows)
        current_gaps = GapRun.objects.filter(
            transformer_id__in=ids.values(), start_at__lt=end_at, end_at__gt=start
        )
        joined_after = joined_after or current_gaps.filter(end_at__gt=end_at).exists()
        current_gaps.delete()
        for transformer_id, kind, first in gaps_crossing:
            GapRun.objects.filter(
                transformer_id=transformer_id, kind=kind, start_at__gte=first, start_at__lt=start
            ).delete()
        GapRun.objects.bulk_create(gap_runs, batch_size=2000)
    _write_daily(station_code, month, transformers, {k: v[:, carry_steps:] for k, v in a.items()})
    touches_end = (
        joined_after
        # within a missing reading of the end: the next month may bridge or mark across it
        or bool((events.end[keep] >= steps_total - 1).any())
        or bool((broken.end[broken_keep] >= steps_total - 1).any())
    )
    return len(rows), touches_end


def _insert_events(rows: list[tuple]) -> None:
    """Bulk insert of events through the cursor: months of events are hundreds of thousands of rows,
    too many for model instances."""
    table = LoadEvent._meta.db_table
    columns = "transformer_id, kind, start_at, end_at, peak, energy_above_kvah, gap_inside"
    with connection.cursor() as cursor:
        for first in range(0, len(rows), 5000):
            batch = [
                (t, k, _db_time(s), _db_time(e), str(p), str(en), gap)
                for t, k, s, e, p, en, gap in rows[first : first + 5000]
            ]
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)", batch)


def _db_time(value: dt.datetime):
    return (
        value
        if connection.vendor == "postgresql"
        else value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    )


def _write_daily(station_code, month, transformers, a) -> None:
    """Daily peak load rate, unbalance at that peak and lowest voltage per transformer (for forecasts)."""
    m, steps = a["s_kva"].shape
    days = steps // storage.STEPS_PER_DAY
    rated = np.array([r for _c, r in transformers], dtype=float)
    s = a["s_kva"].reshape(m, days, storage.STEPS_PER_DAY)
    unb = loading.unbalance(a["i_a"], a["i_b"], a["i_c"]).reshape(m, days, storage.STEPS_PER_DAY)
    has = ~np.all(np.isnan(s), axis=2)
    at = np.argmax(np.where(np.isnan(s), -np.inf, s), axis=2)
    peak = np.take_along_axis(s, at[..., None], axis=2)[..., 0]
    peak_unb = np.take_along_axis(unb, at[..., None], axis=2)[..., 0]
    rows, cols = np.nonzero(has)
    frame = pl.DataFrame(
        {
            "transformer": [transformers[r][0] for r in rows],
            "date": [month + dt.timedelta(days=int(c)) for c in cols],
            "peak_kva": peak[rows, cols],
            "peak_rate": peak[rows, cols] / rated[rows],
            "peak_unbalance": peak_unb[rows, cols],
        },
        schema={
            "transformer": pl.String,
            "date": pl.Date,
            "peak_kva": pl.Float64,
            "peak_rate": pl.Float64,
            "peak_unbalance": pl.Float64,
        },
    )
    folder = storage.partition_dir("daily", station_code, month)
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(folder / "daily.parquet")


# Forecast


def forecast_run(
    *,
    user,
    festival_year: int,
    growth: Decimal | None = None,
    returnee: Decimal | None = None,
    station_code: str | None = None,
) -> int:
    """Forecast every district with history (of one station, or all) for ``festival_year`` and
    store its risk and recommended action; earlier forecasts without a work order are replaced."""
    from powerexpress.grid.selectors import daily_peaks

    grid_settings = grid_settings_get(station_code=station_code)
    growth = Decimal(growth if growth is not None else grid_settings.growth_factor)
    returnee = Decimal(returnee if returnee is not None else grid_settings.returnee_factor)
    if growth <= 0 or returnee <= 0:
        raise FieldError({"growth" if growth <= 0 else "returnee": _("Must be above zero.")})
    daily = daily_peaks(station_code)
    if daily is None or daily.is_empty():
        return 0
    result = forecast.forecast(
        daily, festival_year, forecast.ForecastSettings(growth=float(growth), returnee=float(returnee))
    )
    ids = dict(TransformerDistrict.objects.values_list("code", "pk"))
    new_year = forecast.new_year_day(festival_year)
    limit = float(grid_settings.unbalance_limit_pct) / 100
    rows = []
    for item in result.iter_rows(named=True):
        rate = item["forecast_rate"]
        action = forecast.recommend(rate, item["unbalance_at_peak"], item["normal_rate"], limit) or ""
        rows.append(
            FestivalForecast(
                festival_year=festival_year,
                transformer_id=ids[item["transformer"]],
                forecast_rate_pct=_d(100 * rate),
                naive_rate_pct=_d(100 * item["naive_rate"]),
                measured_growth=_d(item["measured_growth"], "0.001"),
                normal_rate_pct=None if item["normal_rate"] is None else _d(100 * item["normal_rate"]),
                unbalance_at_peak_pct=None
                if item["unbalance_at_peak"] is None
                else _d(100 * item["unbalance_at_peak"]),
                peak_on=new_year + dt.timedelta(days=int(item["peak_offset"])),
                risk=RiskLevel(forecast.risk_level(rate)),
                action=action,
                growth_factor=growth,
                returnee_factor=returnee,
            )
        )
    issued = set(
        FestivalForecast.objects.filter(festival_year=festival_year, work_order__isnull=False).values_list(
            "transformer_id", flat=True
        )
    )
    rows = [row for row in rows if row.transformer_id not in issued]
    with transaction.atomic():
        FestivalForecast.objects.filter(
            festival_year=festival_year,
            work_order__isnull=True,
            transformer_id__in=[row.transformer_id for row in rows],
        ).delete()
        FestivalForecast.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


ACTION_KINDS = {
    Action.REBALANCE: WorkOrderKind.PHASE_BALANCE,
    Action.EXTRA_CAPACITY: WorkOrderKind.EXTRA_CAPACITY,
    Action.REPLACE_UNIT: WorkOrderKind.REPLACE_UNIT,
}


def forecast_issue(*, user, item: FestivalForecast, action: str) -> FestivalForecast:
    """Turn the chosen action for an at-risk district into a work order for its station's service team."""
    if action not in Action.values:
        raise FieldError({"action": _("Choose an action.")})
    transformer = item.transformer
    window = forecast.festival_window(item.festival_year)
    order = work_order_create(
        user=user,
        station=transformer.station,
        kind=ACTION_KINDS[action],
        transformer=transformer,
        village=transformer.village,
        due_on=window[0] - dt.timedelta(days=7),
        title=_("%(action)s before the %(year)s Spring Festival: %(name)s")
        % {"action": Action(action).label, "year": item.festival_year, "name": transformer.name},
        description=_("Forecast peak load rate %(rate)s%% on %(day)s (rated %(kva)s kVA).")
        % {"rate": item.forecast_rate_pct, "day": item.peak_on, "kva": transformer.rated_kva},
        source_type="grid_forecast",
        source_ref=f"{item.pk}",
    )
    item.work_order = order
    item.action = action
    item.save(update_fields=["work_order", "action"])
    return item


# Phase balancing: one service for the API, the command and the transformer page

PHASE_LETTERS = {"A": 0, "B": 1, "C": 2}


def _phase_balance_limits() -> tuple[int, int]:
    from django.conf import settings

    return settings.GRID_BALANCE_MAX_HOUSEHOLDS, settings.GRID_BALANCE_MAX_VALUES


def phase_balance_inputs(*, profiles, phases, max_moves, fixed=()):
    """Validate a phase-balance request given as plain values (the API body, or the command's
    JSON file): (names, profiles n × T in kW, phase indexes, fixed mask, max_moves), or a
    FieldError naming each bad field; 413 ``too_large`` beyond the configured size."""
    errors = {}
    if not isinstance(profiles, dict) or not profiles:
        errors["profiles"] = _("Give at least one household profile.")
        profiles = {}
    if not isinstance(phases, dict):
        errors["phases"] = _("Give exactly one phase per profiled household (check: %(names)s).") % {
            "names": ""
        }
        phases = {}
    if isinstance(max_moves, bool) or not isinstance(max_moves, int) or max_moves < 0:
        errors["max_moves"] = _("Enter a whole number of at least 0.")
    if not isinstance(fixed, list | tuple) or not all(isinstance(name, str) for name in fixed):
        errors["fixed"] = _("Enter a list.")
        fixed = []
    names = sorted(str(name) for name in profiles)
    missing = [name for name in names if name not in phases]
    extra = [name for name in phases if name not in profiles]
    if missing or extra:
        errors["phases"] = _("Give exactly one phase per profiled household (check: %(names)s).") % {
            "names": ", ".join((missing + extra)[:5])
        }
    elif any(phases[name] not in PHASE_LETTERS for name in names):
        errors["phases"] = _("Choose one of: %(choices)s.") % {"choices": "A, B, C"}
    if any(not isinstance(profiles[name], list | tuple) for name in names):
        errors["profiles"] = _("Values must be finite numbers.")
    else:
        lengths = {len(profiles[name]) for name in names}
        if len(lengths) > 1:
            errors["profiles"] = _("All profiles must have the same length.")
        elif lengths == {0}:
            errors["profiles"] = _("Profiles must not be empty.")
    unknown = [name for name in fixed if name not in profiles]
    if unknown:
        errors["fixed"] = _("Unknown households: %(names)s.") % {"names": ", ".join(unknown[:5])}
    if errors:
        raise FieldError(errors)
    max_households, max_values = _phase_balance_limits()
    if len(names) > max_households or len(names) * len(profiles[names[0]]) > max_values:
        raise ApiError(
            _("Too many values: at most %(n)s households and %(values)s values.")
            % {"n": max_households, "values": max_values},
            status=413,
            code="too_large",
        )
    try:
        rows = np.array([profiles[name] for name in names], dtype=float)
    except (TypeError, ValueError):
        raise FieldError({"profiles": _("Values must be finite numbers.")}) from None
    if not np.isfinite(rows).all():
        raise FieldError({"profiles": _("Values must be finite numbers.")})
    indexes = np.array([PHASE_LETTERS[phases[name]] for name in names])
    fixed_mask = np.array([name in set(fixed) for name in names])
    return names, rows, indexes, fixed_mask, max_moves


def safety_stop(seconds: float) -> Callable[[], bool]:
    """The engine's safety stop: True once ``seconds`` of wall-clock time have passed since now.
    The clock is read here in the shell, never in the analytics core; the engine only asks
    between rounds and solves, so an answer it gives is bounded by work alone."""
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() >= deadline


def phase_balance_solve(rows, phases, max_moves: int, fixed) -> balancing.BalanceResult:
    """The engine with the project's work bounds and safety stop (settings read at call time)."""
    from django.conf import settings

    return balancing.balance_phases(
        rows,
        phases,
        max_moves,
        fixed,
        milp_node_limit=settings.GRID_BALANCE_MILP_NODES,
        local_search_rounds=settings.GRID_BALANCE_SEARCH_ROUNDS,
        should_stop=safety_stop(settings.GRID_BALANCE_SAFETY_SECONDS),
    )


def _plan_moves(names, result) -> list[dict]:
    return [
        {"household": names[i], "from": balancing.PHASES[a], "to": balancing.PHASES[b]}
        for i, a, b in result.moves
    ]


def phase_balance(*, profiles, phases, max_moves, fixed=()) -> dict:
    """A phase-balancing plan for given profiles, answered as ``POST /api/v1/grid/phase-balance``
    documents it (the command prints the same)."""
    names, rows, indexes, fixed_mask, max_moves = phase_balance_inputs(
        profiles=profiles, phases=phases, max_moves=max_moves, fixed=list(fixed)
    )
    result = phase_balance_solve(rows, indexes, max_moves, fixed_mask)
    return {
        "moves": _plan_moves(names, result),
        "peak_phase_kw_before": round(result.peak_before_kw, 6),
        "peak_phase_kw_after": round(result.peak_after_kw, 6),
        "unbalance_before": round(result.unbalance_before, 6),
        "unbalance_after": round(result.unbalance_after, 6),
        "optimal": result.optimal,
        "solver": result.solver,
        "stopped_early": result.stopped_early,
    }


# Phase-balancing plans of a district


def household_profiles(transformer: TransformerDistrict, start: dt.date, end: dt.date):
    """(accounts, phases, profiles in kW n × steps) of the district's households over [start, end]."""
    customers = list(transformer.customers.order_by("account_no").values_list("account_no", "phase"))
    tz = timezone.get_default_timezone()
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()), tz)
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), tz)
    steps = (end - start).days * storage.STEPS_PER_DAY + storage.STEPS_PER_DAY
    accounts = [a for a, _p in customers]
    lazy = storage.scan(
        DataKind.HOUSEHOLD,
        station_code=transformer.station.code,
        months=storage.months_between(start, end),
        keys=accounts,
        since=since,
        until=until,
    )
    frame = storage.to_steps(lazy.collect(), DataKind.HOUSEHOLD) if lazy is not None else pl.DataFrame()
    energy = storage.to_grid(frame, "account_no", "energy_kwh", accounts, since, steps)
    return customers, np.nan_to_num(energy) * (60 / storage.STEP_MIN)


def engine_inputs(customers, profiles):
    """Profiles and phases for the engine: three-phase households are split into three fixed thirds."""
    rows, phases, fixed, names = [], [], [], []
    for (account, phase), profile in zip(customers, profiles, strict=True):
        if phase in PHASE_INDEX:
            rows.append(profile)
            phases.append(PHASE_INDEX[phase])
            fixed.append(False)
            names.append(account)
        else:
            for index in range(3):
                rows.append(profile / 3)
                phases.append(index)
                fixed.append(True)
                names.append(None)
    return (
        names,
        np.array(rows).reshape(len(rows), -1),
        np.array(phases, dtype=int),
        np.array(fixed, dtype=bool),
    )


def phase_plan_create(
    *,
    user,
    transformer: TransformerDistrict,
    max_moves: int,
    start: dt.date,
    end: dt.date,
    holdout_days: int = 2,
) -> PhasePlan:
    """Compute a plan over [start, end − holdout] and check it on the last ``holdout_days`` days."""
    if not 0 <= max_moves <= 50:
        raise FieldError({"max_moves": _("Between 0 and 50.")})
    customers, profiles = household_profiles(transformer, start, end)
    names, rows, phases, fixed = engine_inputs(customers, profiles)
    if not names or not rows.any():
        raise ApiError(
            _("No household interval data for this district in that period."), status=409, code="no_data"
        )
    split = (
        rows.shape[1] - holdout_days * storage.STEPS_PER_DAY
        if (end - start).days >= holdout_days + 1
        else rows.shape[1]
    )
    result = phase_balance_solve(rows[:, :split], phases, max_moves, fixed)
    holdout = None
    if split < rows.shape[1]:
        holdout = (
            balancing.phase_loads(rows[:, split:], phases).max(),
            balancing.phase_loads(rows[:, split:], result.phases_after).max(),
        )
    return PhasePlan.objects.create(
        transformer=transformer,
        max_moves=max_moves,
        days_from=start,
        days_to=end,
        created_by=user,
        moves=_plan_moves(names, result),
        peak_phase_kw_before=_d(result.peak_before_kw, "0.01"),
        peak_phase_kw_after=_d(result.peak_after_kw, "0.01"),
        unbalance_before_pct=_d(100 * result.unbalance_before),
        unbalance_after_pct=_d(100 * result.unbalance_after),
        holdout_kw_before=None if holdout is None else _d(holdout[0], "0.01"),
        holdout_kw_after=None if holdout is None else _d(holdout[1], "0.01"),
        optimal=result.optimal,
        solver=result.solver,
        stopped_early=result.stopped_early,
    )


def phase_plan_issue(*, user, plan: PhasePlan) -> PhasePlan:
    """Issue the plan as a phase-balancing work order listing each household's move."""
    if not plan.moves:
        raise ApiError(_("This plan moves no household."), status=409, code="empty_plan")
    transformer = plan.transformer
    order = work_order_create(
        user=user,
        station=transformer.station,
        kind=WorkOrderKind.PHASE_BALANCE,
        transformer=transformer,
        village=transformer.village,
        items=plan.moves,
        title=_("Rebalance phases: %(name)s (%(count)s households)")
        % {"name": transformer.name, "count": len(plan.moves)},
        description=_("Peak phase load %(before)s kW → %(after)s kW; unbalance %(ub)s%% → %(ua)s%%.")
        % {
            "before": plan.peak_phase_kw_before,
            "after": plan.peak_phase_kw_after,
            "ub": plan.unbalance_before_pct,
            "ua": plan.unbalance_after_pct,
        },
        source_type="phase_plan",
        source_ref=str(plan.pk),
    )
    plan.work_order = order
    plan.save(update_fields=["work_order"])
    return plan
