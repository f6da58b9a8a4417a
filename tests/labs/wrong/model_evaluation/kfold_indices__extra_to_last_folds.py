"""Bug: gives the n % k extra indices to the last folds; sklearn gives them to the first."""

import numpy as np


def kfold_indices(n, k, rng=None):
    order = rng.permutation(n) if rng is not None else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[k - n % k:] += 1
    folds, start = [], 0
    for size in sizes:
        folds.append((np.concatenate([order[:start], order[start + size:]]),
                      order[start:start + size]))
        start += size
    return folds
