"""Bug: returns count / n_perm, which reports p = 0 when no shuffle reaches the observed value."""

import numpy as np


def permutation_test(a, b, n_perm, rng):
    observed = abs(a.mean() - b.mean())
    pooled = np.concatenate([a, b])
    shuffled = rng.permuted(np.tile(pooled, (n_perm, 1)), axis=1)  # (n_perm, n_a + n_b)
    d = shuffled[:, :len(a)].mean(1) - shuffled[:, len(a):].mean(1)
    count = int(np.sum(np.abs(d) >= observed - 1e-12))
    return count / n_perm
