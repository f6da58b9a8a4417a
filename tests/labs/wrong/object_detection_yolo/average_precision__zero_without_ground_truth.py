"""Bug: returns 0 when there is no ground truth, which drags mAP down for absent
classes."""

import numpy as np


def average_precision(scores, is_tp, n_gt):
    if n_gt == 0:
        return 0.0
    order = np.argsort(-np.asarray(scores), kind="stable")
    cum_tp = np.cumsum(np.asarray(is_tp, dtype=float)[order])
    precision, recall = cum_tp / np.arange(1, len(cum_tp) + 1), cum_tp / n_gt
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.diff(np.concatenate([[0.0], recall]))
    return float(np.sum(steps * envelope))
