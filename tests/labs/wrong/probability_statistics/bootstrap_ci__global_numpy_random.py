"""Bug: draws the resample indices from numpy's global generator instead of the rng it is
given, so two runs with the same seed give different intervals."""

import numpy as np


def bootstrap_ci(x, stat, level, n_boot, rng):
    idx = np.random.randint(0, len(x), size=(n_boot, len(x)))
    stats = stat(x[idx], axis=-1)
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)
