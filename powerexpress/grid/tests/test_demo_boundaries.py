"""The demo county's festival eve: 除夕 2022 fell on 31 January, the last day of a month partition.
Detection month by month with the carry-over, over the demo's stored data, must give the events
of one detection pass over the whole series (the demo builder's own pass runs on its unrounded
arrays in memory, so it is compared on the stored, rounded readings by detecting them again)."""

import datetime as dt

import numpy as np
import pytest

from powerexpress.analytics import loading
from powerexpress.grid import services, storage
from powerexpress.grid.demo import grid_demo_build
from powerexpress.grid.models import LoadEvent

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def test_the_demo_festival_eve_of_2022_gives_the_events_of_the_whole_series(world, data_dir):
    summary = grid_demo_build(today=dt.date(2022, 2, 20), months=3)
    first = dt.datetime.combine(summary["from"], dt.time(), TZ)
    last = dt.datetime.combine(summary["to"], dt.time(), TZ)
    assert first < dt.datetime(2022, 1, 31, 20, tzinfo=TZ) < last
    for station_code in ("XD", "ZJC"):
        for month in storage.months_between(summary["from"], summary["to"] - dt.timedelta(days=1)):
            services.partition_detect(station_code=station_code, month=month)
        transformers, a = services.window_arrays(station_code, first, last)
        events = loading.detect(
            s_kva=a["s_kva"],
            rated_kva=np.array([r for _c, r in transformers], dtype=float),
            i_a=a["i_a"],
            i_b=a["i_b"],
            i_c=a["i_c"],
            v_min=np.fmin(np.fmin(a["v_a"], a["v_b"]), a["v_c"]),
            v_max=np.fmax(np.fmax(a["v_a"], a["v_b"]), a["v_c"]),
            step_min=storage.STEP_MIN,
            thresholds=services.thresholds_from(services.grid_settings_get()),
        )
        step = dt.timedelta(minutes=15)
        expected = sorted(
            (transformers[row][0], str(kind), first + int(s) * step, first + int(e) * step)
            for kind, row, s, e in zip(events.kind, events.row, events.start, events.end, strict=True)
        )
        stored = sorted(
            (e.transformer.code, e.kind, e.start_at, e.end_at)
            for e in LoadEvent.objects.filter(transformer__station__code=station_code).select_related(
                "transformer"
            )
        )
        assert stored == expected
    assert LoadEvent.objects.exists()
