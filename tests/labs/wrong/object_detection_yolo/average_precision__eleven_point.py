"""Bug: VOC2007's 11-point interpolation instead of the all-point one."""

import numpy as np


def average_precision(scores, is_tp, n_gt):
    if n_gt == 0:
        return float("nan")
    order = np.argsort(-np.asarray(scores), kind="stable")
    cum_tp = np.cumsum(np.asarray(is_tp, dtype=float)[order])
    precision, recall = cum_tp / np.arange(1, len(cum_tp) + 1), cum_tp / n_gt
    points = [precision[recall >= t].max() if (recall >= t).any() else 0.0
              for t in np.linspace(0, 1, 11)]
    return float(np.mean(points))
