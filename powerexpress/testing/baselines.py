"""Baseline passes the benchmarks measure the kernels against (not used by the running app)."""

import numpy as np


def daily_max(values: np.ndarray, steps_per_day: int) -> np.ndarray:
    """The bare baseline pass of the detection benchmark: each row's maximum per day (T must be
    whole days)."""
    m, steps = values.shape
    return np.nanmax(values.reshape(m, steps // steps_per_day, steps_per_day), axis=2)
