"""Bug: encodes coalitions as integers but reads bit i of the mask as feature M-1-i, so each
marginal contribution is credited to the mirrored feature."""

import math

import numpy as np
from interpretability import coalition_values


def exact_shapley(f, x, background):
    M = x.shape[0]
    codes = np.arange(2**M)
    masks = (codes[:, None] >> np.arange(M)[::-1]) & 1 == 1  # bit i -> column M-1-i
    v = coalition_values(f, x, background, masks)
    phi = np.zeros(M)
    for code in codes:
        s = bin(code).count("1")
        for i in range(M):
            if not code >> i & 1:
                weight = math.factorial(s) * math.factorial(M - s - 1) / math.factorial(M)
                phi[i] += weight * (v[code | 1 << i] - v[code])
    return phi
