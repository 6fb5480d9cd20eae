"""The demo command builds programme data on a (small) demo county, idempotently."""

import io

import pytest
from django.core.management import call_command

from powerexpress.outreach.choices import HazardStatus
from powerexpress.outreach.models import Activity, CareVisit, Donation, Hazard, PlanItem
from powerexpress.registry.demo import demo_build

pytestmark = pytest.mark.django_db


def test_the_demo_builds_every_part_of_the_programme_once():
    demo_build(households=400, seed=7)
    out = io.StringIO()
    call_command("outreach_demo", stdout=out)
    assert "Outreach demo loaded" in out.getvalue()
    counts = (
        Activity.objects.count(),
        PlanItem.objects.count(),
        CareVisit.objects.count(),
        Donation.objects.count(),
    )
    assert all(counts)
    assert Activity.objects.values("kind").distinct().count() == 12
    assert set(Hazard.objects.values_list("status", flat=True)) <= set(HazardStatus.values)
    call_command("outreach_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert (
        Activity.objects.count(),
        PlanItem.objects.count(),
        CareVisit.objects.count(),
        Donation.objects.count(),
    ) == counts
    codes = sorted(Activity.objects.values_list("code", "title", "people_reached"))
    call_command("outreach_demo", "--reset", stdout=io.StringIO())
    assert sorted(Activity.objects.values_list("code", "title", "people_reached")) == codes
