"""Over-voltage, the emergency-overload limits and the neutral current (DOMAIN.md §4), with the
expected events worked out from the rules by hand."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from powerexpress.analytics import loading
from powerexpress.analytics.loading import Thresholds, check_intervals, detect
from powerexpress.grid import services
from powerexpress.grid.choices import DataKind, EventKind
from powerexpress.grid.models import LoadEvent


def quiet(steps=96, kva=50.0):
    s = np.full((1, steps), kva)
    i = np.full((1, steps), 60.0)
    return {
        "s_kva": s,
        "i_a": i.copy(),
        "i_b": i.copy(),
        "i_c": i.copy(),
        "v_min": np.full((1, steps), 225.0),
    }


def found(events, kind):
    chosen = events.kind == kind
    return list(zip(events.start[chosen].tolist(), events.end[chosen].tolist(), strict=True))


def test_over_voltage_is_above_235_4_volts_for_at_least_15_minutes():
    a = quiet()
    v_max = np.full((1, 96), 230.0)
    v_max[0, 10] = 235.4  # exactly +7 %: not above
    v_max[0, 20:22] = 236.0
    events = detect(rated_kva=np.array([100.0]), **a, v_max=v_max)
    assert found(events, loading.OVER_VOLTAGE) == [(20, 22)]
    assert events.peak[events.kind == loading.OVER_VOLTAGE].tolist() == [236.0]


@pytest.mark.parametrize(
    ("rate", "steps", "kind", "raised"),
    [
        (1.35, 8, loading.EMERGENCY_LONG, False),  # 2 h at 1.3×: permitted
        (1.35, 9, loading.EMERGENCY_LONG, True),  # 2 h 15 min: beyond the limit
        (1.7, 2, loading.EMERGENCY_MEDIUM, False),  # 30 min at 1.6×: permitted
        (1.7, 3, loading.EMERGENCY_MEDIUM, True),
        (2.1, 1, loading.EMERGENCY_SHORT, True),  # 15 min at 2×: beyond 7.5 min
    ],
)
def test_emergency_overload_is_raised_beyond_the_permitted_time(rate, steps, kind, raised):
    a = quiet()
    a["s_kva"][0, 40 : 40 + steps] = 100.0 * rate
    events = detect(rated_kva=np.array([100.0]), **a)
    assert found(events, kind) == ([(40, 40 + steps)] if raised else [])


def test_an_emergency_event_carries_its_peak_and_energy_above_its_limit():
    a = quiet()
    a["s_kva"][0, 40:43] = [170.0, 180.0, 170.0]
    events = detect(rated_kva=np.array([100.0]), **a)
    chosen = events.kind == loading.EMERGENCY_MEDIUM
    assert events.peak[chosen].tolist() == [pytest.approx(1.8)]
    # (10 + 20 + 10) kVA above 160 kVA for a quarter hour each
    assert events.energy_above_kvah[chosen].tolist() == [pytest.approx(10.0)]


def test_the_neutral_current_rule_uses_a_quarter_of_the_rated_current():
    rated_current = 100.0 / (np.sqrt(3) * 0.4)  # 144.3 A for 100 kVA at 0.4 kV
    a = quiet()
    i_n = np.full((1, 96), 0.2 * rated_current)
    i_n[0, 50:58] = 0.3 * rated_current  # 2 h above 25 %
    i_n[0, 70:77] = 0.3 * rated_current  # 1 h 45 min: too short
    events = detect(rated_kva=np.array([100.0]), **a, i_n=i_n)
    assert found(events, loading.NEUTRAL_CURRENT) == [(50, 58)]
    assert events.peak[events.kind == loading.NEUTRAL_CURRENT].tolist() == [pytest.approx(0.3)]


def test_without_a_neutral_column_no_neutral_event_is_looked_for():
    events = detect(rated_kva=np.array([100.0]), **quiet())
    assert found(events, loading.NEUTRAL_CURRENT) == []


def test_the_new_limits_are_settings():
    a = quiet()
    v_max = np.full((1, 96), 240.0)
    events = detect(
        rated_kva=np.array([100.0]), **a, v_max=v_max, thresholds=Thresholds(over_voltage_v=242.0)
    )
    assert found(events, loading.OVER_VOLTAGE) == []


def test_a_file_with_a_neutral_column_and_an_unknown_column_is_accepted():
    start = dt.datetime(2026, 1, 10)
    rows = [
        {
            "transformer": "T1",
            "ts": (start + dt.timedelta(minutes=15 * k)).strftime("%Y-%m-%d %H:%M"),
            "i_a": 60.0,
            "i_b": 60.0,
            "i_c": 60.0,
            "v_a": 225.0,
            "v_b": 225.0,
            "v_c": 225.0,
            "i_n": 12.5,
            "energy_kwh": 3.0,
        }
        for k in range(8)
    ]
    frame, issues = check_intervals(pl.DataFrame(rows), "transformer")
    assert frame is not None, issues
    assert frame["i_n"].to_list() == [12.5] * 8


@pytest.mark.django_db
def test_a_neutral_current_in_an_uploaded_file_becomes_an_event(
    world, data_dir, django_capture_on_commit_callbacks
):
    rows, start = [], dt.datetime(2026, 1, 10)
    for k in range(3 * 96):
        ts = start + dt.timedelta(minutes=15 * k)
        night = 0.6 if 2 <= ts.hour < 5 else 1.0
        rows.append(
            {
                "transformer": "XD001-01",
                "ts": ts.strftime("%Y-%m-%d %H:%M"),
                "i_a": 80.0 * night,
                "i_b": 40.0 * night,
                "i_c": 40.0 * night,
                "v_a": 225.0,
                "v_b": 225.0,
                "v_c": 225.0,
                "i_n": 40.0 if 18 <= ts.hour < 21 else 5.0,  # 40 A > 25 % of 144.3 A for 3 h
            }
        )
    with django_capture_on_commit_callbacks(execute=True):
        record = services.interval_file_ingest(
            user=world.users["clerk_a"],
            kind=DataKind.TRANSFORMER,
            file_name="n.csv",
            content=pl.DataFrame(rows).write_csv().encode(),
        )
    assert record.status == "accepted", record.report
    events = LoadEvent.objects.filter(kind=EventKind.NEUTRAL_CURRENT).order_by("start_at")
    assert events.count() == 3 and all(e.duration_min == 180 for e in events)


@pytest.mark.django_db
def test_the_settings_page_marks_the_unsourced_assumptions_to_verify(world):
    page = world.web("manager").get("/grid/settings/").content.decode()
    assert page.count("to verify") >= 4
    assert "GB/T 12325-2008" in page and "235.4" in page
