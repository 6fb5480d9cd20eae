"""Every setting is declared once in ``powerexpress/settings.py`` through the typed helpers of
``powerexpress/env.py``, documented in ``.env.example``, and read by name at call time."""

import re
from pathlib import Path

from django.conf import global_settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "powerexpress"
SETTINGS_FILE = PACKAGE / "settings.py"


def code_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or "tests" in parts or path.name in ("settings.py", "test_settings.py"):
            continue
        yield path


def test_no_module_reads_a_setting_with_a_getattr_default():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in code_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"getattr\(\s*settings\s*,", line)
    ]
    assert offenders == []


def test_no_module_reads_a_setting_at_import_time():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in code_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"[A-Za-z_].*(\bsettings\.[A-Z]|getattr\(\s*settings\b)", line)
        and not line.startswith(("from ", "import "))
    ]
    assert offenders == []


def test_every_setting_the_code_reads_is_declared():
    declared = set(re.findall(r"^([A-Z][A-Z0-9_]*)\s*[:=]", SETTINGS_FILE.read_text(encoding="utf-8"), re.M))
    declared |= {name for name in dir(global_settings) if name.isupper()}
    read = {
        name
        for path in code_files()
        for name in re.findall(r"\bsettings\.([A-Z][A-Z0-9_]*)", path.read_text(encoding="utf-8"))
    }
    assert sorted(read - declared) == []


def test_every_environment_variable_of_the_settings_is_documented_in_env_example():
    variables = set(
        re.findall(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS_FILE.read_text(encoding="utf-8"))
    )
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
    )
    assert variables and sorted(variables - documented) == []


def test_the_settings_module_reads_the_environment_only_through_the_typed_helpers():
    text = SETTINGS_FILE.read_text(encoding="utf-8")
    assert "os.environ" not in text and "os.getenv" not in text
