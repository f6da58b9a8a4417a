"""Bug: fits one model on all the data, test folds included, and scores it on each fold."""

import numpy as np


def cross_val_scores(make_model, X, y, folds, metric):
    mu, sd = X.mean(0), X.std(0)
    Xs = (X - mu) / np.where(sd == 0, 1.0, sd)
    model = make_model().fit(Xs, y)
    return np.array([metric(y[test], model.predict(Xs[test])) for _, test in folds])
