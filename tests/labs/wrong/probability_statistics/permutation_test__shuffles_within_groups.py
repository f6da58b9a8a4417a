"""Bug: shuffles each group on its own, so no value ever changes group and every shuffled
difference equals the observed one."""

import numpy as np


def permutation_test(a, b, n_perm, rng):
    observed = abs(a.mean() - b.mean())
    sa = rng.permuted(np.tile(a, (n_perm, 1)), axis=1)  # (n_perm, n_a) a's values, reordered
    sb = rng.permuted(np.tile(b, (n_perm, 1)), axis=1)  # (n_perm, n_b)
    count = int(np.sum(np.abs(sa.mean(1) - sb.mean(1)) >= observed - 1e-12))
    return (1 + count) / (1 + n_perm)
