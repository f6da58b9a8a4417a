"""Bug: never shuffles, whatever rng is given."""

import numpy as np


def kfold_indices(n, k, rng=None):
    order = np.arange(n)
    return [(np.concatenate([order[:t[0]], order[t[-1] + 1:]]), t)
            for t in np.array_split(order, k)]
