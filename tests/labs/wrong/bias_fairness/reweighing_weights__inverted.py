"""Bug: the weight upside down, P(g, y) / (P(g) P(y)), which strengthens the bias."""

import numpy as np


def reweighing_weights(group, y) -> np.ndarray:
    group, y = np.asarray(group), np.asarray(y)
    w = np.empty(len(y), dtype=np.float64)
    for g in np.unique(group):
        for c in np.unique(y):
            cell = (group == g) & (y == c)
            w[cell] = cell.mean() / ((group == g).mean() * (y == c).mean())
    return w
