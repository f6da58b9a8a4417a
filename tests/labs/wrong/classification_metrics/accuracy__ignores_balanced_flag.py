"""Bug: always returns the mean per-class recall, balanced or not."""

import numpy as np


def accuracy(cm, balanced=False):
    support = cm.sum(axis=1)
    present = support > 0
    return float(np.mean(np.diag(cm)[present] / support[present]))
