"""A deliberately wrong solution: parity as group 0 minus group 1 (signed, two groups only),
equal opportunity (TPR gap) instead of equalized odds, reweighing weights upside down, and
WEAT on raw dot products instead of cosines with a population (ddof=0) standard deviation."""

import itertools

import numpy as np


def fairness_gaps(y_true, y_pred, group):
    y_true, y_pred, group = map(np.asarray, (y_true, y_pred, group))
    sel = [y_pred[group == g].mean() for g in (0, 1)]
    tpr = [y_pred[(group == g) & (y_true == 1)].mean() for g in (0, 1)]
    return float(sel[0] - sel[1]), float(abs(tpr[0] - tpr[1]))


def reweighing_weights(group, y):
    group, y = np.asarray(group), np.asarray(y)
    w = np.empty(len(y))
    for g in np.unique(group):
        for c in np.unique(y):
            cell = (group == g) & (y == c)
            w[cell] = cell.mean() / ((group == g).mean() * (y == c).mean())  # inverted
    return w


def weat(x, y, a, b):
    s = np.concatenate([(w @ a.T).mean(1) - (w @ b.T).mean(1) for w in (x, y)])  # no cosine
    n = len(x)
    effect = (s[:n].mean() - s[n:].mean()) / s.std()
    observed = s[:n].sum() - s[n:].sum()
    splits = np.array(list(itertools.combinations(range(len(s)), n)))
    stats = 2 * s[splits].sum(axis=1) - s.sum()
    return float(effect), float(np.mean(stats > observed))
