"""Bug: averages per-class precision (share of the predictions of c that are right) instead
of recall; a class that is never predicted counts as 0."""

import numpy as np


def balanced_accuracy(y_true, y_pred):
    out = []
    for c in np.unique(y_true):
        predicted = y_pred == c
        out.append(float(np.mean(y_true[predicted] == c)) if predicted.any() else 0.0)
    return float(np.mean(out))
