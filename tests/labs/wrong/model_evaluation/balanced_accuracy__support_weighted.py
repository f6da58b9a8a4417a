"""Bug: weights each class's recall by its share of the samples, which is plain accuracy."""

import numpy as np


def balanced_accuracy(y_true, y_pred):
    classes, counts = np.unique(y_true, return_counts=True)
    recalls = np.array([np.mean(y_pred[y_true == c] == c) for c in classes])
    return float(np.sum(recalls * counts / counts.sum()))
