"""Readers for the public reference data in ``../shared/data`` (no Django: tests and benchmarks use it).

The IEEE PES European LV test feeder: 55 single-phase households with one day of 1-minute
profiles each (see ``shared/data/README.md``).
"""

import re
from pathlib import Path

import numpy as np

PHASE_BY_DIGIT = {"1": 0, "2": 1, "3": 2}


def shared_data_dir() -> Path:
    """The nearest ``shared/data`` above the repository (``/work/shared/data`` next to
    ``/work/main``, and also above a worktree nested deeper); beside the root when none exists."""
    here = Path(__file__).resolve()
    for parent in here.parents[3:]:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return here.parents[3] / "shared" / "data"


def read_ieee_eulv(folder: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Load names, 1-minute profiles (n × 1440, kW) and phases (0/1/2) of the feeder's loads."""
    shapes = {}
    for line in (folder / "LoadShapes.txt").read_text().splitlines():
        match = re.search(r"Loadshape\.(\S+).*file=([^)\s]+)", line)
        if match:
            shapes[match.group(1)] = folder / match.group(2)
    names, profiles, phases = [], [], []
    for line in (folder / "Loads.txt").read_text().splitlines():
        match = re.search(r"Load\.(\S+).*Bus1=\S+\.(\d).*kW=([\d.]+).*Yearly=(\S+)", line)
        if not match:
            continue
        name, digit, kw, shape = match.groups()
        values = np.array([float(v) for v in shapes[shape].read_text().split()])
        names.append(name)
        profiles.append(values * float(kw))
        phases.append(PHASE_BY_DIGIT[digit])
    return names, np.array(profiles), np.array(phases)


def resample_mean(profiles: np.ndarray, factor: int) -> np.ndarray:
    """Average consecutive groups of ``factor`` columns (e.g. 15 for 1-minute → 15-minute)."""
    n, steps = profiles.shape
    return profiles[:, : steps - steps % factor].reshape(n, -1, factor).mean(axis=2)
