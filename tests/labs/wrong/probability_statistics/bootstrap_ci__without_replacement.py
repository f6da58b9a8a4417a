"""Bug: resamples without replacement (each resample a permutation of x), so every resample
has the same mean and the interval collapses to a point."""

import numpy as np


def bootstrap_ci(x, stat, level, n_boot, rng):
    resamples = rng.permuted(np.tile(x, (n_boot, 1)), axis=1)  # (n_boot, n), no repeats
    stats = stat(resamples, axis=-1)
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)
