"""The UI works with no internet: no page or template loads anything from another host."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "powerexpress"
EXTERNAL_ASSET = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def test_no_template_loads_an_asset_from_another_host():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("templates/**/*.html")
        if EXTERNAL_ASSET.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_rule_catches_a_cdn_script():
    assert EXTERNAL_ASSET.search('<script src="https://cdn.example.com/x.js"></script>')
    assert not EXTERNAL_ASSET.search('<script src="/static/x.js"></script>')


def test_the_api_docs_page_loads_nothing_from_a_cdn(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert not EXTERNAL_ASSET.search(page)
