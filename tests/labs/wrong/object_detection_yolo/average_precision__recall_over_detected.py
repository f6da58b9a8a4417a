"""Bug: recall divides by the detected true positives, not by n_gt."""

import numpy as np


def average_precision(scores, is_tp, n_gt):
    if n_gt == 0:
        return float("nan")
    order = np.argsort(-np.asarray(scores), kind="stable")
    cum_tp = np.cumsum(np.asarray(is_tp, dtype=float)[order])
    precision, recall = cum_tp / np.arange(1, len(cum_tp) + 1), cum_tp / max(cum_tp[-1], 1)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.diff(np.concatenate([[0.0], recall]))
    return float(np.sum(steps * envelope))
