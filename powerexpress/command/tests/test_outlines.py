"""GeoJSON outlines for the power map: all or nothing, re-import replaces, shown on the map."""

import json

import pytest
from django.core.management import CommandError, call_command

from powerexpress.command.models import MapOutline
from powerexpress.command.services import map_outlines_import
from powerexpress.core.errors import FieldError

SQUARE = [[[108.8, 27.2], [109.0, 27.2], [109.0, 27.4], [108.8, 27.4], [108.8, 27.2]]]


def _collection(*geometries):
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": f"镇{i}"}, "geometry": g}
                for i, g in enumerate(geometries)
            ],
        }
    ).encode()


def test_outlines_are_imported_and_a_reimport_replaces_them(world):
    assert map_outlines_import(content=_collection({"type": "Polygon", "coordinates": SQUARE})) == 1
    assert map_outlines_import(content=_collection(*[{"type": "Polygon", "coordinates": SQUARE}] * 2)) == 2
    assert MapOutline.objects.count() == 2
    data = json.loads(world.web("clerk_a").get("/command/map/data.json").content)
    assert data["outlines"][0]["name"] == "镇0"


def test_one_bad_feature_rejects_the_whole_file_and_names_it(world):
    map_outlines_import(content=_collection({"type": "Polygon", "coordinates": SQUARE}))
    bad = [[[108.8, 27.2], [190.0, 27.2], [109.0, 27.4], [108.8, 27.2]]]
    with pytest.raises(FieldError) as caught:
        map_outlines_import(
            content=_collection(
                {"type": "Polygon", "coordinates": SQUARE}, {"type": "Polygon", "coordinates": bad}
            )
        )
    assert "feature 2" in caught.value.errors[0]["message"]
    assert MapOutline.objects.count() == 1
    with pytest.raises(FieldError):
        map_outlines_import(content=_collection({"type": "Point", "coordinates": [108.9, 27.3]}))
    with pytest.raises(FieldError):
        map_outlines_import(content=b"not json")


def test_the_import_command_reports_a_bad_file(world, tmp_path):
    path = tmp_path / "outlines.geojson"
    path.write_bytes(b'{"type": "Feature"}')
    with pytest.raises(CommandError):
        call_command("command_outlines_import", str(path))
    path.write_bytes(_collection({"type": "MultiPolygon", "coordinates": [SQUARE]}))
    call_command("command_outlines_import", str(path))
    assert MapOutline.objects.get().geometry["type"] == "MultiPolygon"
