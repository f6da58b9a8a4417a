"""Bug: the TPR gap only (equal opportunity), not the larger of the TPR and FPR gaps."""

import numpy as np


def fairness_gaps(y_true, y_pred, group) -> tuple[float, float]:
    y_true, y_pred, group = map(np.asarray, (y_true, y_pred, group))
    gs = np.unique(group)
    sel = [y_pred[group == g].mean() for g in gs]
    tpr = [y_pred[(group == g) & (y_true == 1)].mean() for g in gs]
    return float(max(sel) - min(sel)), float(max(tpr) - min(tpr))
