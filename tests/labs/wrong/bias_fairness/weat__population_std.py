"""Bug: the population standard deviation (ddof=0) in the effect size."""

import itertools

import numpy as np


def weat(x, y, a, b) -> tuple[float, float]:
    def unit(v):
        v = np.asarray(v, dtype=np.float64)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    x, y, a, b = map(unit, (x, y, a, b))
    s = np.concatenate([(w @ a.T).mean(1) - (w @ b.T).mean(1) for w in (x, y)])  # (n_x + n_y,)
    n = len(x)
    effect = (s[:n].mean() - s[n:].mean()) / s.std()
    observed = s[:n].sum() - s[n:].sum()
    splits = np.array(list(itertools.combinations(range(len(s)), n)))  # every X'
    stats = 2 * s[splits].sum(axis=1) - s.sum()  # sum_X' - sum_Y'
    return float(effect), float(np.mean(stats >= observed - 1e-12))
