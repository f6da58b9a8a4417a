"""Bug: always returns the 2.5% and 97.5% percentiles, whatever level is asked for."""

import numpy as np


def bootstrap_ci(x, stat, level, n_boot, rng):
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    stats = stat(x[idx], axis=-1)
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return float(lo), float(hi)
