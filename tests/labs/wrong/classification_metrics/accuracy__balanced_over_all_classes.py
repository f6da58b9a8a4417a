"""Bug: balanced accuracy averages over all classes, absent ones as 0."""

import numpy as np


def accuracy(cm, balanced=False):
    if not balanced:
        return float(np.trace(cm) / cm.sum())
    return float(np.mean(np.diag(cm) / np.maximum(cm.sum(axis=1), 1)))
