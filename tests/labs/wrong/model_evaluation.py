"""A deliberately wrong solution: the larger folds come last instead of first, every model is
fitted on all the data (test fold included: leakage), and balanced accuracy averages the
recall over the predicted classes instead of the true ones."""

import numpy as np


def kfold_indices(n, k, rng=None):
    order = rng.permutation(n) if rng is not None else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[k - n % k:] += 1  # bug: sklearn gives the extra indices to the first folds
    folds, start = [], 0
    for size in sizes:
        folds.append((np.concatenate([order[:start], order[start + size:]]),
                      order[start:start + size]))
        start += size
    return folds


def cross_val_scores(make_model, X, y, folds, metric):
    model = make_model().fit(X, y)  # bug: fitted once on everything, test folds included
    return np.array([metric(y[test], model.predict(X[test])) for _, test in folds])


def balanced_accuracy(y_true, y_pred):
    classes = np.unique(y_pred)  # bug: should be the classes of y_true
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in classes]))
