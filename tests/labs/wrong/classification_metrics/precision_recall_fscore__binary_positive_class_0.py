"""Bug: average='binary' reports class 0 instead of the positive class 1."""

import numpy as np


def precision_recall_fscore(cm, average=None, beta=1.0):
    tp = np.diag(cm).astype(np.float64)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    b2 = beta * beta

    def div(a, b):
        return np.divide(a, b, out=np.zeros_like(np.asarray(a, dtype=np.float64)),
                         where=np.asarray(b) > 0)

    p, r = div(tp, tp + fp), div(tp, tp + fn)
    f = div((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp)
    if average in (None, "micro"):
        return (p, r, f) if average is None else (float(p), float(r), float(f))
    if average == "binary":
        return float(p[0]), float(r[0]), float(f[0])
    w = cm.sum(axis=1) if average == "weighted" else np.ones(len(tp))
    if w.sum() == 0:
        return 0.0, 0.0, 0.0
    return tuple(float(np.sum(x * w) / w.sum()) for x in (p, r, f))
