"""Bug: rows are the predictions and columns the true classes."""

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes):
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_pred, y_true), 1)
    return cm
