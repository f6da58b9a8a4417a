"""Bug: divides by n: weights that sum to 1, not n."""

import numpy as np


def reweighing_weights(group, y) -> np.ndarray:
    group, y = np.asarray(group), np.asarray(y)
    w = np.empty(len(y), dtype=np.float64)
    for g in np.unique(group):
        for c in np.unique(y):
            cell = (group == g) & (y == c)
            w[cell] = (group == g).mean() * (y == c).mean() / cell.mean()
    return w / len(w)
