"""Another idiom: folds from np.array_split with boolean masks, scaling through sklearn's
StandardScaler fitted per fold, and balanced accuracy from a confusion matrix."""

import numpy as np
from sklearn.preprocessing import StandardScaler


def kfold_indices(n, k, rng=None):
    order = np.arange(n) if rng is None else rng.permutation(n)
    folds = []
    for block in np.array_split(np.arange(n), k):  # positions, sizes as KFold's
        in_test = np.zeros(n, dtype=bool)
        in_test[block] = True
        folds.append((order[~in_test], order[in_test]))
    return folds


def cross_val_scores(make_model, X, y, folds, metric):
    out = np.empty(len(folds))
    for i, (train, test) in enumerate(folds):
        scaler = StandardScaler().fit(X[train])
        model = make_model().fit(scaler.transform(X[train]), y[train])
        out[i] = metric(y[test], model.predict(scaler.transform(X[test])))
    return out


def balanced_accuracy(y_true, y_pred):
    labels = np.unique(np.concatenate([y_true, y_pred]))
    index = {c: i for i, c in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels)))
    for t, p in zip(y_true, y_pred, strict=True):
        cm[index[t], index[p]] += 1
    support = cm.sum(1)
    return float(np.mean(np.diag(cm)[support > 0] / support[support > 0]))
