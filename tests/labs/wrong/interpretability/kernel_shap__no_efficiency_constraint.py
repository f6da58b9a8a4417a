"""Bug: a free weighted regression with an intercept, without the constraint
sum(phi) = f(x) - E f (and without the empty and full coalitions that would pin it)."""

import itertools
import math

import numpy as np
from interpretability import coalition_values


def kernel_shap(f, x, background, n_coalitions=None, rng=None):
    M = x.shape[0]
    if n_coalitions is None:
        masks = np.array([m for m in itertools.product([False, True], repeat=M)
                          if 0 < sum(m) < M])
        s = masks.sum(1)
        w = (M - 1) / (np.array([math.comb(M, k) for k in s]) * s * (M - s))
    else:
        sizes = np.arange(1, M)
        p = (M - 1) / (sizes * (M - sizes))
        drawn = rng.choice(sizes, size=n_coalitions // 2, p=p / p.sum())
        half = np.zeros((len(drawn), M), dtype=bool)
        for row, k in enumerate(drawn):
            half[row, rng.choice(M, size=k, replace=False)] = True
        masks = np.vstack([half, ~half])
        w = np.ones(len(masks))
    y = coalition_values(f, x, background, masks)
    A = np.hstack([np.ones((len(masks), 1)), masks.astype(np.float64)])
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)
    return beta[1:]
