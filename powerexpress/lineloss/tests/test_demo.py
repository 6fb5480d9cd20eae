"""The demo county gets realistic line loss, negative districts and suspects that were really moved."""

import datetime as dt

import pytest

from powerexpress.grid.demo import grid_demo_build
from powerexpress.lineloss.choices import LossClass
from powerexpress.lineloss.demo import lineloss_demo_build
from powerexpress.lineloss.models import LineLoss, LossSuspect
from powerexpress.registry.demo import demo_build

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def test_the_demo_county_shows_technical_high_and_negative_loss_and_finds_moved_households(
    settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    demo_build(households=1500, seed=7)
    grid_demo_build(seed=7, today=TODAY, months=13)
    result = lineloss_demo_build(seed=7, today=TODAY)
    last = dt.date(2026, 10, 1)
    rows = LineLoss.objects.filter(month=last)
    classes = set(rows.values_list("loss_class", flat=True))
    assert {LossClass.QUALIFIED, LossClass.HIGH, LossClass.NEGATIVE} <= classes
    qualified = [r.loss_rate for r in rows.filter(loss_class=LossClass.QUALIFIED)]
    assert 0.025 < sum(qualified) / len(qualified) < 0.055
    assert LineLoss.objects.values("month").distinct().count() == 13
    suspected = set(LossSuspect.objects.filter(month=last).values_list("customer__account_no", flat=True))
    assert suspected
    moved = set(result["moved_accounts"])
    assert len(suspected & moved) / len(suspected) >= 0.8
