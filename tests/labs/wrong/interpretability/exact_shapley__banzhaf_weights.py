"""Bug: weights every marginal contribution by 1 / 2^(M-1) (the Banzhaf value) instead of
Shapley's |S|! (M-|S|-1)! / M!."""

import itertools

import numpy as np
from interpretability import coalition_values


def exact_shapley(f, x, background):
    M = x.shape[0]
    masks = np.array(list(itertools.product([False, True], repeat=M)))
    v = dict(zip(map(tuple, masks), coalition_values(f, x, background, masks), strict=True))
    phi = np.zeros(M)
    for S, vS in v.items():
        for i in range(M):
            if not S[i]:
                phi[i] += (v[S[:i] + (True,) + S[i + 1:]] - vS) / 2 ** (M - 1)
    return phi
