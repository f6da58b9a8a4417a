"""Bug: fills the missing features with the background's mean row and evaluates f once,
f(x_S, mean(b)), instead of averaging f over the background rows (the same only for a
linear f)."""

import itertools
import math

import numpy as np


def exact_shapley(f, x, background):
    M = x.shape[0]
    masks = np.array(list(itertools.product([False, True], repeat=M)))
    filled = np.where(masks, x[None, :], background.mean(0)[None, :])  # (2^M, M)
    v = dict(zip(map(tuple, masks), f(filled), strict=True))
    phi = np.zeros(M)
    for S, vS in v.items():
        s = sum(S)
        for i in range(M):
            if not S[i]:
                weight = math.factorial(s) * math.factorial(M - s - 1) / math.factorial(M)
                phi[i] += weight * (v[S[:i] + (True,) + S[i + 1:]] - vS)
    return phi
