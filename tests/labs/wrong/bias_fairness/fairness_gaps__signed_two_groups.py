"""Bug: parity as group 1 minus group 0: signed (negative when group 1 is selected less),
and only two groups."""

import numpy as np


def fairness_gaps(y_true, y_pred, group) -> tuple[float, float]:
    y_true, y_pred, group = map(np.asarray, (y_true, y_pred, group))
    gs = [0, 1]
    sel = [y_pred[group == g].mean() for g in gs]
    tpr = [y_pred[(group == g) & (y_true == 1)].mean() for g in gs]
    fpr = [y_pred[(group == g) & (y_true == 0)].mean() for g in gs]
    return float(sel[1] - sel[0]), float(max(max(tpr) - min(tpr), max(fpr) - min(fpr)))
