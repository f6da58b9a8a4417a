"""Bug: applies the statistic along axis 0 (across resamples) instead of within each resample."""

import numpy as np


def bootstrap_ci(x, stat, level, n_boot, rng):
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    stats = stat(x[idx], axis=0)
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)
