"""Bug: balanced accuracy from the column sums (mean precision), not the rows."""

import numpy as np


def accuracy(cm, balanced=False):
    if not balanced:
        return float(np.trace(cm) / cm.sum())
    support = cm.sum(axis=0)
    present = support > 0
    return float(np.mean(np.diag(cm)[present] / support[present]))
