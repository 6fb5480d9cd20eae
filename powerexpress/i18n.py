"""Message catalogs: extract (Django's makemessages, needs GNU gettext) and compile (Babel, pure Python).

Every app keeps its own catalog in ``<app>/locale/<lang>/LC_MESSAGES/django.po`` so that apps
never edit a shared file. ``python -m powerexpress.i18n compile`` runs at install time and needs
no system tools; ``extract`` refreshes the .po files and fills the English catalog
(msgstr = msgid, the source language) so that both catalogs stay complete.
"""

import os
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE_DIR = Path(__file__).resolve().parent
LANGUAGES = ("zh_Hans", "en")


def app_dirs() -> list[Path]:
    """Directories that own a catalog: the package's apps (those with an apps.py)."""
    return sorted(p.parent for p in PACKAGE_DIR.glob("*/apps.py"))


def po_files() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/django.po"))


def compile_catalogs() -> int:
    count = 0
    for po_path in po_files():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        count += 1
    return count


def fill_english(po_path: Path) -> None:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=100)


def extract_catalogs(only: list[str] | None = None) -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="powerexpress.settings")
    env.setdefault("SECRET_KEY", "makemessages-only-key")  # settings refuse to load without one
    manage = [sys.executable, "-P", "-m", "powerexpress.manage"]
    for app_dir in app_dirs():
        if only and app_dir.name not in only:
            continue
        (app_dir / "locale").mkdir(exist_ok=True)
        args = [*manage, "makemessages", "--no-obsolete", "--no-location", "-i", "tests/*", "-v0"]
        for language in LANGUAGES:
            args += ["-l", language]
        subprocess.run(args, cwd=app_dir, env=env, check=True)
        english = app_dir / "locale" / "en" / "LC_MESSAGES" / "django.po"
        if english.exists():
            fill_english(english)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "compile":
        print(f"compiled {compile_catalogs()} catalogs")
    elif command == "extract":
        extract_catalogs(argv[2:] or None)
    else:
        print("usage: python -m powerexpress.i18n [compile|extract [APP ...]]")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
