"""A deliberately wrong solution: a transposed confusion matrix, balanced accuracy over all
classes (absent ones count as 0), F-beta with beta instead of beta squared, and the
weighted average weighted by predicted rather than true counts."""

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes):
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_pred, y_true), 1)  # wrong: rows are predictions
    return cm


def accuracy(cm, balanced=False):
    if not balanced:
        return float(np.trace(cm) / cm.sum())
    return float(np.mean(np.diag(cm) / np.maximum(cm.sum(axis=1), 1)))  # absent classes count


def precision_recall_fscore(cm, average=None, beta=1.0):
    tp = np.diag(cm).astype(float)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    p = tp / np.maximum(tp + fp, 1)
    r = tp / np.maximum(tp + fn, 1)
    f = (1 + beta) * tp / np.maximum((1 + beta) * tp + beta * fn + fp, 1)  # wrong: beta, not beta^2
    if average is None:
        return p, r, f
    if average == "micro":
        return float(p), float(r), float(f)
    if average == "binary":
        return float(p[1]), float(r[1]), float(f[1])
    w = cm.sum(axis=0) if average == "weighted" else np.ones(len(tp))  # wrong: predicted counts
    w = w / max(w.sum(), 1)
    return tuple(float(np.sum(x * w)) for x in (p, r, f))
