"""Events cross every boundary: a run split between two month partitions, two years or two
uploads is found once, whole, as detection over the whole series in one piece finds it."""

import datetime as dt
from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from powerexpress.analytics import loading
from powerexpress.grid import services, storage
from powerexpress.grid.choices import EventKind
from powerexpress.grid.models import LoadEvent

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def readings_csv(first: dt.datetime, last: dt.datetime, overloads=(), code="XD001-01") -> bytes:
    """15-minute readings from ``first`` to before ``last`` (Beijing time): about 40 kVA (less
    before dawn), and
    200/160/150 A at 225 V (114.75 kVA on the 100 kVA unit) inside each (start, end) of ``overloads``."""
    rows, ts = [], first
    while ts < last:
        hot = any(start <= ts < end for start, end in overloads)
        night = 0.6 if 2 <= ts.hour < 5 else 1.0  # the rural daily minimum, before dawn
        a, b, c = (200.0, 160.0, 150.0) if hot else (60.0 * night, 58.0 * night, 59.0 * night)
        rows.append(
            {
                "transformer": code,
                "ts": ts.strftime("%Y-%m-%d %H:%M"),
                "i_a": a,
                "i_b": b,
                "i_c": c,
                "v_a": 225.0,
                "v_b": 225.0,
                "v_c": 225.0,
            }
        )
        ts += dt.timedelta(minutes=15)
    return pl.DataFrame(rows).write_csv().encode()


def stored(kind=None):
    events = LoadEvent.objects.order_by("kind", "start_at")
    if kind:
        events = events.filter(kind=kind)
    return [
        (e.kind, e.start_at, e.end_at, e.peak, e.energy_above_kvah)
        for e in events.order_by("kind", "start_at")
    ]


def whole_series(first: dt.datetime, last: dt.datetime):
    """Detection over the whole stored series in one piece (the reference)."""
    transformers, a = services.window_arrays("XD", first, last)
    events = loading.detect(
        s_kva=a["s_kva"],
        rated_kva=np.array([r for _c, r in transformers], dtype=float),
        i_a=a["i_a"],
        i_b=a["i_b"],
        i_c=a["i_c"],
        v_min=np.fmin(np.fmin(a["v_a"], a["v_b"]), a["v_c"]),
        step_min=storage.STEP_MIN,
        thresholds=services.thresholds_from(services.grid_settings_get()),
    )
    step = dt.timedelta(minutes=15)
    peaks = np.where(events.kind == loading.LOW_VOLTAGE, events.peak, 100 * events.peak)
    return sorted(
        (str(k), first + int(s) * step, first + int(e) * step, services._d(p), services._d(en))
        for k, row, s, e, p, en in zip(
            events.kind, events.row, events.start, events.end, peaks, events.energy_above_kvah, strict=True
        )
        if transformers[row][0] == "XD001-01"
    )


FESTIVAL_EVE = (dt.datetime(2022, 1, 31, 23, 0, tzinfo=TZ), dt.datetime(2022, 2, 1, 1, 0, tzinfo=TZ))


def test_an_overload_from_23_00_on_31_january_to_01_00_on_1_february_is_one_event(load):
    first, last = dt.datetime(2022, 1, 30, tzinfo=TZ), dt.datetime(2022, 2, 3, tzinfo=TZ)
    load(readings_csv(first, last, [FESTIVAL_EVE]))
    [(kind, start, end, peak, energy)] = stored(EventKind.OVERLOAD)
    assert (start, end) == FESTIVAL_EVE
    assert peak == Decimal("114.8")  # 225 V × 510 A = 114.75 kVA on 100 kVA
    assert energy == Decimal("29.5")  # 8 steps × 14.75 kVA × 0.25 h
    assert sorted(stored()) == whole_series(first, last)


def test_the_joined_event_is_the_same_whichever_month_is_detected_first_or_again(load):
    first, last = dt.datetime(2022, 1, 30, tzinfo=TZ), dt.datetime(2022, 2, 3, tzinfo=TZ)
    load(readings_csv(first, last, [FESTIVAL_EVE]))
    expected = whole_series(first, last)
    for month in (dt.date(2022, 2, 1), dt.date(2022, 1, 1), dt.date(2022, 2, 1), dt.date(2022, 1, 1)):
        services.partition_detect(station_code="XD", month=month)
        assert sorted(stored()) == expected


def test_an_event_across_the_new_year_is_one_event(load):
    span = (dt.datetime(2021, 12, 31, 22, 30, tzinfo=TZ), dt.datetime(2022, 1, 1, 0, 30, tzinfo=TZ))
    first, last = dt.datetime(2021, 12, 30, tzinfo=TZ), dt.datetime(2022, 1, 2, tzinfo=TZ)
    load(readings_csv(first, last, [span]))
    [(_kind, start, end, _peak, _energy)] = stored(EventKind.OVERLOAD)
    assert (start, end) == span
    assert sorted(stored()) == whole_series(first, last)


def test_an_event_split_between_two_uploads_is_found_whole(load):
    """The first upload ends at 23:45 on 31 January with an overload of one hour: no event yet.
    The second, uploaded later, carries it on for another hour: one event of two hours."""
    first, middle, last = (
        dt.datetime(2022, 1, 30, tzinfo=TZ),
        dt.datetime(2022, 2, 1, 0, 0, tzinfo=TZ),
        dt.datetime(2022, 2, 3, tzinfo=TZ),
    )
    span = (dt.datetime(2022, 1, 31, 23, 0, tzinfo=TZ), dt.datetime(2022, 2, 1, 1, 0, tzinfo=TZ))
    load(readings_csv(first, middle, [span]), name="january.csv")
    assert stored(EventKind.OVERLOAD) == []
    load(readings_csv(middle, last, [span]), name="february.csv")
    [(_kind, start, end, _peak, _energy)] = stored(EventKind.OVERLOAD)
    assert (start, end) == span
    assert sorted(stored()) == whole_series(first, last)


def test_an_event_longer_than_the_carry_keeps_its_true_start(load):
    """Overloaded from 20:00 on 30 January (28 hours before the boundary) to 02:00 on 1 February."""
    span = (dt.datetime(2022, 1, 30, 20, 0, tzinfo=TZ), dt.datetime(2022, 2, 1, 2, 0, tzinfo=TZ))
    first, last = dt.datetime(2022, 1, 29, tzinfo=TZ), dt.datetime(2022, 2, 2, tzinfo=TZ)
    load(readings_csv(first, last, [span]))
    services.partition_detect(station_code="XD", month=dt.date(2022, 2, 1))
    [(_kind, start, end, _peak, energy)] = stored(EventKind.OVERLOAD)
    assert (start, end) == span
    assert energy == Decimal("442.5")  # 120 steps × 14.75 kVA × 0.25 h
    assert sorted(stored()) == whole_series(first, last)
