"""The line-loss API contract, scope and errors; the pages answer."""

import datetime as dt

from powerexpress.lineloss.choices import LossClass
from powerexpress.lineloss.models import LineLoss

FIELDS = {
    "transformer",
    "station",
    "supply_kwh",
    "sales_kwh",
    "loss_kwh",
    "loss_rate",
    "coverage",
    "class",
    "reason",
}


def _rows(world):
    for transformer, month, rate, klass in (
        (world.transformer_a, dt.date(2026, 1, 1), 0.08, LossClass.HIGH),
        (world.transformer_a, dt.date(2026, 2, 1), 0.03, LossClass.QUALIFIED),
        (world.transformer_b, dt.date(2026, 1, 1), -0.02, LossClass.NEGATIVE),
    ):
        LineLoss.objects.create(
            transformer=transformer,
            month=month,
            supply_kwh=1000,
            sales_kwh=1000 * (1 - rate),
            loss_kwh=1000 * rate,
            loss_rate=rate,
            households=2,
            households_with_data=2,
            coverage=1.0,
            loss_class=klass,
        )


def test_the_list_answers_the_contract_fields_for_the_month(world):
    _rows(world)
    answer = world.api("manager").get("/api/v1/grid/line-loss", {"month": "2026-01"})
    assert answer.status_code == 200
    rows = answer.json()
    assert [r["transformer"] for r in rows] == ["XD001-01", "ZJC001-01"]
    assert set(rows[0]) == FIELDS
    assert rows[0]["class"] == "high" and rows[0]["loss_rate"] == 0.08 and rows[0]["station"] == "XD"


def test_the_list_filters_by_station_and_class(world):
    _rows(world)
    api = world.api("manager")
    assert [
        r["transformer"]
        for r in api.get("/api/v1/grid/line-loss", {"month": "2026-01", "station": "ZJC"}).json()
    ] == ["ZJC001-01"]
    assert [
        r["class"] for r in api.get("/api/v1/grid/line-loss", {"month": "2026-01", "class": "high"}).json()
    ] == ["high"]


def test_another_stations_districts_are_not_listed_and_answer_404(world):
    _rows(world)
    api = world.api("clerk_b")
    assert [r["transformer"] for r in api.get("/api/v1/grid/line-loss", {"month": "2026-01"}).json()] == [
        "ZJC001-01"
    ]
    assert api.get("/api/v1/grid/line-loss/XD001-01").status_code == 404


def test_an_outsider_is_denied(world):
    _rows(world)
    assert world.api("outsider").get("/api/v1/grid/line-loss", {"month": "2026-01"}).status_code == 403
    assert world.api(None).get("/api/v1/grid/line-loss", {"month": "2026-01"}).status_code == 401


def test_a_bad_month_or_class_is_a_422_naming_the_field(world):
    api = world.api("manager")
    answer = api.get("/api/v1/grid/line-loss", {"month": "2026-13"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "month"
    answer = api.get("/api/v1/grid/line-loss", {"month": "2026-01", "class": "bad"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "class"


def test_the_trend_lists_the_last_months_oldest_first(world):
    _rows(world)
    answer = world.api("clerk_a").get("/api/v1/grid/line-loss/XD001-01", {"months": 13})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["transformer"], body["station"]) == ("XD001-01", "XD")
    assert [(m["month"], m["class"]) for m in body["months"]] == [
        ("2026-01", "high"),
        ("2026-02", "qualified"),
    ]
    one = world.api("clerk_a").get("/api/v1/grid/line-loss/XD001-01", {"months": 1}).json()
    assert [m["month"] for m in one["months"]] == ["2026-02"]


def test_the_pages_answer_in_scope_and_404_outside(world):
    _rows(world)
    web = world.web("clerk_a")
    page = web.get("/lineloss/?month=2026-01")
    assert page.status_code == 200 and b"XD001-01" in page.content and b"ZJC001-01" not in page.content
    assert web.get("/lineloss/districts/XD001-01/").status_code == 200
    assert web.get("/lineloss/districts/ZJC001-01/").status_code == 404
    assert web.get("/lineloss/plan/").status_code == 200
    assert world.web("outsider").get("/lineloss/").status_code == 403


def test_a_clerk_adds_a_high_loss_district_to_the_plan_from_its_page(world):
    _rows(world)
    LineLoss.objects.filter(month=dt.date(2026, 2, 1)).delete()
    web = world.web("clerk_a")
    answer = web.post("/lineloss/districts/XD001-01/plan/", {"cause": "theft", "note": ""})
    assert answer.status_code == 302
    plan = web.get("/lineloss/plan/")
    assert b"XD001-01" in plan.content


def test_only_a_manager_changes_the_bands_on_the_settings_page(world):
    assert world.web("clerk_a").get("/lineloss/settings/").status_code == 200
    assert world.web("clerk_a").post("/lineloss/settings/", {"high_from_pct": "7"}).status_code == 403
    form = {
        "high_from_pct": "7",
        "negative_to_pct": "-1",
        "economic_to_pct": "4",
        "min_coverage_pct": "90",
        "suspect_min_score": "0.6",
        "plan_due_days": "30",
    }
    assert world.web("manager").post("/lineloss/settings/", form).status_code == 302
    bad = world.web("manager").post("/lineloss/settings/", {**form, "negative_to_pct": "8"})
    assert bad.status_code == 200 and "negative band" in bad.content.decode()


def test_a_plan_item_past_its_due_date_is_on_its_stations_work_list_only(world):
    from powerexpress.lineloss.models import PlanItem

    _rows(world)
    LineLoss.objects.filter(month=dt.date(2026, 2, 1)).delete()
    world.web("clerk_a").post("/lineloss/districts/XD001-01/plan/", {"cause": "theft", "note": ""})
    PlanItem.objects.update(due_on=dt.date(2026, 1, 1))
    own = world.web("clerk_a").get("/").content.decode()
    other = world.web("clerk_b").get("/").content.decode()
    assert "/lineloss/districts/XD001-01/" in own
    assert "/lineloss/districts/XD001-01/" not in other
