"""Synthetic interval data for the demo county (deterministic from a seed).

What is generated (chosen so ``make demo`` stays fast):

- Transformer level, 15-minute steps, two years up to yesterday, every district: per-phase
  currents and voltages and the apparent power. The load comes from the district's households
  in the registry: each household has a demand (yearly energy by area, spread between districts
  and households), the district's peak follows from their total with diversity (Velander's
  formula), and each phase carries the demand of the households connected to it — so the
  registry's undersized units run heavily loaded and its unevenly connected districts unbalanced.
  On top: a daily shape (morning and evening peaks), a seasonal shape (winter heating, summer
  cooling), 3-12 % yearly growth, noise, and the Spring Festival surge aligned by the lunar
  calendar: 5-6x the normal level on New Year's Eve on the busiest rural districts, 1.5-3x on
  the other rural ones, little in town.
- Household level, 15-minute kWh, only for the households of the surging districts and of the
  others whose festival evening is expected above 40 % of the rating, and only over the last
  festival window (腊月廿五 to 正月初七): enough for a phase-balancing plan on every district at risk.
  The households on a phase add up to that phase's load.

Partitions are written straight to Parquet, and detection runs on the arrays in memory.
"""

import datetime as dt
import shutil

import numpy as np
import polars as pl
from django.db import transaction
from django.utils import timezone

from powerexpress.analytics import forecast
from powerexpress.grid import storage
from powerexpress.grid.choices import DataKind
from powerexpress.grid.models import FestivalForecast, GapRun, IntervalFile, LoadEvent, Partition, PhasePlan
from powerexpress.grid.services import (
    carry_steps_before,
    detect_arrays,
    forecast_run,
    grid_settings_get,
    thresholds_from,
)
from powerexpress.registry.choices import AreaClass, Phase
from powerexpress.registry.models import Customer, SupplyStation, TransformerDistrict

STEP_H = storage.STEP_MIN / 60
PHASE_INDEX = {Phase.A: 0, Phase.B: 1, Phase.C: 2, Phase.ABC: 3}

# Households' demand, with diversity (Velander's formula): a group of households that uses W kWh a
# year peaks at K1·W + K2·√W kW on a normal winter evening, so few households peak higher per
# household than many. Yearly energy per household outside the festival, by area; the busiest
# rural districts are the villages most people leave to work elsewhere, so they use less the rest
# of the year and surge most when everybody comes home.
VELANDER_K1 = 1 / 3500  # kW per kWh a year (both coefficients chosen for the demo)
VELANDER_K2 = 0.02  # kW per √(kWh a year)
ANNUAL_KWH = {AreaClass.URBAN: 2200.0, AreaClass.RURAL: 900.0, AreaClass.REMOTE: 700.0}
MIGRANT_KWH_SHARE = 0.65
DISTRICT_SPREAD = 0.3  # sigma of the log of a district's mean yearly energy per household
HOUSEHOLD_SPREAD = 0.5  # sigma of the log of a household's demand against its district's mean
WINTER_SEASON = 1.25  # about the top of _season() (mid-January), where the Velander peak is reached
POWER_FACTOR = 0.95
MIN_LOAD_KW = 0.5  # street lights and the like, for a district without households
# Household interval data is generated for the surging districts and for any other whose festival
# evening is expected above this load rate, so every district at risk can get a phase-balancing plan.
METERED_FROM_RATE = 0.4


def _households(rng) -> dict:
    """Per district code: account numbers, phase index (3 = three-phase) and relative demand
    (mean 1), drawn in account order."""
    rows = list(
        Customer.objects.filter(transformer__isnull=False)
        .order_by("account_no")
        .values_list("transformer__code", "account_no", "phase")
    )
    weights = rng.lognormal(-(HOUSEHOLD_SPREAD**2) / 2, HOUSEHOLD_SPREAD, len(rows))
    grouped: dict = {}
    for (code, account, phase), weight in zip(rows, weights, strict=True):
        grouped.setdefault(code, []).append((account, PHASE_INDEX.get(phase, 0), weight))
    return {
        code: {
            "accounts": [a for a, _p, _w in people],
            "phase": np.array([p for _a, p, _w in people]),
            "weight": np.array([w for _a, _p, w in people]),
        }
        for code, people in grouped.items()
    }


def _phase_shares(people: dict | None) -> np.ndarray:
    """Each phase's share of the district's demand: the households on it, a three-phase one a third on each."""
    if people is None:
        return np.full(3, 1 / 3)
    weight, phase = people["weight"], people["phase"]
    shares = np.array([weight[phase == p].sum() for p in range(3)]) + weight[phase == 3].sum() / 3
    return shares / shares.sum()


def _districts(rng):
    """Per district (in code order): rating, festival surge, yearly growth and the base apparent
    power per phase (kVA at season 1.0, before the daily shape) built from its households."""
    rows = list(
        TransformerDistrict.objects.order_by("code").values_list(
            "code", "rated_kva", "station__code", "village__area_class"
        )
    )
    m = len(rows)
    people = _households(rng)
    codes = [r[0] for r in rows]
    rural = np.array([r[3] != AreaClass.URBAN for r in rows])
    busy = rural & (rng.random(m) < 0.3)
    surge = np.where(
        busy, rng.uniform(5.0, 6.0, m), np.where(rural, rng.uniform(1.5, 3.0, m), rng.uniform(1.0, 1.3, m))
    )
    per_household_kwh = (
        np.array([ANNUAL_KWH[r[3]] for r in rows])
        * np.where(busy, MIGRANT_KWH_SHARE, 1.0)
        * rng.lognormal(-(DISTRICT_SPREAD**2) / 2, DISTRICT_SPREAD, m)
    )
    demand = np.array([people[c]["weight"].sum() if c in people else 0.0 for c in codes])
    annual_kwh = per_household_kwh * demand
    peak_kw = np.maximum(VELANDER_K1 * annual_kwh + VELANDER_K2 * np.sqrt(annual_kwh), MIN_LOAD_KW)
    shares = np.array([_phase_shares(people.get(c)) for c in codes])
    base_kva = (peak_kw / WINTER_SEASON / POWER_FACTOR)[:, None] * shares
    rated = np.array([r[1] for r in rows], dtype=float)
    metered = busy | (peak_kw / POWER_FACTOR * surge / rated >= METERED_FROM_RATE)
    return {
        "codes": codes,
        "stations": [r[2] for r in rows],
        "rated": rated,
        "surge": surge,
        "busy": busy,
        "metered": metered,
        "base_kva": base_kva,
        "people": people,
        "growth": rng.uniform(1.03, 1.12, m),
    }


def _daily_shape(hours: np.ndarray) -> np.ndarray:
    evening = np.exp(-((hours - 20.0) ** 2) / 4.5)
    morning = 0.55 * np.exp(-((hours - 7.5) ** 2) / 3.0)
    noon = 0.35 * np.exp(-((hours - 12.5) ** 2) / 4.0)
    return 0.22 + morning + noon + 0.78 * evening


def _festival_factor(days: np.ndarray, surge: np.ndarray) -> np.ndarray:
    """(m, n_days) multiplier: rises from 腊月廿三, peaks on New Year's Eve, eases by 正月十五."""
    factor = np.ones((surge.size, days.size))
    for year in sorted({d.year for d in days} | {d.year + 1 for d in days}):
        eve = forecast.new_year_day(year) - dt.timedelta(days=1)
        offset = np.array([(d - eve).days for d in days], dtype=float)
        shape = np.where(offset <= 0, np.exp(-(offset**2) / 18.0), np.exp(-(offset**2) / 40.0))
        shape[(offset < -8) | (offset > 16)] = 0.0
        factor += (surge[:, None] - 1.0) * shape[None, :]
    return factor


def _season(days: np.ndarray) -> np.ndarray:
    doy = np.array([d.timetuple().tm_yday for d in days], dtype=float)
    return 1.0 + 0.18 * np.cos(2 * np.pi * (doy - 15) / 365) + 0.08 * np.cos(4 * np.pi * (doy - 200) / 365)


def phase_loads_kva(d, days: list, start_day: dt.date, rng) -> np.ndarray:
    """(m, 3, n_days * 96) apparent power per phase in kVA."""
    day_arr = np.array(days)
    hours = (np.arange(storage.STEPS_PER_DAY) + 0.5) * STEP_H
    shape = np.tile(_daily_shape(hours) / _daily_shape(hours).max(), len(days))
    years = np.array([(day - start_day).days / 365.0 for day in days])
    trend = d["growth"][:, None] ** years[None, :]
    daily = _festival_factor(day_arr, d["surge"]) * _season(day_arr)[None, :] * trend
    daily = np.repeat(daily, storage.STEPS_PER_DAY, axis=1)
    m, steps = daily.shape[0], daily.shape[1]
    noise = rng.lognormal(0.0, 0.10, (m, 1, steps)) * rng.lognormal(0.0, 0.04, (m, 3, steps))
    return (d["base_kva"][:, :, None] * (daily * shape[None, :])[:, None, :] * noise).astype(np.float32)


def build_month(d, station_code: str, month: dt.date, end_day: dt.date, start_day: dt.date, rng):
    """Arrays (15-minute grid) and the Parquet frame of one station's month."""
    rows = [i for i, s in enumerate(d["stations"]) if s == station_code]
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    days = [month + dt.timedelta(days=k) for k in range((min(next_month, end_day) - month).days)]
    sub = {
        key: (value[rows] if isinstance(value, np.ndarray) else [value[i] for i in rows])
        for key, value in d.items()
        if key != "people"
    }
    loads = phase_loads_kva(sub, days, start_day, rng)
    phase_rate = loads / (sub["rated"][:, None, None] / 3)
    volts = (233.0 - 26.0 * phase_rate + rng.normal(0, 0.8, loads.shape)).astype(np.float32)
    amps = loads * 1000.0 / volts
    full_steps = (next_month - month).days * storage.STEPS_PER_DAY
    arrays = {}
    for p, name in enumerate("abc"):
        arrays[f"i_{name}"] = _pad(amps[:, p, :], full_steps)
        arrays[f"v_{name}"] = _pad(volts[:, p, :], full_steps)
    arrays["s_kva"] = _pad(loads.sum(axis=1), full_steps)
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(month, dt.time()), tz)
    steps = loads.shape[2]
    ts = pl.datetime_range(
        start.astimezone(dt.UTC),
        start.astimezone(dt.UTC) + dt.timedelta(minutes=15 * (steps - 1)),
        "15m",
        eager=True,
        time_unit="us",
    ).dt.convert_time_zone("UTC")
    codes = sub["codes"]
    frame = pl.DataFrame(
        {
            "transformer": pl.Series(codes, dtype=pl.String).gather(np.repeat(np.arange(len(codes)), steps)),
            "ts": pl.concat([ts] * len(codes)),
            **{f"i_{n}": np.round(amps[:, p, :], 1).reshape(-1) for p, n in enumerate("abc")},
            **{f"v_{n}": np.round(volts[:, p, :], 1).reshape(-1) for p, n in enumerate("abc")},
            "s_kva": np.round(loads.sum(axis=1), 2).reshape(-1),
        }
    )
    return rows, start, arrays, frame, loads


def _pad(values: np.ndarray, steps: int) -> np.ndarray:
    out = np.full((values.shape[0], steps), np.nan)
    out[:, : values.shape[1]] = values
    return out


def _households_frame(d, rows, loads, month, days_from, days_to, rng) -> pl.DataFrame | None:
    """15-minute kWh of the households of the metered districts in ``rows`` within [days_from, days_to]:
    each phase's load shared among its households by their demand, evening habits and noise."""
    first = max((days_from - month).days, 0)
    last = min((days_to - month).days + 1, loads.shape[2] // storage.STEPS_PER_DAY)
    if last <= first:
        return None
    window = slice(first * storage.STEPS_PER_DAY, last * storage.STEPS_PER_DAY)
    frames = []
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(month + dt.timedelta(days=first), dt.time()), tz)
    steps = window.stop - window.start
    ts = pl.datetime_range(
        start.astimezone(dt.UTC),
        start.astimezone(dt.UTC) + dt.timedelta(minutes=15 * (steps - 1)),
        "15m",
        eager=True,
        time_unit="us",
    )
    hours = (np.arange(steps) % storage.STEPS_PER_DAY + 0.5) * STEP_H
    for k, i in enumerate(rows):
        people = d["people"].get(d["codes"][i])
        if not d["metered"][i] or people is None:
            continue
        district = loads[k, :, window]
        n = len(people["accounts"])
        weight = people["weight"][:, None] * (
            1 + 0.8 * np.exp(-((hours[None, :] - rng.uniform(17.5, 22.5, n)[:, None]) ** 2) / 2.0)
        )
        weight *= rng.lognormal(0, 0.25, (n, steps))
        phase_index = people["phase"]
        kwh = np.zeros((n, steps))
        for p in range(3):
            on = (phase_index == p) | (phase_index == 3)
            if not on.any():
                continue
            part = weight[on] * np.where(phase_index[on] == 3, 1 / 3, 1.0)[:, None]
            kwh[on] += district[p][None, :] * POWER_FACTOR * part / part.sum(axis=0, keepdims=True) * STEP_H
        frames.append(
            pl.DataFrame(
                {
                    "account_no": np.repeat(people["accounts"], steps),
                    "ts": pl.concat([ts] * n),
                    "energy_kwh": np.round(kwh, 4).reshape(-1),
                }
            )
        )
    return pl.concat(frames) if frames else None


def grid_demo_build(
    *, seed: int = 20261127, today: dt.date | None = None, months: int = 24, progress=None
) -> dict:
    """Replace the demo's grid data: interval partitions, events, forecasts for the next festival."""
    rng = np.random.default_rng(seed)
    today = today or timezone.localdate()
    end_day = today
    start_day = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _ in range(months - 1):
        start_day = (start_day - dt.timedelta(days=1)).replace(day=1)
    d = _districts(rng)
    with transaction.atomic():
        PhasePlan.objects.filter(work_order__isnull=True).delete()
        FestivalForecast.objects.filter(work_order__isnull=True).delete()
        LoadEvent.objects.all().delete()
        GapRun.objects.all().delete()
        Partition.objects.all().delete()
        IntervalFile.objects.all().delete()
    shutil.rmtree(storage.root(), ignore_errors=True)
    last_festival = forecast.next_festival_year(today) - 1
    window = forecast.festival_window(last_festival)
    stations = {s.code: s for s in SupplyStation.objects.all()}
    partitions, events, readings, household_rows = [], 0, 0, 0
    month_list = storage.months_between(start_day, end_day - dt.timedelta(days=1))
    thresholds = thresholds_from(grid_settings_get())
    for station_code in sorted(set(d["stations"])):
        previous = None
        for month in month_list:
            rows, start, arrays, frame, loads = build_month(d, station_code, month, end_day, start_day, rng)
            folder = storage.partition_dir(DataKind.TRANSFORMER, station_code, month)
            folder.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(folder / "demo.parquet", compression="lz4", statistics=False)
            readings += frame.height
            transformers = [(d["codes"][i], int(d["rated"][i])) for i in rows]
            carry = 0
            if previous is not None:
                carry = min(
                    carry_steps_before(station_code=station_code, start=start, thresholds=thresholds),
                    previous["s_kva"].shape[1],
                )
            with_carry = {
                key: np.concatenate([previous[key][:, previous[key].shape[1] - carry :], value], axis=1)
                if carry
                else value
                for key, value in arrays.items()
            }
            written, _touches_end = detect_arrays(
                station_code=station_code,
                month=month,
                transformers=transformers,
                start=start,
                arrays=with_carry,
                carry_steps=carry,
            )
            events += written
            previous = arrays
            partitions.append(
                Partition(
                    kind=DataKind.TRANSFORMER,
                    station=stations[station_code],
                    month=month,
                    rows=frame.height,
                    detected_at=timezone.now(),
                )
            )
            homes = _households_frame(d, rows, loads, month, window[0], window[1], rng)
            if homes is not None:
                storage.write_parts(
                    DataKind.HOUSEHOLD, homes.with_columns(pl.lit(station_code).alias("station")), "demo"
                )
                partitions.append(
                    Partition(
                        kind=DataKind.HOUSEHOLD,
                        station=stations[station_code],
                        month=month,
                        rows=homes.height,
                    )
                )
                household_rows += homes.height
            if progress:
                progress(station_code, month)
    Partition.objects.bulk_create(partitions)
    festival_year = forecast.next_festival_year(today)
    forecasts = forecast_run(user=None, festival_year=festival_year)
    return {
        "transformers": len(d["codes"]),
        "readings": readings,
        "household_readings": household_rows,
        "events": events,
        "forecasts": forecasts,
        "festival_year": festival_year,
        "busy": int(d["busy"].sum()),
        "from": start_day,
        "to": end_day,
    }
