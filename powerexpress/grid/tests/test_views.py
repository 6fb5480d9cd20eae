"""Grid pages: who sees what, and the manager's path from risk list to work order."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from powerexpress.grid import services
from powerexpress.grid.choices import Action, DataKind, FileStatus
from powerexpress.grid.models import FestivalForecast, GridSettings, IntervalFile, LoadEvent, PhasePlan
from powerexpress.grid.tests.conftest import household_csv, transformer_csv

pytestmark = pytest.mark.django_db


def make_forecast(world, transformer=None, rate="112.0"):
    return FestivalForecast.objects.create(
        festival_year=2027,
        transformer=transformer or world.transformer_a,
        forecast_rate_pct=Decimal(rate),
        naive_rate_pct=Decimal("100.0"),
        measured_growth=Decimal("1.05"),
        peak_on=dt.date(2027, 2, 5),
        risk="overload",
        action=Action.EXTRA_CAPACITY,
        growth_factor=1,
        returnee_factor=1,
    )


def test_the_risk_list_shows_the_users_stations_districts_only(world, data_dir):
    make_forecast(world)
    make_forecast(world, world.transformer_b, "95.0")
    page = world.web("clerk_b").get("/grid/?year=2027")
    assert page.status_code == 200
    assert b"ZJC001-01" in page.content and b"XD001-01" not in page.content
    page = world.web("manager").get("/grid/?year=2027")
    assert b"ZJC001-01" in page.content and b"XD001-01" in page.content


def test_a_user_without_a_role_sees_no_grid_page(world, data_dir):
    for url in ("/grid/", "/grid/upload/", "/grid/settings/", "/grid/transformers/XD001-01/"):
        assert world.web("outsider").get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(world):
    assert world.api(None).client.get("/grid/").status_code == 302


def test_another_stations_transformer_page_is_not_found(world, data_dir):
    assert world.web("clerk_b").get("/grid/transformers/XD001-01/").status_code == 404
    assert world.web("clerk_b").get("/grid/transformers/XD001-01/curve.json").status_code == 404


def test_the_transformer_page_shows_events_households_and_the_chart(
    world, data_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.interval_file_ingest(
            user=world.users["clerk_a"],
            kind=DataKind.TRANSFORMER,
            file_name="t.csv",
            content=transformer_csv(overload_hours=(18, 21)),
        )
    page = world.web("crew_a").get("/grid/transformers/XD001-01/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Overload" in text and "0602000001" in text and "/static/vendor/plotly/plotly.min.js" in text
    assert "Compute a plan" not in text  # crews look, clerks and managers act
    curve = (
        world.web("crew_a")
        .get("/grid/transformers/XD001-01/curve.json?start=2026-01-10&end=2026-01-12")
        .json()
    )
    assert len(curve["ts"]) == 288 and curve["rated_kva"] == 100 and max(curve["i_a"]) == 200.0


def test_plotly_is_a_static_file_from_the_installed_package_loaded_deferred_with_its_chinese_locale(world):
    import re

    page = world.web("crew_a").get("/grid/transformers/XD001-01/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)" defer>', page)
    plotly_at = scripts.index("/static/vendor/plotly/plotly.min.js")
    assert scripts[plotly_at + 1] == "/static/core/plotly-locale-zh-cn.js"  # registers after plotly
    response = world.web("crew_a").get(scripts[plotly_at])  # WhiteNoise, from the plotly package
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()
    assert world.web("crew_a").get("/grid/plotly.min.js").status_code == 404  # no Python view


def test_collectstatic_picks_up_plotly_from_its_package_for_hashing_and_compression():
    from pathlib import Path

    import plotly
    from django.contrib.staticfiles import finders

    found = finders.find("vendor/plotly/plotly.min.js")
    assert Path(found) == Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    listed = {
        f"{storage.prefix}/{path}"
        for finder in finders.get_finders()
        for path, storage in finder.list([])
        if getattr(storage, "prefix", None)
    }
    assert "vendor/plotly/plotly.min.js" in listed
    assert finders.find("vendor/plotly/widgetbundle.js") is None  # only the chart bundle


def test_a_manager_issues_a_work_order_from_the_risk_list(world, data_dir):
    item = make_forecast(world)
    response = world.web("manager").post(f"/grid/forecasts/{item.pk}/issue/", {"action": Action.REBALANCE})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.work_order.kind == "phase_balance" and item.action == Action.REBALANCE


def test_crews_and_auditors_cannot_issue_or_recompute(world, data_dir):
    item = make_forecast(world)
    for who in ("crew_a", "auditor"):
        assert (
            world.web(who).post(f"/grid/forecasts/{item.pk}/issue/", {"action": "replace_unit"}).status_code
            == 403
        )
        assert world.web(who).post("/grid/?year=2027", {"growth": "1", "returnee": "1"}).status_code == 403


def test_another_stations_forecast_cannot_be_issued(world, data_dir):
    item = make_forecast(world)
    assert (
        world.web("clerk_b").post(f"/grid/forecasts/{item.pk}/issue/", {"action": "replace_unit"}).status_code
        == 404
    )


def test_a_plan_is_computed_and_issued_from_the_transformer_page(
    world, data_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # files are published on commit
        services.interval_file_ingest(
            user=world.users["clerk_a"],
            kind=DataKind.HOUSEHOLD,
            file_name="h.csv",
            content=household_csv(["0602000001", "0602000002"], days=4),
        )
    world.customer_a2.phase = "A"
    world.customer_a2.save()
    web = world.web("clerk_a")
    page = web.get("/grid/transformers/XD001-01/")
    assert b"Compute a plan" in page.content
    response = web.post(
        "/grid/transformers/XD001-01/plans/", {"max_moves": 1, "start": "2026-01-10", "end": "2026-01-13"}
    )
    assert response.status_code == 302
    plan = PhasePlan.objects.get()
    assert len(plan.moves) == 1
    assert world.web("clerk_b").post(f"/grid/plans/{plan.pk}/issue/").status_code == 404
    assert web.post(f"/grid/plans/{plan.pk}/issue/").status_code == 302
    plan.refresh_from_db()
    assert plan.work_order.items == plan.moves
    assert plan.moves[0]["household"] in web.get("/grid/transformers/XD001-01/").content.decode()


def test_the_upload_page_loads_a_good_file_and_reports_a_bad_one(world, data_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    web = world.web("clerk_a")
    good = SimpleUploadedFile("good.csv", transformer_csv())
    page = web.post("/grid/upload/", {"kind": "transformer", "file": good})
    assert page.status_code == 200 and b"Accepted" in page.content
    bad = SimpleUploadedFile("bad.csv", transformer_csv(volts=400.0, start=dt.datetime(2026, 3, 1)))
    page = web.post("/grid/upload/", {"kind": "transformer", "file": bad})
    assert b"Rejected" in page.content and b"line-to-line" in page.content
    assert list(IntervalFile.objects.values_list("status", flat=True)) == [
        FileStatus.REJECTED,
        FileStatus.ACCEPTED,
    ]
    assert world.web("crew_a").post("/grid/upload/", {"kind": "transformer", "file": good}).status_code == 403


def test_only_a_manager_saves_the_thresholds(world, data_dir):
    fields = {name: getattr(services.grid_settings_get(), name) for name in services.SETTINGS_FIELDS}
    assert world.web("clerk_a").post("/grid/settings/", {**fields, "overload_pct": "110"}).status_code == 403
    response = world.web("manager").post("/grid/settings/", {**fields, "overload_pct": "110"})
    assert response.status_code == 302
    assert GridSettings.objects.get().overload_pct == Decimal("110")
    page = world.web("clerk_a").get("/grid/settings/")
    assert page.status_code == 200 and b"disabled" in page.content


def test_the_transformer_page_filters_events_by_kind_and_pages_them(world, data_dir):
    first = timezone.make_aware(dt.datetime(2026, 1, 1, 18, 0))
    LoadEvent.objects.bulk_create(
        [
            LoadEvent(
                transformer=world.transformer_a,
                kind="unbalance",
                start_at=first + dt.timedelta(days=day),
                end_at=first + dt.timedelta(days=day, hours=2),
                peak=Decimal("30.0"),
            )
            for day in range(60)
        ]
        + [
            LoadEvent(
                transformer=world.transformer_a,
                kind="overload",
                start_at=first + dt.timedelta(days=3, hours=1),
                end_at=first + dt.timedelta(days=3, hours=4),
                peak=Decimal("118.0"),
                energy_above_kvah=Decimal("12.5"),
            )
        ]
    )
    client = world.web("clerk_a")
    text = client.get("/grid/transformers/XD001-01/").content.decode()
    assert "Overload: 1" in text and "Three-phase unbalance: 60" in text and "page 1 of 2" in text
    text = client.get("/grid/transformers/XD001-01/?kind=overload").content.decode()
    assert "118.0%" in text and "30.0%" not in text and "page 1 of" not in text
    older = client.get("/grid/transformers/XD001-01/?events_page=2").content.decode()
    assert "page 2 of 2" in older and "2026-01-01 18:00" in older


def test_a_bad_year_in_the_address_shows_the_next_festival(world, data_dir):
    page = world.web("manager").get("/grid/?year=abc")
    assert page.status_code == 200 and page.context["festival_year"] >= 2027
