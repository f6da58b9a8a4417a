"""Bug: averages the recall over the classes that were *predicted* instead of the true ones."""

import numpy as np


def balanced_accuracy(y_true, y_pred):
    classes = np.unique(y_pred)
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in classes]))
