"""Architecture rules that keep the layers apart."""

import ast
from pathlib import Path

ANALYTICS = Path(__file__).resolve().parent.parent / "powerexpress" / "analytics"
FORBIDDEN = ("django", "ninja", "celery", "powerexpress.")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_analytics_core_imports_no_django_and_no_app():
    offenders = []
    for path in ANALYTICS.rglob("*.py"):
        for name in imported_modules(path):
            if name.startswith(FORBIDDEN) and not name.startswith("powerexpress.analytics"):
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_the_rule_catches_a_django_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("from django.db import models\nimport numpy\n")
    assert [n for n in imported_modules(sample) if n.startswith(FORBIDDEN)] == ["django.db"]


CLOCK_MODULES = ("time",)
CLOCK_READS = ("now", "today", "utcnow")


def clock_reads(path: Path) -> list[str]:
    """Where a module reads the clock: ``import time`` (or ``from time import …``), a call of
    ``….now()``, ``….today()`` or ``….utcnow()``, and numpy's ``datetime64("now")`` / ``("today")``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in CLOCK_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in CLOCK_MODULES:
            found.append(f"from {node.module} import …")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in CLOCK_READS:
                found.append(f".{node.func.attr}()")
            elif node.func.attr == "datetime64" and any(
                isinstance(arg, ast.Constant) and arg.value in CLOCK_READS for arg in node.args
            ):
                found.append("datetime64(now/today)")
    return [f"{path.name}:{name}" for name in found]


def test_the_analytics_core_never_reads_the_clock():
    """Results are reproducible: a solver is bounded by work, and "now" is an argument."""
    offenders = [hit for path in sorted(ANALYTICS.rglob("*.py")) for hit in clock_reads(path)]
    assert offenders == []


def test_the_clock_rule_catches_time_now_and_today(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text(
        "import time\nfrom time import perf_counter\nimport datetime as dt\nimport numpy as np\n"
        "a = dt.datetime.now()\nb = dt.date.today()\nc = np.datetime64('today')\nd = dt.date(2026, 1, 1)\n"
    )
    assert clock_reads(sample) == [
        "bad.py:import time",
        "bad.py:from time import …",
        "bad.py:.now()",
        "bad.py:.today()",
        "bad.py:datetime64(now/today)",
    ]


def test_only_tests_and_benchmarks_use_the_test_support_package():
    """``powerexpress.testing`` (reference-data readers, benchmark baselines) is never imported
    by the running app: only by test modules, conftest files and the package itself."""
    package = ANALYTICS.parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "testing" or "tests" in relative.parts or path.name == "conftest.py":
            continue
        offenders += [
            f"{relative}: {n}" for n in imported_modules(path) if n.startswith("powerexpress.testing")
        ]
    assert offenders == []


def test_the_analytics_core_imports_without_django_or_celery_installed():
    """In a fresh interpreter where importing django or celery fails, every analytics module
    still imports."""
    import subprocess
    import sys

    modules = sorted(
        f"powerexpress.analytics.{p.stem}" for p in ANALYTICS.glob("*.py") if p.stem != "__init__"
    )
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('django', 'celery', 'ninja', 'kombu'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('ok')\n"
    )
    root = ANALYTICS.parent.parent
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


CORE = ANALYTICS.parent / "core"
APPS = sorted(p.parent.name for p in ANALYTICS.parent.glob("*/apps.py") if p.parent.name != "core")


def core_modules() -> list[Path]:
    """Core's own code: everything under powerexpress/core but its tests, which exercise the
    whole site (the test world is built with every app)."""
    return [p for p in CORE.rglob("*.py") if "tests" not in p.relative_to(CORE).parts]


def absolute_imports(path: Path, package: str) -> list[str]:
    """Every module a file imports, at any depth (inside functions too), relative imports resolved
    against ``package`` and ``from powerexpress import x`` read as ``powerexpress.x``."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            names += [f"{base}.{alias.name}" for alias in node.names] if base == "powerexpress" else [base]
    return names


def app_imports(path: Path, package: str = "powerexpress.core") -> list[str]:
    """The ``powerexpress.<app>`` modules (for any app but core) that one file imports."""
    apps = tuple(f"powerexpress.{app}" for app in APPS)
    return [
        n for n in absolute_imports(path, package) if n in apps or n.startswith(tuple(a + "." for a in apps))
    ]


def test_core_imports_no_app():
    """Arrows point inward: every app may use core, core uses none of them (not even accounts:
    the permission names core checks are spelled in ``core.permissions``)."""
    offenders = [
        f"{p.relative_to(CORE)}: {name}"
        for p in core_modules()
        for name in app_imports(p, ".".join(("powerexpress", *p.parent.relative_to(CORE.parent).parts)))
    ]
    assert offenders == []


def test_the_core_rule_catches_an_import_of_an_app_inside_a_function(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text(
        "from powerexpress.core.scope import visible\n"
        "def f():\n"
        "    from powerexpress.registry.models import Village\n"
        "import powerexpress.repair.selectors\n"
        "from powerexpress import billing\n"
        "from ..grid import models\n"
        "from . import scope\n"
    )
    assert sorted(app_imports(sample)) == [
        "powerexpress.billing",
        "powerexpress.grid",
        "powerexpress.registry.models",
        "powerexpress.repair.selectors",
    ]
    assert "registry" in APPS and "accounts" in APPS and "core" not in APPS
