"""Bug: shuffles with numpy's global generator instead of the rng it is given."""

import numpy as np


def permutation_test(a, b, n_perm, rng):
    observed = abs(a.mean() - b.mean())
    pooled = np.concatenate([a, b])
    order = np.argsort(np.random.random_sample((n_perm, len(pooled))), axis=1)
    shuffled = pooled[order]
    d = np.abs(shuffled[:, :len(a)].mean(1) - shuffled[:, len(a):].mean(1))
    return float((1 + np.sum(d >= observed - 1e-12)) / (1 + n_perm))
