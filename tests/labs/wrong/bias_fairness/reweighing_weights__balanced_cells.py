"""Bug: every (group, label) cell gets the same total weight, n / (number of cells):
label rates become equal across groups, but the data no longer keep P(g) and P(y)."""

import numpy as np


def reweighing_weights(group, y) -> np.ndarray:
    group, y = np.asarray(group), np.asarray(y)
    cells = [(g, c) for g in np.unique(group) for c in np.unique(y)]
    w = np.empty(len(y), dtype=np.float64)
    for g, c in cells:
        cell = (group == g) & (y == c)
        w[cell] = len(y) / (len(cells) * cell.sum())
    return w
