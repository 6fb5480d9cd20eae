"""The village notice board: public HTML page, A3 PDF, batch printing for a station."""

import re
import shutil
import subprocess

import pytest
from django.utils import translation

from powerexpress.outreach import selectors

pytestmark = pytest.mark.django_db

TARIFF = {
    "name": "贵州省居民阶梯电价",
    "to_verify": True,
    "cycle": "annual",
    "free_kwh_per_month": {"low_income": "10"},
    "free_lines": [("Low-income", "10")],
    "cycle_label": "annual tiers",
    "tiers": [
        {"tier": 1, "from_kwh": 0, "up_to_kwh": 2040, "price_yuan_per_kwh": "0.4556"},
        {"tier": 2, "from_kwh": 2040, "up_to_kwh": 3120, "price_yuan_per_kwh": "0.5056"},
        {"tier": 3, "from_kwh": 3120, "up_to_kwh": None, "price_yuan_per_kwh": "0.7556"},
    ],
}


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page(?!s)", pdf))


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "board.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_board_is_public_and_shows_the_tariff_plainly_with_the_price_authority_footnote(
    world, monkeypatch
):
    monkeypatch.setattr(selectors, "board_tariff", lambda: TARIFF)
    response = world.api(None, language="zh-hans").client.get(
        "/outreach/board/XD001/", HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "0.7556" in page and "老寨村" in page
    assert "To verify" not in page and "Prices as published by the price authority prevail." in page
    assert "95598" in page and "吴台区" in page and "13900000001" in page


def test_the_board_says_clearly_when_no_tariff_is_configured(world, monkeypatch):
    monkeypatch.setattr(selectors, "board_tariff", lambda: None)
    page = world.web("clerk_a").get("/outreach/board/XD001/").content.decode()
    assert "Tariff not configured" in page


def test_the_qr_code_points_at_the_fault_report_page_with_the_village(world, client, settings):
    settings.ALLOWED_HOSTS = ["pe.example.cn"]
    response = client.get("/outreach/board/XD001/", HTTP_HOST="pe.example.cn")
    assert "<svg" in response.content.decode()
    assert response.context["report_url"] == "http://pe.example.cn/repair/report/?village=XD001"


def test_the_board_shows_what_the_programme_did_here(world, activity, hazard):
    board = selectors.notice_board(world.village_a)
    assert board["activities"][0].code == activity.code
    assert board["hazards_open"] == 1 and board["hazards_fixed"] == 0
    assert board["signup_rate"] is not None


def test_billings_tariff_is_shaped_for_the_board(world, monkeypatch):
    import powerexpress.billing.selectors as billing

    raw = {key: TARIFF[key] for key in ("name", "to_verify", "cycle", "tiers", "free_kwh_per_month")}
    monkeypatch.setattr(billing, "notice_board_tariff", lambda: raw)
    with translation.override("en"):
        shaped = selectors.board_tariff()
        assert shaped["free_lines"] == [("Low-income", "10")] and "year" in str(shaped["cycle_label"])


def test_the_sign_up_rate_is_a_percentage(world, monkeypatch):
    from decimal import Decimal

    import powerexpress.billing.selectors as billing

    monkeypatch.setattr(billing, "signup_rate", lambda village: Decimal("0.4567"))
    assert selectors.board_signup_rate(world.village_a) == Decimal("45.7")


def test_an_unknown_village_answers_404(client, world):
    assert client.get("/outreach/board/NOPE/").status_code == 404


def test_the_a3_pdf_renders_chinese(world, monkeypatch, tmp_path):
    monkeypatch.setattr(selectors, "board_tariff", lambda: TARIFF)
    response = world.api(None).client.get("/outreach/board/XD001/pdf/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF") and page_count(pdf) == 1
    assert b"/MediaBox [ 0 0 841.8898 1190.551 ]" in pdf  # A3 portrait
    text = pdf_text(pdf, tmp_path)
    assert "老寨村" in text and "阶梯电价" in text and "95598" in text


def test_a_station_prints_every_villages_board_in_one_pdf(world):
    response = world.web("clerk_a").get("/outreach/boards/XD/print/")
    assert response.status_code == 200 and page_count(response.content) == 2


@pytest.mark.parametrize("who", ["clerk_b", "outsider"])
def test_another_station_cannot_batch_print(world, who):
    assert world.web(who).get("/outreach/boards/XD/print/").status_code == 404


def test_batch_printing_needs_a_sign_in(client, world):
    assert client.get("/outreach/boards/XD/print/").status_code == 302


def test_a_crowded_board_still_fits_one_sheet(world, monkeypatch):
    import datetime

    from powerexpress.outreach import services
    from powerexpress.outreach.choices import ActivityKind

    monkeypatch.setattr(selectors, "board_tariff", lambda: TARIFF)
    for day in range(1, 9):
        services.activity_create(
            user=world.users["clerk_a"],
            village=world.village_a,
            kind=ActivityKind.ART_SHOW,
            title="文艺队演出：节约用电、安全用电、银行代扣电费、阶梯电价宣传" * 3,
            held_on=datetime.date(2026, 3, day),
        )
    response = world.web("clerk_a").get("/outreach/board/XD001/pdf/")
    assert page_count(response.content) == 1
