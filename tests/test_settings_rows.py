"""Per-bureau settings rows are created with the bureau (``bureau_setup``, or the data migration
for bureaus set up before); the selectors that read them never write."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from powerexpress.applications.models import ApplicationPolicy, TimeLimit
from powerexpress.applications.selectors import policy_current, time_limit_for
from powerexpress.grid.models import GridSettings
from powerexpress.grid.services import grid_settings_get
from powerexpress.lineloss.models import LineLossSettings
from powerexpress.lineloss.services import lineloss_settings_get
from powerexpress.registry.models import Bureau, SupplyStation
from powerexpress.repair.models import RepairSettings
from powerexpress.repair.selectors import repair_settings_for

pytestmark = pytest.mark.django_db

SETTINGS_MODELS = (RepairSettings, GridSettings, LineLossSettings, ApplicationPolicy, TimeLimit)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SETTINGS_MODELS}


def test_reading_missing_settings_gives_the_defaults_and_writes_nothing():
    bureau = Bureau.objects.create(code="YP", name="玉屏供电局")
    SupplyStation.objects.create(bureau=bureau, code="XD", name="新店供电所")
    before = row_counts()
    assert repair_settings_for(bureau.pk).pk is None
    assert grid_settings_get(station_code="XD").pk is None
    assert lineloss_settings_get().pk is None
    assert policy_current().pk is None
    assert (time_limit_for("residential").plan_reply_days, time_limit_for("residential").install_days) == (
        3,
        3,
    )
    assert row_counts() == before == dict.fromkeys(before, 0)


def test_grid_settings_are_those_of_the_stations_bureau_not_the_first_bureau():
    first = Bureau.objects.create(code="YP", name="玉屏供电局")
    second = Bureau.objects.create(code="TR", name="铜仁供电局")
    SupplyStation.objects.create(bureau=first, code="XD", name="新店供电所")
    SupplyStation.objects.create(bureau=second, code="BJ", name="碧江供电所")
    GridSettings.objects.create(bureau=first, overload_pct=Decimal("100"))
    GridSettings.objects.create(bureau=second, overload_pct=Decimal("90"))
    assert grid_settings_get(station_code="BJ").overload_pct == Decimal("90")
    assert grid_settings_get(station_code="XD").overload_pct == Decimal("100")
    assert grid_settings_get().bureau == first


def test_the_data_migration_creates_the_missing_rows_of_existing_bureaus_and_keeps_the_others():
    migration = importlib.import_module("powerexpress.registry.migrations.0003_bureau_settings_rows")
    bureau = Bureau.objects.create(code="YP", name="玉屏供电局")
    RepairSettings.objects.create(bureau=bureau, warn_before_min=7)
    migration.settings_rows_create(apps, None)
    migration.settings_rows_create(apps, None)
    assert RepairSettings.objects.get(bureau=bureau).warn_before_min == 7
    assert GridSettings.objects.filter(bureau=bureau).count() == 1
    assert LineLossSettings.objects.filter(bureau=bureau).count() == 1
    assert ApplicationPolicy.objects.count() == 1
    assert dict(TimeLimit.objects.values_list("kind", "plan_reply_days")) == {
        "residential": 3,
        "non_residential": 7,
        "agricultural": 7,
        "temporary": 7,
        "capacity_increase": 7,
    }


def test_the_shared_test_world_has_its_bureaus_settings_rows(world):
    assert repair_settings_for(world.bureau.pk).pk is not None
    assert grid_settings_get(station_code=world.station_a.code).pk is not None
    assert lineloss_settings_get().pk is not None
    assert policy_current().pk is not None
