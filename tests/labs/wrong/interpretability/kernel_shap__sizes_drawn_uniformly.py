"""Bug: in the sampled version, draws coalition sizes uniformly instead of from the Shapley
kernel, then weights the draws equally, so the regression is biased."""

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
        drawn = rng.integers(1, M, size=n_coalitions // 2)  # should follow the kernel
        half = np.zeros((len(drawn), M), dtype=bool)
        for row, k in enumerate(drawn):
            half[row, rng.choice(M, size=k, replace=False)] = True
        masks = np.vstack([half, ~half])
        w = np.ones(len(masks))
    v0 = coalition_values(f, x, background, np.zeros((1, M), dtype=bool))[0]
    fx = f(x[None, :])[0]
    y = coalition_values(f, x, background, masks) - v0
    Z = masks.astype(np.float64)
    delta = fx - v0
    A = Z[:, :-1] - Z[:, -1:]
    b = y - Z[:, -1] * delta
    sw = np.sqrt(w)
    head, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
    return np.append(head, delta - head.sum())
