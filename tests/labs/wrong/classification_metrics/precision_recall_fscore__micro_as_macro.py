"""Bug: "micro" averages the per-class scores (which is macro) instead of pooling TP, FP, FN."""

import numpy as np


def precision_recall_fscore(cm, average=None, beta=1.0):
    tp = np.diag(cm).astype(np.float64)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    b2 = beta * beta

    def div(a, b):
        return np.divide(a, b, out=np.zeros_like(np.asarray(a, dtype=np.float64)),
                         where=np.asarray(b) > 0)

    p, r = div(tp, tp + fp), div(tp, tp + fn)
    f = div((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp)
    if average is None:
        return p, r, f
    if average == "binary":
        return float(p[1]), float(r[1]), float(f[1])
    w = cm.sum(axis=1) if average == "weighted" else np.ones(len(tp))
    if w.sum() == 0:
        return 0.0, 0.0, 0.0
    return tuple(float(np.sum(x * w) / w.sum()) for x in (p, r, f))
