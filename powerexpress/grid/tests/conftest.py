"""Fixtures of the grid tests: a private data directory and small interval files for the world."""

import datetime as dt

import numpy as np
import polars as pl
import pytest


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def load(world, data_dir, django_capture_on_commit_callbacks):
    """Upload a transformer file as the clerk of station A, running the commit hooks."""
    from powerexpress.grid import services
    from powerexpress.grid.choices import DataKind

    def run(content, name="t.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            record = services.interval_file_ingest(
                user=world.users["clerk_a"], kind=DataKind.TRANSFORMER, file_name=name, content=content
            )
        assert record.status == "accepted", record.report
        return record

    return run


def transformer_csv(
    code="XD001-01",
    days=3,
    start=dt.datetime(2026, 1, 10),
    amps=(60.0, 60.0, 60.0),
    volts=225.0,
    overload_hours=None,
):
    """A clean 15-minute transformer file; ``overload_hours`` (first, last) puts 200 A on phase A."""
    rows = []
    for k in range(days * 96):
        ts = start + dt.timedelta(minutes=15 * k)
        shape = 0.5 + 0.5 * np.exp(-((ts.hour - 20) ** 2) / 6) - 0.2 * (ts.hour in (3, 4))
        a, b, c = (value * shape for value in amps)
        if overload_hours and overload_hours[0] <= ts.hour < overload_hours[1] and k < 96:
            a, b, c = 200.0, 160.0, 150.0
        rows.append(
            {
                "transformer": code,
                "ts": ts.strftime("%Y-%m-%d %H:%M"),
                "i_a": round(a, 2),
                "i_b": round(b, 2),
                "i_c": round(c, 2),
                "v_a": volts,
                "v_b": volts,
                "v_c": volts,
            }
        )
    return pl.DataFrame(rows).write_csv().encode()


def household_csv(accounts, days=3, start=dt.datetime(2026, 1, 10), base=0.1):
    rows = []
    for index, account in enumerate(accounts):
        for k in range(days * 96):
            ts = start + dt.timedelta(minutes=15 * k)
            evening = 1 + 3 * np.exp(-((ts.hour - 19 - index) ** 2) / 3) - 0.5 * (ts.hour in (3, 4))
            rows.append(
                {
                    "account_no": account,
                    "ts": ts.strftime("%Y-%m-%d %H:%M"),
                    "energy_kwh": round(base * (index + 1) * evening, 4),
                }
            )
    return pl.DataFrame(rows).write_csv().encode()
