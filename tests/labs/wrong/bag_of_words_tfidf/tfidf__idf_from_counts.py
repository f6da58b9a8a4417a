"""Bug: learns idf from the rows being transformed, ignoring fit_counts."""

import numpy as np


def tfidf(counts, fit_counts=None, smooth_idf=True, sublinear_tf=False, norm="l2"):
    fit = counts
    n, df = fit.shape[0], (fit > 0).sum(axis=0).astype(np.float64)
    s = float(smooth_idf)
    idf = np.log((n + s) / (df + s)) + 1.0
    tf = counts.astype(np.float64)
    if sublinear_tf:
        tf = np.where(tf > 0, 1.0 + np.log(np.where(tf > 0, tf, 1.0)), 0.0)
    w = tf * idf
    if norm is not None:
        size = np.abs(w).sum(axis=1) if norm == "l1" else np.sqrt((w * w).sum(axis=1))
        w = w / np.where(size > 0, size, 1.0)[:, None]
    return w
