"""Bug: builds train with np.setdiff1d, which returns it sorted instead of in the permuted
order (the same as KFold only when nothing is shuffled)."""

import numpy as np


def kfold_indices(n, k, rng=None):
    order = rng.permutation(n) if rng is not None else np.arange(n)
    return [(np.setdiff1d(order, test), test) for test in np.array_split(order, k)]
