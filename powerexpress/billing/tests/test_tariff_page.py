"""The tariff page reads as a table of tiers in the page's language, not as the stored JSON."""

import re

from django.test import Client

from powerexpress.billing.models import TariffSchedule
from tests.crawl import latin_words, visible_text


def page_text(world, code: str, language: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.users["manager"])
    schedule = TariffSchedule.objects.get(code=code, version=1)
    return visible_text(client.get(f"/billing/tariffs/{schedule.pk}/").content.decode())


def test_the_guangdong_schedule_shows_its_summer_and_other_month_tiers_in_chinese(world):
    text = page_text(world, "guangdong-residential-monthly", "zh-hans")
    # DOMAIN.md §2: summer May–Oct 260/600 kWh, else 200/400; large households +100 kWh.
    assert "月度阶梯" in text and "5, 6, 7, 8, 9, 10 月" in text
    assert re.search(r"其他月份.*1 200 及以下 0\.5953 2 400 及以下 0\.6453 3 以上 0\.8953", text)
    assert re.search(r"5, 6, 7, 8, 9, 10 月.*1 260 及以下 0\.5953 2 600 及以下 0\.6453 3 以上", text)
    assert "5 人及以上：各档电量上限增加 100 千瓦时" in text
    assert "示意值" in text and "起算" not in text  # a monthly cycle has no year start
    assert latin_words(text) == {"manager"}  # only the signed-in user's name


def test_the_guizhou_schedule_shows_its_free_allowance_for_low_income_households(world):
    text = page_text(world, "guizhou-residential-annual", "zh-hans")
    assert "年度阶梯, 年度自 1 月起算" in text and "免费电量 低保户: 每月 10 千瓦时" in text
    assert "合表用户电价 0.4556 元/千瓦时" in text and "尚未核实" in text
    assert latin_words(text) == {"manager"}  # only the signed-in user's name


def test_the_shipped_source_note_stays_english_on_the_english_page_and_a_written_note_as_written(world):
    english = page_text(world, "zhejiang-residential-annual", "en")
    assert "shared meter 0.558" in english and "yearly tiers" in english
    TariffSchedule.objects.filter(code="zhejiang-residential-annual").update(source="省发改委 2012 年文件")
    assert "省发改委 2012 年文件" in page_text(world, "zhejiang-residential-annual", "zh-hans")
