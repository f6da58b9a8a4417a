"""Bug: cm[y_true, y_pred] += 1: numpy applies a repeated (i, j) pair only once."""

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes):
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    cm[y_true, y_pred] += 1
    return cm
