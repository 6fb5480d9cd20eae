"""The scoring board: the deduction rule, frozen months that do not move, the reports archive."""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from powerexpress.command.choices import Direction, ReportStatus
from powerexpress.command.models import MonthlyReport, Score, ScoreMonth
from powerexpress.command.scoring import deduction
from powerexpress.command.services import (
    kpi_registry_seed,
    monthly_close,
    monthly_reports_create,
    score_month_freeze,
)
from powerexpress.registry.choices import AreaClass
from powerexpress.repair.choices import FaultStatus
from powerexpress.repair.models import FaultTicket

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
OCTOBER = datetime.date(2026, 10, 1)


def test_each_point_short_of_the_target_costs_the_points_per_unit_up_to_the_weight():
    rule = {
        "target": Decimal("80"),
        "direction": Direction.HIGHER,
        "weight": Decimal("30"),
        "per_unit": Decimal("1"),
    }
    assert deduction(value=Decimal("50"), **rule) == Decimal("30.00")  # 30 short → 30 (the whole weight)
    assert deduction(value=Decimal("72.5"), **rule) == Decimal("7.50")
    assert deduction(value=Decimal("85"), **rule) == Decimal("0.00")
    assert deduction(value=Decimal("20"), **rule) == Decimal("30.00")  # capped at the weight
    assert deduction(value=None, **rule) == Decimal("0")  # no data: no deduction


def test_for_a_lower_is_better_kpi_each_unit_above_the_target_costs():
    rule = {
        "target": Decimal("0"),
        "direction": Direction.LOWER,
        "weight": Decimal("5"),
        "per_unit": Decimal("1"),
    }
    assert deduction(value=Decimal("3"), **rule) == Decimal("3.00")
    assert deduction(value=Decimal("9"), **rule) == Decimal("5.00")


def _late_ticket(world, number, minutes):
    reported = datetime.datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI)
    return FaultTicket.objects.create(
        number=number,
        village=world.village_a,
        station=world.station_a,
        phone="13800000000",
        description="停电",
        area_class=AreaClass.RURAL,
        status=FaultStatus.RESTORED,
        reported_at=reported,
        arrival_due_at=reported + datetime.timedelta(minutes=90),
        on_site_at=reported + datetime.timedelta(minutes=minutes),
        restore_due_at=reported + datetime.timedelta(minutes=minutes + 240),
        restored_at=reported + datetime.timedelta(minutes=minutes + 60),
        rating_token=number,
    )


@pytest.fixture
def scored(world, django_capture_on_commit_callbacks):
    kpi_registry_seed()
    world.village_a.responsible_name = "田师傅"
    world.village_a.save()
    _late_ticket(world, "T-ON", 60)
    _late_ticket(world, "T-LATE", 150)
    with django_capture_on_commit_callbacks(execute=True):
        score_month = score_month_freeze(month=OCTOBER)
        monthly_reports_create(score_month=score_month)
    return world


def _arrival(world, person=""):
    return Score.objects.get(
        score_month__month=OCTOBER, station=world.station_a, responsible=person, kpi_code="arrival"
    )


def test_the_frozen_score_names_the_items_that_cost_points(scored):
    arrival = _arrival(scored)
    # 1 of 2 on time = 50 %, target 95 %, 2 points per point short → 90, capped at the weight 20.
    assert (arrival.value, arrival.deducted_points, arrival.score_points) == (
        Decimal("50.00"),
        Decimal("20.00"),
        Decimal("0.00"),
    )
    assert [item["label"] for item in arrival.items] == ["T-LATE · 150 min"]
    assert _arrival(scored, "田师傅").value == Decimal("50.00")


def test_a_frozen_month_gives_the_same_numbers_after_the_data_changes(scored):
    before = list(Score.objects.order_by("pk").values_list("kpi_code", "value", "score_points"))
    FaultTicket.objects.filter(number="T-LATE").update(
        on_site_at=datetime.datetime(2026, 10, 10, 9, 30, tzinfo=SHANGHAI)
    )
    again = score_month_freeze(month=OCTOBER)
    assert again == ScoreMonth.objects.get(month=OCTOBER)
    assert list(Score.objects.order_by("pk").values_list("kpi_code", "value", "score_points")) == before
    response = scored.web("manager").get("/command/scores/2026-10/XD/")
    assert "T-LATE · 150 min" in response.content.decode()


def test_the_monthly_job_freezes_last_month_only_after_the_cut_off(world, django_capture_on_commit_callbacks):
    kpi_registry_seed()
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_close(today=datetime.date(2026, 11, 1)).month == OCTOBER
    assert MonthlyReport.objects.filter(status=ReportStatus.READY).count() == 2 * 3  # bureau + 2 stations
    from powerexpress.command.models import Kpi

    Kpi.objects.update(cutoff_day=5)
    assert monthly_close(today=datetime.date(2026, 12, 3)) is None
    assert not ScoreMonth.objects.filter(month=datetime.date(2026, 11, 1)).exists()


def test_the_excel_report_has_one_sheet_per_table_with_chinese_headers(scored):
    report = MonthlyReport.objects.get(station=scored.station_a, fmt="xlsx")
    workbook = load_workbook(io.BytesIO(report.file.read()))
    assert workbook.sheetnames[:3] == ["供电所得分", "各指标得分", "台区经理排名"]
    assert "各供电所代扣签约率（目标 80%）" in workbook.sheetnames
    ranking = workbook[workbook.sheetnames[0]]
    assert [c.value for c in ranking[1]] == ["名次", "供电所", "得分"]
    assert [c.value for c in ranking[2]][1] == "新店供电所"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_report_has_chinese_headings(scored, tmp_path):
    report = MonthlyReport.objects.get(station=None, fmt="pdf")
    path = tmp_path / "r.pdf"
    path.write_bytes(report.file.read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "月度报告" in text and "供电所排名" in text and "可靠性指标" in text


def test_station_clerks_download_their_stations_report_only(scored):
    own = MonthlyReport.objects.get(station=scored.station_a, fmt="pdf")
    other = MonthlyReport.objects.get(station=scored.station_b, fmt="pdf")
    bureau = MonthlyReport.objects.get(station=None, fmt="pdf")
    clerk = scored.web("clerk_a")
    assert clerk.get(f"/command/reports/{own.pk}/download/").status_code == 200
    assert clerk.get(f"/command/reports/{other.pk}/download/").status_code == 404
    assert clerk.get(f"/command/reports/{bureau.pk}/download/").status_code == 404
    assert scored.web("auditor").get(f"/command/reports/{bureau.pk}/download/").status_code == 200
    assert scored.web("crew_a").get(f"/command/reports/{own.pk}/download/").status_code == 403


def test_only_managers_edit_kpis_or_freeze_a_month(scored):
    assert scored.web("auditor").post("/command/kpis/").status_code == 403
    assert scored.web("clerk_a").get("/command/kpis/1/").status_code == 403
    assert scored.web("clerk_a").post("/command/reports/", {"month": "2026-09"}).status_code == 403
    response = scored.web("manager").post("/command/reports/", {"month": "2099-01"})
    assert response.status_code == 200 and "Choose a month that has ended." in response.content.decode()


def test_a_manager_edits_a_kpi_and_a_bad_cut_off_day_is_refused(scored):
    from powerexpress.command.models import Kpi

    kpi = Kpi.objects.get(code="signup")
    data = {
        "code": "signup",
        "name": "代扣签约率",
        "formula": "signup_rate",
        "direction": "higher",
        "target": "85",
        "weight_points": "30",
        "deduction_per_unit": "1",
        "cutoff_day": "31",
        "active": "on",
    }
    response = scored.web("manager").post(f"/command/kpis/{kpi.pk}/", data)
    assert (
        response.status_code == 200
        and "Ensure this value is less than or equal to 28." in response.content.decode()
    )
    assert Kpi.objects.get(pk=kpi.pk).target == 80
    data["cutoff_day"] = "3"
    assert scored.web("manager").post(f"/command/kpis/{kpi.pk}/", data).status_code == 302
    assert Kpi.objects.get(pk=kpi.pk).target == 85


@pytest.mark.parametrize("path", ["/command/scores/", "/command/kpis/", "/command/reports/"])
@pytest.mark.parametrize("who", ["manager", "auditor", "clerk_a"])
def test_the_scoring_pages_open_for_each_role_that_may_see_them(scored, path, who):
    assert scored.web(who).get(path).status_code == 200


def test_a_station_clerks_ranking_holds_their_station_only(scored):
    text = scored.web("clerk_a").get("/command/scores/?month=2026-10").content.decode()
    assert "新店供电所" in text and "朱家场供电所" not in text
