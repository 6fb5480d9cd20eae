"""The power map: scope, load-risk colours, masked phones and the audited reveal, shipped Leaflet."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from powerexpress.core.models import AuditAction, AuditEntry
from powerexpress.grid.choices import EventKind
from powerexpress.grid.models import LoadEvent


@pytest.fixture
def mapped(world):
    for village, lat in ((world.village_a, "27.25"), (world.village_b, "27.30")):
        village.latitude, village.longitude = Decimal(lat), Decimal("108.90")
        village.responsible_name, village.responsible_phone = "杨主任", "13812349876"
        village.save()
    return world


def _data(world, who, query=""):
    response = world.web(who).get(f"/command/map/data.json{query}")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.parametrize("who", ["crew_a", "team_a", "outsider"])
def test_the_map_is_denied_to_crews_team_members_and_outsiders(mapped, who):
    assert mapped.web(who).get("/command/map/").status_code == 403
    assert mapped.web(who).get("/command/map/data.json").status_code == 403


def test_a_station_clerk_sees_only_their_stations_points(mapped):
    data = _data(mapped, "clerk_a")
    assert {v["code"] for v in data["villages"]} == {"XD001", "XD002"}
    assert {t["code"] for t in data["transformers"]} == {"XD001-01"}
    manager = _data(mapped, "manager", f"?station={mapped.station_b.pk}")
    assert {v["code"] for v in manager["villages"]} == {"ZJC001"}


def test_districts_are_coloured_by_the_load_events_of_the_last_30_days(mapped):
    end = timezone.now() - datetime.timedelta(days=2)
    LoadEvent.objects.create(
        transformer=mapped.transformer_a,
        kind=EventKind.OVERLOAD,
        start_at=end - datetime.timedelta(hours=3),
        end_at=end,
        peak=Decimal("120.0"),
    )
    old = timezone.now() - datetime.timedelta(days=60)
    LoadEvent.objects.create(
        transformer=mapped.transformer_b,
        kind=EventKind.HEAVY_LOAD,
        start_at=old - datetime.timedelta(hours=3),
        end_at=old,
        peak=Decimal("90.0"),
    )
    risks = {t["code"]: t["risk"] for t in _data(mapped, "manager")["transformers"]}
    assert risks == {"XD001-01": "overload", "ZJC001-01": "normal"}


def test_phones_are_masked_and_a_district_links_to_its_transformer_page(mapped):
    village = next(v for v in _data(mapped, "manager")["villages"] if v["code"] == "XD001")
    assert village["phone"] == "138****9876" and village["point"] == [27.25, 108.9]
    district = _data(mapped, "manager")["transformers"][0]
    assert district["url"] == "/grid/transformers/XD001-01/"


def test_a_reveal_is_audited_and_needs_the_personal_data_permission(mapped):
    response = mapped.web("manager").post("/command/map/reveal/village/XD001/")
    assert json.loads(response.content) == {"phone": "13812349876"}
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL, object_ref="XD001").count() == 1
    assert mapped.web("auditor").post("/command/map/reveal/village/XD001/").status_code == 403
    assert mapped.web("clerk_a").post("/command/map/reveal/village/ZJC001/").status_code == 404
    assert mapped.web("manager").get("/command/map/reveal/village/XD001/").status_code == 405


def test_leaflet_is_served_from_the_installed_package_and_no_tile_server_by_default(mapped, settings):
    response = mapped.web("manager").get("/command/leaflet/leaflet.js")
    assert response.status_code == 200
    assert b"Leaflet" in b"".join(response.streaming_content)[:3000]
    assert mapped.web("manager").get("/command/leaflet/other.js").status_code == 404
    page = mapped.web("manager").get("/command/map/").content.decode()
    assert 'data-tiles=""' in page and "http" not in page.split('data-tiles="')[1][:5]
    settings.MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    assert (
        'data-tiles="/tiles/{z}/{x}/{y}.png"' in mapped.web("manager").get("/command/map/").content.decode()
    )
