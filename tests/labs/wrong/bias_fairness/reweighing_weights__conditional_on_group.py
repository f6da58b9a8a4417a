"""Bug: P(y) / P(y | g): the label share within the group replaces the joint
probability, so the group's size is counted twice."""

import numpy as np


def reweighing_weights(group, y) -> np.ndarray:
    group, y = np.asarray(group), np.asarray(y)
    w = np.empty(len(y), dtype=np.float64)
    for g in np.unique(group):
        for c in np.unique(y):
            cell = (group == g) & (y == c)
            w[cell] = (y == c).mean() / (y[group == g] == c).mean() * (group == g).mean()
    return w
