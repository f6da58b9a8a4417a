"""Bug: forgets to standardise the features at all."""

import numpy as np


def cross_val_scores(make_model, X, y, folds, metric):
    return np.array([metric(y[test], make_model().fit(X[train], y[train]).predict(X[test]))
                     for train, test in folds])
