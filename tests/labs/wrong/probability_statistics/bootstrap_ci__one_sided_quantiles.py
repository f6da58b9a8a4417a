"""Bug: takes the (1 - level) and level quantiles, an interval of level 2 * level - 1."""

import numpy as np


def bootstrap_ci(x, stat, level, n_boot, rng):
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    stats = stat(x[idx], axis=-1)
    lo, hi = np.quantile(stats, [1 - level, level])
    return float(lo), float(hi)
