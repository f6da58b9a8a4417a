"""Another idiom: the confusion matrix by np.bincount on flattened (true, predicted) pairs,
and the scores from per-class precision and recall (F-beta as (1 + b^2) P R / (b^2 P + R)),
with zero denominators handled by np.where, averages by np.average."""

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes):
    flat = np.asarray(y_true) * n_classes + np.asarray(y_pred)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def accuracy(cm, balanced=False):
    cm = np.asarray(cm, dtype=float)
    if balanced:
        support = cm.sum(axis=1)
        recalls = np.diag(cm)[support > 0] / support[support > 0]
        return float(recalls.mean())
    return float(np.diag(cm).sum() / cm.sum())


def _safe_div(num, den):
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def precision_recall_fscore(cm, average=None, beta=1.0):
    cm = np.asarray(cm, dtype=float)
    tp, predicted, actual = np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)
    if average == "micro":
        tp, predicted, actual = tp.sum(), predicted.sum(), actual.sum()
    precision = _safe_div(tp, predicted)
    recall = _safe_div(tp, actual)
    b2 = beta ** 2
    fbeta = _safe_div((1 + b2) * precision * recall, b2 * precision + recall)
    if average is None:
        return precision, recall, fbeta
    if average == "micro":
        return float(precision), float(recall), float(fbeta)
    if average == "binary":
        return float(precision[1]), float(recall[1]), float(fbeta[1])
    weights = actual if average == "weighted" else None
    if weights is not None and weights.sum() == 0:
        return 0.0, 0.0, 0.0
    return tuple(float(np.average(v, weights=weights)) for v in (precision, recall, fbeta))
