"""Bug: uses the size of S + i in the weight, (|S|+1)! (M-|S|-2)!, an off-by-one."""

import itertools
import math

import numpy as np
from interpretability import coalition_values


def exact_shapley(f, x, background):
    M = x.shape[0]
    masks = np.array(list(itertools.product([False, True], repeat=M)))
    v = dict(zip(map(tuple, masks), coalition_values(f, x, background, masks), strict=True))
    phi = np.zeros(M)
    for S, vS in v.items():
        s = sum(S)
        for i in range(M):
            if not S[i]:
                k = s + 1  # should be s = |S|
                weight = math.factorial(k) * math.factorial(max(M - k - 1, 0)) / math.factorial(M)
                phi[i] += weight * (v[S[:i] + (True,) + S[i + 1:]] - vS)
    return phi
