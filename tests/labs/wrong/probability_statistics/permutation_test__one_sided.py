"""Bug: compares signed differences, a one-sided test, where a two-sided one is asked for."""

import numpy as np


def permutation_test(a, b, n_perm, rng):
    observed = a.mean() - b.mean()
    pooled = np.concatenate([a, b])
    shuffled = rng.permuted(np.tile(pooled, (n_perm, 1)), axis=1)  # (n_perm, n_a + n_b)
    d = shuffled[:, :len(a)].mean(1) - shuffled[:, len(a):].mean(1)
    count = int(np.sum(d >= observed - 1e-12))
    return (1 + count) / (1 + n_perm)
