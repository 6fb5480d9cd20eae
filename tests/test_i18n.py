"""Both catalogs of every app stay complete, and the UI speaks Chinese by default."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parent.parent / "powerexpress"
CATALOGS = sorted(PACKAGE.glob("*/locale/*/LC_MESSAGES/django.po"))


def untranslated(po_path: Path) -> list[str]:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings[:1]) or not strings[0].strip():
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def test_there_are_catalogs_for_both_languages():
    languages = {path.parent.parent.name for path in CATALOGS}
    assert languages == {"zh_Hans", "en"}


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_every_message_is_translated(po_path):
    assert untranslated(po_path) == []


def test_every_app_with_templates_has_both_catalogs():
    for app_dir in sorted(p.parent for p in PACKAGE.glob("*/apps.py")):
        if (app_dir / "templates").exists() and any((app_dir / "templates").rglob("*.html")):
            assert (app_dir / "locale/zh_Hans/LC_MESSAGES/django.po").exists(), app_dir.name
            assert (app_dir / "locale/en/LC_MESSAGES/django.po").exists(), app_dir.name


def test_the_sign_in_page_is_chinese_by_default(client):
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_english_is_one_switch_away(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in client.get("/accounts/login/").content.decode()
