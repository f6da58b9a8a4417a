"""Bug: fits the scaler on all the data once, so every training part has seen its test
fold's mean and spread."""

import numpy as np


def cross_val_scores(make_model, X, y, folds, metric):
    sd = X.std(0)
    Xs = (X - X.mean(0)) / np.where(sd == 0, 1.0, sd)
    return np.array([metric(y[test], make_model().fit(Xs[train], y[train]).predict(Xs[test]))
                     for train, test in folds])
